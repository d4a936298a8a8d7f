// The kernel IPVS family's replies, built here with libnl as the kernel sends them
// (ip_vs_ctl.c: union nf_inet_addr addresses, be16 ports, struct ip_vs_flags, a be32
// IPv4 netmask, an IPv6 prefix length), read by the codec; short and malformed
// attributes give a clear error.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>
#include <functional>
#include <memory>

#include "ipvs_codec.hpp"
#include "mirror_test_support.hpp"

using namespace mirror;
using namespace mirror::test;

namespace {

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgDeleter>;

// A message with one nest of type `type`, filled by fill; the nest back.
struct Built {
	Msg msg{nlmsg_alloc()};
	nlattr *tb[IPVS_CMD_ATTR_MAX + 1] = {};
	Built(int type, const std::function<void(nl_msg *)> &fill)
	{
		nlmsg_put(msg.get(), 0, 0, 0, 0, 0);
		nlattr *n = nla_nest_start(msg.get(), type);
		fill(msg.get());
		nla_nest_end(msg.get(), n);
		EXPECT_EQ(nlmsg_parse(nlmsg_hdr(msg.get()), 0, tb, IPVS_CMD_ATTR_MAX, nullptr), 0);
	}
	nlattr *nest(int type) { return tb[type]; }
};

void put_addr16(nl_msg *m, int type, const char *text)
{
	const fnat::Address a = A(text);
	nla_put(m, type, 16, a.bytes.data());  // the whole union, as the kernel sends it
}

void put_flags(nl_msg *m, std::uint32_t flags)
{
	ip_vs_flags f{flags, ~0u};
	nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof(f), &f);
}

// A GET_SERVICE reply's service, as ip_vs_genl_fill_service() writes it.
void tcp_service(nl_msg *m)
{
	nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
	nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	put_addr16(m, IPVS_SVC_ATTR_ADDR, "192.0.2.10");
	nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(443));
	nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "wlc");
	put_flags(m, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED);
	nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, 600);
	nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, htonl(0xffffff00));
}

std::string error_of(const std::function<void()> &f)
{
	try {
		f();
	} catch (const ipvs::MalformedReply &e) {
		return e.what();
	}
	return "(no error)";
}

}  // namespace

TEST(IpvsCodec, Service)
{
	Built b(IPVS_CMD_ATTR_SERVICE, tcp_service);
	const IpvsService s = ipvs::parse_service(b.nest(IPVS_CMD_ATTR_SERVICE));
	EXPECT_EQ(s.af, AF_INET);
	EXPECT_EQ(s.protocol, IPPROTO_TCP);
	EXPECT_EQ(s.addr, A("192.0.2.10"));
	EXPECT_EQ(s.port, 443);
	EXPECT_EQ(s.fwmark, 0u);
	EXPECT_EQ(s.sched, "wlc");
	EXPECT_EQ(s.flags, static_cast<std::uint32_t>(IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED));
	EXPECT_EQ(s.timeout, 600u);
	EXPECT_EQ(s.netmask, 24);
}

TEST(IpvsCodec, Ipv6ServiceNetmaskIsAPrefixLength)
{
	Built b(IPVS_CMD_ATTR_SERVICE, [](nl_msg *m) {
		nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET6);
		nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_UDP);
		put_addr16(m, IPVS_SVC_ATTR_ADDR, "2001:db8::10");
		nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(53));
		nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "mh");
		nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, 64);
	});
	const IpvsService s = ipvs::parse_service(b.nest(IPVS_CMD_ATTR_SERVICE));
	EXPECT_EQ(s.addr, A("2001:db8::10"));
	EXPECT_EQ(s.protocol, IPPROTO_UDP);
	EXPECT_EQ(s.netmask, 64);
	EXPECT_EQ(s.flags, 0u);
}

TEST(IpvsCodec, FwmarkServiceHasNoAddress)
{
	Built b(IPVS_CMD_ATTR_SERVICE, [](nl_msg *m) {
		nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
		nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 7);
		nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "rr");
	});
	const IpvsService s = ipvs::parse_service(b.nest(IPVS_CMD_ATTR_SERVICE));
	EXPECT_EQ(s.fwmark, 7u);
	EXPECT_EQ(s.addr.af, AF_UNSPEC);
}

TEST(IpvsCodec, Dest)
{
	Built b(IPVS_CMD_ATTR_DEST, [](nl_msg *m) {
		put_addr16(m, IPVS_DEST_ATTR_ADDR, "203.0.113.11");
		nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(8080));
		nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_DROUTE);
		nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, 0);
		nla_put_u32(m, IPVS_DEST_ATTR_U_THRESH, 100);
		nla_put_u32(m, IPVS_DEST_ATTR_L_THRESH, 10);
		nla_put_u32(m, IPVS_DEST_ATTR_ACTIVE_CONNS, 3);
		nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
	});
	const IpvsDest d = ipvs::parse_dest(b.nest(IPVS_CMD_ATTR_DEST), AF_INET);
	EXPECT_EQ(d, (IpvsDest{A("203.0.113.11"), 8080, IP_VS_CONN_F_DROUTE, 0, 100, 10}));
}

TEST(IpvsCodec, DestWithoutFamilyTakesTheServices)
{
	Built b(IPVS_CMD_ATTR_DEST, [](nl_msg *m) {
		put_addr16(m, IPVS_DEST_ATTR_ADDR, "2001:db8::11");
		nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(53));
		nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, 2);
	});
	const IpvsDest d = ipvs::parse_dest(b.nest(IPVS_CMD_ATTR_DEST), AF_INET6);
	EXPECT_EQ(d.addr, A("2001:db8::11"));
	EXPECT_EQ(d.weight, 2u);
	EXPECT_EQ(d.fwd_method, static_cast<std::uint32_t>(IP_VS_CONN_F_MASQ));
}

TEST(IpvsCodec, MalformedServices)
{
	struct Bad {
		const char *expect;
		std::function<void(nl_msg *)> fill;
	};
	const Bad cases[] = {
		{"service family missing", [](nl_msg *m) { nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(80)); }},
		{"service family too short", [](nl_msg *m) { nla_put_u8(m, IPVS_SVC_ATTR_AF, AF_INET); }},
		{"service protocol missing",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
			 nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "rr");
		 }},
		{"service address too short",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET6);
			 nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
			 nla_put(m, IPVS_SVC_ATTR_ADDR, 4, "\xc0\0\2\x0a");
			 nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(80));
		 }},
		{"service address: unknown family 99",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, 99);
			 nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
			 put_addr16(m, IPVS_SVC_ATTR_ADDR, "192.0.2.1");
		 }},
		{"service port too short",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
			 nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
			 put_addr16(m, IPVS_SVC_ATTR_ADDR, "192.0.2.1");
			 nla_put_u8(m, IPVS_SVC_ATTR_PORT, 80);
		 }},
		{"service scheduler missing",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
			 nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 1);
		 }},
		{"service scheduler not a short NUL-terminated string",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
			 nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 1);
			 nla_put(m, IPVS_SVC_ATTR_SCHED_NAME, 3, "wlc");  // no NUL
		 }},
		{"service flags too short",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
			 nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 1);
			 nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "rr");
			 nla_put_u32(m, IPVS_SVC_ATTR_FLAGS, 1);  // not a struct ip_vs_flags
		 }},
		{"service netmask not contiguous",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET);
			 nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 1);
			 nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "rr");
			 nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, htonl(0xff00ff00));
		 }},
		{"service IPv6 prefix length over 128",
		 [](nl_msg *m) {
			 nla_put_u16(m, IPVS_SVC_ATTR_AF, AF_INET6);
			 nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, 1);
			 nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, "rr");
			 nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, 129);
		 }},
	};
	for (const Bad &c : cases) {
		SCOPED_TRACE(c.expect);
		Built b(IPVS_CMD_ATTR_SERVICE, c.fill);
		EXPECT_EQ(error_of([&b] { ipvs::parse_service(b.nest(IPVS_CMD_ATTR_SERVICE)); }),
			  std::string("IPVS: malformed reply: ") + c.expect);
	}
}

TEST(IpvsCodec, MalformedDests)
{
	struct Bad {
		const char *expect;
		std::function<void(nl_msg *)> fill;
	};
	const Bad cases[] = {
		{"destination address missing", [](nl_msg *m) { nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(80)); }},
		{"destination address too short",
		 [](nl_msg *m) {
			 nla_put(m, IPVS_DEST_ATTR_ADDR, 2, "\1\2");
			 nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(80));
		 }},
		{"destination port missing", [](nl_msg *m) { put_addr16(m, IPVS_DEST_ATTR_ADDR, "192.0.2.1"); }},
		{"destination weight missing",
		 [](nl_msg *m) {
			 put_addr16(m, IPVS_DEST_ATTR_ADDR, "192.0.2.1");
			 nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(80));
		 }},
		{"destination weight too short",
		 [](nl_msg *m) {
			 put_addr16(m, IPVS_DEST_ATTR_ADDR, "192.0.2.1");
			 nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(80));
			 nla_put_u16(m, IPVS_DEST_ATTR_WEIGHT, 1);
		 }},
		{"destination address: unknown family 7",
		 [](nl_msg *m) {
			 put_addr16(m, IPVS_DEST_ATTR_ADDR, "192.0.2.1");
			 nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY, 7);
		 }},
	};
	for (const Bad &c : cases) {
		SCOPED_TRACE(c.expect);
		Built b(IPVS_CMD_ATTR_DEST, c.fill);
		EXPECT_EQ(error_of([&b] { ipvs::parse_dest(b.nest(IPVS_CMD_ATTR_DEST), AF_INET); }),
			  std::string("IPVS: malformed reply: ") + c.expect);
	}
}

TEST(IpvsCodec, MissingOrGarbledNest)
{
	EXPECT_EQ(error_of([] { ipvs::parse_service(nullptr); }), "IPVS: malformed reply: service missing");
	EXPECT_EQ(error_of([] { ipvs::parse_dest(nullptr, AF_INET); }), "IPVS: malformed reply: destination missing");
	// A nest whose payload is a truncated attribute header.
	Built b(IPVS_CMD_ATTR_SERVICE, [](nl_msg *m) {
		const unsigned char junk[4] = {0xff, 0x00, 0x01, 0x00};  // nla_len 255: past the end
		nlmsg_append(m, const_cast<unsigned char *>(junk), sizeof(junk), 0);
	});
	const std::string e = error_of([&b] { ipvs::parse_service(b.nest(IPVS_CMD_ATTR_SERVICE)); });
	EXPECT_EQ(e.rfind("IPVS: malformed reply: ", 0), 0u) << e;
}

TEST(IpvsCodec, ServiceKeyRequest)
{
	Msg msg(nlmsg_alloc());
	nlmsg_put(msg.get(), 0, 0, 0, 0, 0);
	ipvs::put_service_key(msg.get(), vs(IPPROTO_UDP, "2001:db8::10", 53, "rr"));
	nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	ASSERT_EQ(nlmsg_parse(nlmsg_hdr(msg.get()), 0, tb, IPVS_CMD_ATTR_MAX, nullptr), 0);
	nlattr *svc[IPVS_SVC_ATTR_MAX + 1];
	ASSERT_EQ(nla_parse_nested(svc, IPVS_SVC_ATTR_MAX, tb[IPVS_CMD_ATTR_SERVICE], nullptr), 0);
	EXPECT_EQ(nla_get_u16(svc[IPVS_SVC_ATTR_AF]), AF_INET6);
	EXPECT_EQ(nla_get_u16(svc[IPVS_SVC_ATTR_PROTOCOL]), IPPROTO_UDP);
	EXPECT_EQ(nla_len(svc[IPVS_SVC_ATTR_ADDR]), 16);
	EXPECT_EQ(std::memcmp(nla_data(svc[IPVS_SVC_ATTR_ADDR]), A("2001:db8::10").bytes.data(), 16), 0);
	EXPECT_EQ(ntohs(nla_get_u16(svc[IPVS_SVC_ATTR_PORT])), 53);
	EXPECT_EQ(svc[IPVS_SVC_ATTR_FWMARK], nullptr);
}

TEST(IpvsCodec, PrefixFromMask)
{
	EXPECT_EQ(ipvs::prefix_from_mask(htonl(0xffffffff)), 32);
	EXPECT_EQ(ipvs::prefix_from_mask(htonl(0xffffff00)), 24);
	EXPECT_EQ(ipvs::prefix_from_mask(htonl(0x80000000)), 1);
	EXPECT_EQ(ipvs::prefix_from_mask(0), 0);
	EXPECT_EQ(ipvs::prefix_from_mask(htonl(0x00ffffff)), -1);
}
