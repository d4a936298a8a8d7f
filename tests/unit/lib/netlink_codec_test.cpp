// The wire encoding without a kernel: requests built by the codec, read back with
// libnl as the kernel's policy would see them (types, lengths, byte order); replies
// built here as the kernel would and read by the codec; extack TLVs.
#include <gtest/gtest.h>

#include <tuple>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>
#include <memory>
#include <vector>

#include "fnat/kernel.hpp"
#include "fnat/netlink_codec.hpp"
#include "fnat/uapi.hpp"

using namespace fnat;

namespace {

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgDeleter>;

Msg new_msg()
{
	Msg m(nlmsg_alloc());
	nlmsg_put(m.get(), 0, 0, 0, 0, 0);
	return m;
}

// The top-level attributes of m.
struct Top {
	nlattr *tb[IPVS_FNAT_ATTR_MAX + 1];
	explicit Top(nl_msg *m) { EXPECT_EQ(nlmsg_parse(nlmsg_hdr(m), 0, tb, IPVS_FNAT_ATTR_MAX, nullptr), 0); }
};

template <std::size_t N> void nested(nlattr *(&tb)[N], nlattr *nest)
{
	ASSERT_NE(nest, nullptr);
	ASSERT_EQ(nla_parse_nested(tb, static_cast<int>(N - 1), nest, nullptr), 0);
}

Address A(const char *s) { return *Address::parse(s); }

}  // namespace

TEST(NetlinkCodec, ServiceKeyEncoding)
{
	Msg m = new_msg();
	nl::put_key(m.get(), ServiceKey{Proto::UDP, A("2001:db8::10"), 53});
	Top top(m.get());
	nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];
	nested(tb, top.tb[IPVS_FNAT_ATTR_SERVICE]);
	ASSERT_TRUE(tb[IPVS_FNAT_SVC_ATTR_AF] && tb[IPVS_FNAT_SVC_ATTR_PROTOCOL] && tb[IPVS_FNAT_SVC_ATTR_ADDR] &&
		    tb[IPVS_FNAT_SVC_ATTR_PORT]);
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_SVC_ATTR_AF]), 2);  // u16
	EXPECT_EQ(nla_get_u16(tb[IPVS_FNAT_SVC_ATTR_AF]), AF_INET6);
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_SVC_ATTR_PROTOCOL]), 1);  // u8
	EXPECT_EQ(nla_get_u8(tb[IPVS_FNAT_SVC_ATTR_PROTOCOL]), IPPROTO_UDP);
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_SVC_ATTR_ADDR]), 16);
	EXPECT_EQ(std::memcmp(nla_data(tb[IPVS_FNAT_SVC_ATTR_ADDR]), A("2001:db8::10").bytes.data(), 16), 0);
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_SVC_ATTR_PORT]), 2);  // __be16
	EXPECT_EQ(nla_get_u16(tb[IPVS_FNAT_SVC_ATTR_PORT]), htons(53));
	// Only the key: nothing else in the nest.
	EXPECT_FALSE(tb[IPVS_FNAT_SVC_ATTR_SCHED_NAME] || tb[IPVS_FNAT_SVC_ATTR_FLAGS] ||
		     tb[IPVS_FNAT_SVC_ATTR_TIMEOUT] || tb[IPVS_FNAT_SVC_ATTR_NETMASK]);
	EXPECT_FALSE(top.tb[IPVS_FNAT_ATTR_DEST]);
}

TEST(NetlinkCodec, ServiceSpecEncodingAndReadingBack)
{
	Msg m = new_msg();
	ServiceSpec spec{ServiceKey{Proto::TCP, A("192.0.2.10"), 80}, "wrr", IPVS_FNAT_SVC_F_PERSISTENT, 600u,
			 std::uint8_t{24}, std::nullopt};
	nl::put_service_spec(m.get(), spec);
	Top top(m.get());
	nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];
	nested(tb, top.tb[IPVS_FNAT_ATTR_SERVICE]);
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_SVC_ATTR_ADDR]), 4);
	EXPECT_STREQ(nla_get_string(tb[IPVS_FNAT_SVC_ATTR_SCHED_NAME]), "wrr");
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_SVC_ATTR_FLAGS]), 4);
	EXPECT_EQ(nla_get_u32(tb[IPVS_FNAT_SVC_ATTR_FLAGS]), IPVS_FNAT_SVC_F_PERSISTENT);
	EXPECT_EQ(nla_get_u32(tb[IPVS_FNAT_SVC_ATTR_TIMEOUT]), 600u);
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_SVC_ATTR_NETMASK]), 1);
	EXPECT_EQ(nla_get_u8(tb[IPVS_FNAT_SVC_ATTR_NETMASK]), 24);

	const Service s = nl::parse_service(top.tb[IPVS_FNAT_ATTR_SERVICE]);
	EXPECT_EQ(s.key, spec.key);
	EXPECT_EQ(s.sched, "wrr");
	EXPECT_EQ(s.flags, IPVS_FNAT_SVC_F_PERSISTENT);
	EXPECT_EQ(s.timeout, 600u);
	EXPECT_EQ(s.netmask, 24);
	EXPECT_EQ(s.stats, Stats{});
}

TEST(NetlinkCodec, SynProxyFlagTravelsInTheFlagWord)
{
	for (const std::uint32_t flags :
	     {std::uint32_t{IPVS_FNAT_SVC_F_SYNPROXY}, std::uint32_t{IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_SYNPROXY},
	      std::uint32_t{0}}) {
		SCOPED_TRACE(flags);
		Msg m = new_msg();
		nl::put_service_spec(m.get(), ServiceSpec{ServiceKey{Proto::TCP, A("2001:db8::10"), 443}, "rr", flags,
							  std::nullopt, std::nullopt, std::nullopt});
		Top top(m.get());
		nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];
		nested(tb, top.tb[IPVS_FNAT_ATTR_SERVICE]);
		// Sent even when 0: -E without -j must clear the flag in the kernel.
		ASSERT_TRUE(tb[IPVS_FNAT_SVC_ATTR_FLAGS]);
		EXPECT_EQ(nla_get_u32(tb[IPVS_FNAT_SVC_ATTR_FLAGS]), flags);
		const Service s = nl::parse_service(top.tb[IPVS_FNAT_ATTR_SERVICE]);
		EXPECT_EQ(s.flags, flags);
		EXPECT_EQ(s.synproxy(), (flags & IPVS_FNAT_SVC_F_SYNPROXY) != 0);
		EXPECT_EQ(s.persistent(), (flags & IPVS_FNAT_SVC_F_PERSISTENT) != 0);
	}
}

TEST(NetlinkCodec, UnsetServiceFieldsAreLeftOut)
{
	Msg m = new_msg();
	nl::put_service_spec(m.get(), ServiceSpec{ServiceKey{Proto::TCP, A("192.0.2.10"), 80}, std::nullopt,
						  std::nullopt, std::nullopt, std::nullopt, std::nullopt});
	Top top(m.get());
	nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];
	nested(tb, top.tb[IPVS_FNAT_ATTR_SERVICE]);
	EXPECT_FALSE(tb[IPVS_FNAT_SVC_ATTR_SCHED_NAME] || tb[IPVS_FNAT_SVC_ATTR_FLAGS] ||
		     tb[IPVS_FNAT_SVC_ATTR_TIMEOUT] || tb[IPVS_FNAT_SVC_ATTR_NETMASK]);
	// A reply without netmask reads as the full length.
	EXPECT_EQ(nl::parse_service(top.tb[IPVS_FNAT_ATTR_SERVICE]).netmask, 32);
}

TEST(NetlinkCodec, DestEncoding)
{
	Msg m = new_msg();
	nl::put_dest_spec(m.get(), DestSpec{A("203.0.113.11"), 8080, 5u, 100u, 50u}, true);
	Top top(m.get());
	nlattr *tb[IPVS_FNAT_DEST_ATTR_MAX + 1];
	nested(tb, top.tb[IPVS_FNAT_ATTR_DEST]);
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_DEST_ATTR_ADDR]), 4);
	EXPECT_EQ(nla_get_u16(tb[IPVS_FNAT_DEST_ATTR_PORT]), htons(8080));
	EXPECT_EQ(nla_get_u16(tb[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY]), AF_INET);
	EXPECT_EQ(nla_get_u32(tb[IPVS_FNAT_DEST_ATTR_WEIGHT]), 5u);
	EXPECT_EQ(nla_get_u32(tb[IPVS_FNAT_DEST_ATTR_U_THRESH]), 100u);
	EXPECT_EQ(nla_get_u32(tb[IPVS_FNAT_DEST_ATTR_L_THRESH]), 50u);
	const Dest d = nl::parse_dest(top.tb[IPVS_FNAT_ATTR_DEST], AF_INET6);  // the attribute's family wins
	EXPECT_EQ(d.addr, A("203.0.113.11"));
	EXPECT_EQ(d.port, 8080);
	EXPECT_EQ(d.weight, 5u);
	EXPECT_EQ(d.u_thresh, 100u);
	EXPECT_EQ(d.l_thresh, 50u);

	// SET_DEST and DEL_DEST carry no family attribute (not in their trees).
	Msg m2 = new_msg();
	nl::put_dest_spec(m2.get(), DestSpec{A("2001:db8:5::11"), 80, std::nullopt, std::nullopt, std::nullopt},
			  false);
	Top top2(m2.get());
	nlattr *tb2[IPVS_FNAT_DEST_ATTR_MAX + 1];
	nested(tb2, top2.tb[IPVS_FNAT_ATTR_DEST]);
	EXPECT_FALSE(tb2[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY] || tb2[IPVS_FNAT_DEST_ATTR_WEIGHT]);
	EXPECT_EQ(nla_len(tb2[IPVS_FNAT_DEST_ATTR_ADDR]), 16);
	EXPECT_EQ(nl::parse_dest(top2.tb[IPVS_FNAT_ATTR_DEST], AF_INET6).addr, A("2001:db8:5::11"));
}

TEST(NetlinkCodec, LaddrAndConfigEncoding)
{
	Msg m = new_msg();
	nl::put_laddr(m.get(), A("2001:db8:5::100"));
	nl::put_config(m.get(), Config{900, 0, 300, std::nullopt, std::nullopt, 2000, std::nullopt, false,
				       std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt});
	Top top(m.get());
	nlattr *lt[IPVS_FNAT_LADDR_ATTR_MAX + 1];
	nested(lt, top.tb[IPVS_FNAT_ATTR_LADDR]);
	EXPECT_EQ(nla_get_u16(lt[IPVS_FNAT_LADDR_ATTR_AF]), AF_INET6);
	EXPECT_EQ(nla_len(lt[IPVS_FNAT_LADDR_ATTR_ADDR]), 16);
	EXPECT_FALSE(lt[IPVS_FNAT_LADDR_ATTR_FLAGS]);  // flags only when asked for
	Msg mp = new_msg();
	nl::put_laddr(mp.get(), A("203.0.113.150"), IPVS_FNAT_LADDR_F_PEER);
	Top topp(mp.get());
	nested(lt, topp.tb[IPVS_FNAT_ATTR_LADDR]);
	EXPECT_EQ(nla_get_u32(lt[IPVS_FNAT_LADDR_ATTR_FLAGS]), std::uint32_t{IPVS_FNAT_LADDR_F_PEER});
	EXPECT_TRUE(nl::parse_laddr(topp.tb[IPVS_FNAT_ATTR_LADDR], AF_INET).peer);
	nlattr *ct[IPVS_FNAT_CFG_ATTR_MAX + 1];
	nested(ct, top.tb[IPVS_FNAT_ATTR_CONFIG]);
	EXPECT_EQ(nla_get_u32(ct[IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP]), 900u);
	EXPECT_EQ(nla_get_u32(ct[IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN]), 0u);  // "unchanged" is sent as 0
	EXPECT_EQ(nla_len(ct[IPVS_FNAT_CFG_ATTR_PORT_MIN]), 2);
	EXPECT_EQ(nla_get_u16(ct[IPVS_FNAT_CFG_ATTR_PORT_MIN]), 2000);
	EXPECT_EQ(nla_len(ct[IPVS_FNAT_CFG_ATTR_TOA]), 1);
	EXPECT_EQ(nla_get_u8(ct[IPVS_FNAT_CFG_ATTR_TOA]), 0);
	EXPECT_FALSE(ct[IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN] || ct[IPVS_FNAT_CFG_ATTR_PORT_MAX] ||
		     ct[IPVS_FNAT_CFG_ATTR_EXPIRE_RST]);
	const Config back = nl::parse_config(top.tb[IPVS_FNAT_ATTR_CONFIG]);
	EXPECT_EQ(back, (Config{900, 0, 300, std::nullopt, std::nullopt, 2000, std::nullopt, false, std::nullopt,
				std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
	const Laddr l = nl::parse_laddr(top.tb[IPVS_FNAT_ATTR_LADDR], AF_INET);
	EXPECT_EQ(l.addr, A("2001:db8:5::100"));
}

TEST(NetlinkCodec, RepliesAsTheKernelBuildsThem)
{
	Msg m = new_msg();
	nlattr *svc = nla_nest_start(m.get(), IPVS_FNAT_ATTR_SERVICE);
	nla_put_u16(m.get(), IPVS_FNAT_SVC_ATTR_AF, AF_INET);
	nla_put_u8(m.get(), IPVS_FNAT_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	const Address vip = A("192.0.2.10");
	nla_put(m.get(), IPVS_FNAT_SVC_ATTR_ADDR, 4, vip.bytes.data());
	nla_put_u16(m.get(), IPVS_FNAT_SVC_ATTR_PORT, htons(443));
	nla_put_string(m.get(), IPVS_FNAT_SVC_ATTR_SCHED_NAME, "mh");
	nla_put_u32(m.get(), IPVS_FNAT_SVC_ATTR_NUM_DESTS, 7);
	nla_put_u32(m.get(), IPVS_FNAT_SVC_ATTR_NUM_LADDRS, 3);
	nlattr *st = nla_nest_start(m.get(), IPVS_FNAT_SVC_ATTR_STATS);
	nla_put_u64(m.get(), IPVS_FNAT_STATS_ATTR_CONNS, 1ULL << 40);
	nla_put_u64(m.get(), IPVS_FNAT_STATS_ATTR_OUTBPS, 12345);
	nla_nest_end(m.get(), st);
	nla_nest_end(m.get(), svc);
	nlattr *info = nla_nest_start(m.get(), IPVS_FNAT_ATTR_INFO);
	nla_put_u32(m.get(), IPVS_FNAT_INFO_ATTR_VERSION, IPVS_FNAT_VERSION_CODE(0, 1, 0));
	nla_put_u32(m.get(), IPVS_FNAT_INFO_ATTR_CONN_TAB_SIZE, 4096);
	nla_put_u32(m.get(), IPVS_FNAT_INFO_ATTR_SERVICE_COUNT, 1);
	nla_nest_end(m.get(), info);
	Top top(m.get());
	const Service s = nl::parse_service(top.tb[IPVS_FNAT_ATTR_SERVICE]);
	EXPECT_EQ(s.key, (ServiceKey{Proto::TCP, vip, 443}));
	EXPECT_EQ(s.sched, "mh");
	EXPECT_EQ(s.num_dests, 7u);
	EXPECT_EQ(s.num_laddrs, 3u);
	EXPECT_EQ(s.stats.conns, 1ULL << 40);
	EXPECT_EQ(s.stats.outbps, 12345u);
	EXPECT_FALSE(s.sp_stats) << "no SYNPROXY_STATS nest, no SYN proxy counters";
	const Info i = nl::parse_info(top.tb[IPVS_FNAT_ATTR_INFO]);
	EXPECT_EQ(i, (Info{0x100, 4096, 0, 1}));
}

// A TCP service's reply carries its SYN proxy counters in their own nest.
TEST(NetlinkCodec, SynProxyCountersOfAService)
{
	Msg m = new_msg();
	nlattr *svc = nla_nest_start(m.get(), IPVS_FNAT_ATTR_SERVICE);
	nla_put_u16(m.get(), IPVS_FNAT_SVC_ATTR_AF, AF_INET6);
	nla_put_u8(m.get(), IPVS_FNAT_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	const Address vip = A("2001:db8::10");
	nla_put(m.get(), IPVS_FNAT_SVC_ATTR_ADDR, 16, vip.bytes.data());
	nla_put_u16(m.get(), IPVS_FNAT_SVC_ATTR_PORT, htons(80));
	nla_put_u32(m.get(), IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_SYNPROXY);
	nlattr *sp = nla_nest_start(m.get(), IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS);
	nla_put_u64(m.get(), IPVS_FNAT_SP_STATS_ATTR_SYN, 1ULL << 33);
	nla_put_u64(m.get(), IPVS_FNAT_SP_STATS_ATTR_ACK_OK, 7);
	nla_put_u64(m.get(), IPVS_FNAT_SP_STATS_ATTR_ACK_BAD, 6);
	nla_put_u64(m.get(), IPVS_FNAT_SP_STATS_ATTR_RS_FAIL, 5);
	nla_put_u64(m.get(), IPVS_FNAT_SP_STATS_ATTR_DATA_DROPPED, 4);
	nla_nest_end(m.get(), sp);
	nla_nest_end(m.get(), svc);
	Top top(m.get());
	const Service s = nl::parse_service(top.tb[IPVS_FNAT_ATTR_SERVICE]);
	ASSERT_TRUE(s.sp_stats);
	EXPECT_EQ(*s.sp_stats, (SynProxyStats{1ULL << 33, 7, 6, 5, 4}));
	EXPECT_TRUE(s.synproxy());
}

TEST(NetlinkCodec, ConnReply)
{
	Msg m = new_msg();
	nlattr *c = nla_nest_start(m.get(), IPVS_FNAT_ATTR_CONN);
	nla_put_u8(m.get(), IPVS_FNAT_CONN_ATTR_PROTOCOL, IPPROTO_UDP);
	nla_put_u16(m.get(), IPVS_FNAT_CONN_ATTR_AF, AF_INET);
	const int addrs[] = {IPVS_FNAT_CONN_ATTR_CADDR, IPVS_FNAT_CONN_ATTR_VADDR, IPVS_FNAT_CONN_ATTR_LADDR,
			     IPVS_FNAT_CONN_ATTR_DADDR};
	const char *texts[] = {"198.51.100.2", "192.0.2.10", "203.0.113.100", "203.0.113.11"};
	for (int k = 0; k < 4; k++) {
		const Address a = A(texts[k]);
		nla_put(m.get(), addrs[k], 4, a.bytes.data());
		nla_put_u16(m.get(), addrs[k] + 1, htons(static_cast<std::uint16_t>(1000 + k)));
	}
	nla_put_u16(m.get(), IPVS_FNAT_CONN_ATTR_STATE, 1);
	nla_put_string(m.get(), IPVS_FNAT_CONN_ATTR_STATE_NAME, "UDP");
	nla_put_u32(m.get(), IPVS_FNAT_CONN_ATTR_EXPIRES, 299000);
	nla_put_u32(m.get(), IPVS_FNAT_CONN_ATTR_FLAGS, IPVS_FNAT_CONN_F_PERSISTENT);
	nla_nest_end(m.get(), c);
	Top top(m.get());
	const Conn conn = nl::parse_conn(top.tb[IPVS_FNAT_ATTR_CONN]);
	EXPECT_EQ(conn.proto, Proto::UDP);
	EXPECT_EQ(conn.client, (Endpoint{A("198.51.100.2"), 1000}));
	EXPECT_EQ(conn.virt, (Endpoint{A("192.0.2.10"), 1001}));
	EXPECT_EQ(conn.local, (Endpoint{A("203.0.113.100"), 1002}));
	EXPECT_EQ(conn.dest, (Endpoint{A("203.0.113.11"), 1003}));
	EXPECT_EQ(conn.state_name, "UDP");
	EXPECT_EQ(conn.expires_ms, 299000u);
	EXPECT_EQ(conn.flags, IPVS_FNAT_CONN_F_PERSISTENT);
}

TEST(NetlinkCodec, MalformedRepliesAreErrorsNotCrashes)
{
	Msg m = new_msg();
	nlattr *svc = nla_nest_start(m.get(), IPVS_FNAT_ATTR_SERVICE);
	nla_put_u16(m.get(), IPVS_FNAT_SVC_ATTR_AF, AF_INET6);
	nla_put_u8(m.get(), IPVS_FNAT_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	nla_put(m.get(), IPVS_FNAT_SVC_ATTR_ADDR, 4, "\xc0\x00\x02\x0a");  // 4 bytes for AF_INET6
	nla_put_u16(m.get(), IPVS_FNAT_SVC_ATTR_PORT, htons(80));
	nla_nest_end(m.get(), svc);
	nlattr *d = nla_nest_start(m.get(), IPVS_FNAT_ATTR_DEST);
	nla_put_u16(m.get(), IPVS_FNAT_DEST_ATTR_PORT, htons(80));  // no address
	nla_nest_end(m.get(), d);
	nlattr *l = nla_nest_start(m.get(), IPVS_FNAT_ATTR_LADDR);
	nla_put_u16(m.get(), IPVS_FNAT_LADDR_ATTR_AF, 99);  // no such family
	nla_nest_end(m.get(), l);
	Top top(m.get());
	EXPECT_THROW(nl::parse_service(top.tb[IPVS_FNAT_ATTR_SERVICE]), TransportError);
	EXPECT_THROW(nl::parse_dest(top.tb[IPVS_FNAT_ATTR_DEST], AF_INET), TransportError);
	EXPECT_THROW(nl::parse_laddr(top.tb[IPVS_FNAT_ATTR_LADDR], AF_INET), TransportError);
	EXPECT_THROW(nl::parse_service(nullptr), TransportError);
	EXPECT_THROW(nl::parse_info(nullptr), TransportError);
	EXPECT_EQ(nl::parse_stats(nullptr), Stats{});
}

TEST(NetlinkCodec, ExtackText)
{
	// NLMSGERR_ATTR_OFFS (u32), then NLMSGERR_ATTR_MSG.
	std::vector<unsigned char> buf(64, 0);
	nlattr a{8, NLMSGERR_ATTR_OFFS};
	std::memcpy(buf.data(), &a, sizeof(a));
	const char msg[] = "weight out of range";
	nlattr b{static_cast<std::uint16_t>(NLA_HDRLEN + sizeof(msg)), NLMSGERR_ATTR_MSG};
	std::memcpy(buf.data() + 8, &b, sizeof(b));
	std::memcpy(buf.data() + 8 + NLA_HDRLEN, msg, sizeof(msg));
	const std::size_t len = 8 + NLA_ALIGN(b.nla_len);
	EXPECT_EQ(nl::extack_text(buf.data(), len), "weight out of range");
	EXPECT_EQ(nl::extack_text(buf.data(), 8), "");    // only the offset
	EXPECT_EQ(nl::extack_text(buf.data(), 3), "");    // truncated
	nlattr bad{200, NLMSGERR_ATTR_MSG};                // longer than the buffer
	std::memcpy(buf.data(), &bad, sizeof(bad));
	EXPECT_EQ(nl::extack_text(buf.data(), len), "");
}

TEST(NetlinkCodec, DaemonRequestCarriesOnlyWhatWasGiven)
{
	DaemonConfig d;
	d.state = IPVS_FNAT_DAEMON_MASTER;
	d.mcast_ifn = "sync0";
	d.peers = {A("2001:db8:f::12"), A("2001:db8:f::13")};
	d.port = 9000;
	d.key = std::vector<std::uint8_t>(32, 0x5a);
	Msg m = new_msg();
	nl::put_daemon_config(m.get(), d);
	Top top(m.get());
	nlattr *tb[IPVS_FNAT_DAEMON_ATTR_MAX + 1];
	nested(tb, top.tb[IPVS_FNAT_ATTR_DAEMON]);
	EXPECT_EQ(nla_get_u32(tb[IPVS_FNAT_DAEMON_ATTR_STATE]), IPVS_FNAT_DAEMON_MASTER);
	EXPECT_STREQ(static_cast<const char *>(nla_data(tb[IPVS_FNAT_DAEMON_ATTR_MCAST_IFN])), "sync0");
	EXPECT_EQ(ntohs(nla_get_u16(tb[IPVS_FNAT_DAEMON_ATTR_MCAST_PORT])), 9000);  // __be16
	EXPECT_EQ(nla_len(tb[IPVS_FNAT_DAEMON_ATTR_KEY]), 32);
	ASSERT_NE(tb[IPVS_FNAT_DAEMON_ATTR_PEERS], nullptr);
	EXPECT_TRUE(nla_is_nested(tb[IPVS_FNAT_DAEMON_ATTR_PEERS]));
	int peers = 0, rem;
	nlattr *a;
	nla_for_each_nested(a, tb[IPVS_FNAT_DAEMON_ATTR_PEERS], rem) {
		EXPECT_EQ(nla_type(a), IPVS_FNAT_DAEMON_ATTR_PEER);
		EXPECT_EQ(nla_len(a), 16);
		peers++;
	}
	EXPECT_EQ(peers, 2);
	// Left to the kernel's defaults: not sent at all.
	for (int t : {IPVS_FNAT_DAEMON_ATTR_SYNCID, IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, IPVS_FNAT_DAEMON_ATTR_MCAST_TTL,
		      IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD})
		EXPECT_EQ(tb[t], nullptr) << t;

	Msg s = new_msg();
	nl::put_daemon_state(s.get(), IPVS_FNAT_DAEMON_BACKUP);
	Top st(s.get());
	nlattr *sb[IPVS_FNAT_DAEMON_ATTR_MAX + 1];
	nested(sb, st.tb[IPVS_FNAT_ATTR_DAEMON]);
	EXPECT_EQ(nla_get_u32(sb[IPVS_FNAT_DAEMON_ATTR_STATE]), IPVS_FNAT_DAEMON_BACKUP);
	EXPECT_EQ(sb[IPVS_FNAT_DAEMON_ATTR_MCAST_IFN], nullptr);
}

TEST(NetlinkCodec, DaemonReply)
{
	Msg m = new_msg();
	nlattr *d = nla_nest_start(m.get(), IPVS_FNAT_ATTR_DAEMON);
	nla_put_u32(m.get(), IPVS_FNAT_DAEMON_ATTR_STATE, IPVS_FNAT_DAEMON_BACKUP);
	nla_put_string(m.get(), IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, "sync0");
	nla_put_u32(m.get(), IPVS_FNAT_DAEMON_ATTR_SYNCID, 9);
	nla_put_u16(m.get(), IPVS_FNAT_DAEMON_ATTR_MCAST_PORT, htons(8850));
	nla_put_u8(m.get(), IPVS_FNAT_DAEMON_ATTR_MCAST_TTL, 2);
	nla_put(m.get(), IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, 4, A("239.255.88.82").bytes.data());
	nla_put_u8(m.get(), IPVS_FNAT_DAEMON_ATTR_KEY_SET, 1);
	nla_put_u64(m.get(), IPVS_FNAT_DAEMON_ATTR_EPOCH, 1234567890123ull);
	nlattr *st = nla_nest_start(m.get(), IPVS_FNAT_DAEMON_ATTR_STATS);
	nla_put_u64(m.get(), IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS, 7);
	nla_put_u64(m.get(), IPVS_FNAT_SYNC_STATS_ATTR_DELETED, 11);
	nla_put_u64(m.get(), IPVS_FNAT_SYNC_STATS_ATTR_MOVED, 13);
	nla_put_u64(m.get(), IPVS_FNAT_SYNC_STATS_ATTR_RESYNC_DONE, 17);
	nla_nest_end(m.get(), st);
	nla_put_u8(m.get(), IPVS_FNAT_DAEMON_ATTR_SYNCED, 0);
	nlattr *ms = nla_nest_start(m.get(), IPVS_FNAT_DAEMON_ATTR_MASTERS);
	for (const auto &[id, addr, ok] : {std::tuple{1u, "203.0.113.1", 1}, std::tuple{2u, "2001:db8:5::2", 0}}) {
		nlattr *one = nla_nest_start(m.get(), IPVS_FNAT_DAEMON_ATTR_MASTER);
		const Address a = A(addr);
		nla_put_u32(m.get(), IPVS_FNAT_MASTER_ATTR_SYNCID, id);
		nla_put(m.get(), IPVS_FNAT_MASTER_ATTR_ADDR, a.af == AF_INET ? 4 : 16, a.bytes.data());
		nla_put_u64(m.get(), IPVS_FNAT_MASTER_ATTR_EPOCH, 99);
		nla_put_u8(m.get(), IPVS_FNAT_MASTER_ATTR_SYNCED, ok);
		nla_put_u32(m.get(), IPVS_FNAT_MASTER_ATTR_HEARD_MS, 250);
		nla_nest_end(m.get(), one);
	}
	nla_nest_end(m.get(), ms);
	nla_nest_end(m.get(), d);
	Top top(m.get());
	const Daemon got = nl::parse_daemon(top.tb[IPVS_FNAT_ATTR_DAEMON]);
	EXPECT_EQ(got.state, IPVS_FNAT_DAEMON_BACKUP);
	EXPECT_EQ(got.mcast_ifn, "sync0");
	EXPECT_EQ(got.syncid, 9u);
	EXPECT_EQ(got.port, 8850);
	EXPECT_EQ(got.ttl, 2);
	EXPECT_EQ(got.group, A("239.255.88.82"));
	EXPECT_TRUE(got.peers.empty());
	EXPECT_TRUE(got.key_set);
	EXPECT_FALSE(got.threshold);
	EXPECT_EQ(got.epoch, 1234567890123ull);
	EXPECT_EQ(got.stats[0], 7u);
	EXPECT_EQ(got.stats[kSyncStatCount - 3], 11u);
	EXPECT_EQ(sync_stat_name(kSyncStatCount - 3), "deleted");
	// MOVED and RESYNC_DONE come after the nest's PAD, and last in the model.
	EXPECT_EQ(got.stats[kSyncStatCount - 2], 13u);
	EXPECT_EQ(sync_stat_name(kSyncStatCount - 2), "moved");
	EXPECT_EQ(got.stats[kSyncStatCount - 1], 17u);
	EXPECT_EQ(sync_stat_name(kSyncStatCount - 1), "resync_done");
	ASSERT_TRUE(got.synced);
	EXPECT_FALSE(*got.synced);
	ASSERT_EQ(got.masters.size(), 2u);
	EXPECT_EQ(got.masters[0].syncid, 1u);
	EXPECT_EQ(got.masters[0].addr, A("203.0.113.1"));
	EXPECT_TRUE(got.masters[0].synced);
	EXPECT_EQ(got.masters[1].addr, A("2001:db8:5::2"));
	EXPECT_FALSE(got.masters[1].synced);
	EXPECT_EQ(got.masters[1].heard_ms, 250u);
	EXPECT_EQ(got.masters[1].epoch, 99u);

	Msg bad = new_msg();
	nlattr *b = nla_nest_start(bad.get(), IPVS_FNAT_ATTR_DAEMON);
	nla_put_u32(bad.get(), IPVS_FNAT_DAEMON_ATTR_STATE, IPVS_FNAT_DAEMON_MASTER);
	nla_put(bad.get(), IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, 3, "lo");
	nla_put(bad.get(), IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, 5, "\xef\x01\x01\x01\x00");
	nla_nest_end(bad.get(), b);
	Top bt(bad.get());
	EXPECT_THROW(nl::parse_daemon(bt.tb[IPVS_FNAT_ATTR_DAEMON]), TransportError);
	EXPECT_THROW(nl::parse_daemon(nullptr), TransportError);
}
