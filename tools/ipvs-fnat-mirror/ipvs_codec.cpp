#include "ipvs_codec.hpp"

#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cstring>
#include <string>

namespace mirror::ipvs {
namespace {

[[noreturn]] void malformed(const std::string &what) { throw MalformedReply("IPVS: malformed reply: " + what); }

template <typename T> T get_int(const nlattr *a, const char *what)
{
	if (nla_len(a) < static_cast<int>(sizeof(T)))
		malformed(std::string(what) + " too short");
	T v;
	std::memcpy(&v, nla_data(a), sizeof(T));
	return v;
}

const nlattr *need(const nlattr *a, const char *what)
{
	if (!a)
		malformed(std::string(what) + " missing");
	return a;
}

fnat::Address get_addr(const nlattr *a, int af, const char *what)
{
	fnat::Address out;
	out.af = af;
	if (out.size() == 0)
		malformed(std::string(what) + ": unknown family " + std::to_string(af));
	if (nla_len(a) < static_cast<int>(out.size()))
		malformed(std::string(what) + " too short");
	std::memcpy(out.bytes.data(), nla_data(a), out.size());
	return out;
}

template <std::size_t N> void parse_nested(nlattr *(&tb)[N], nlattr *nest, const char *what)
{
	if (!nest)
		malformed(std::string(what) + " missing");
	if (nla_parse_nested(tb, static_cast<int>(N - 1), nest, nullptr) < 0)
		malformed(std::string("bad nested attributes in ") + what);
}

void check_put(int rc)
{
	if (rc < 0)
		throw std::runtime_error("IPVS: cannot build the request: message too large");
}

}  // namespace

int prefix_from_mask(std::uint32_t mask_be)
{
	const std::uint32_t m = ntohl(mask_be);
	// Contiguous: the ones come first, so the inverse plus one is a power of two.
	const std::uint32_t inv = ~m;
	if ((inv & (inv + 1)) != 0)
		return -1;
	return __builtin_popcount(m);
}

void put_service_key(nl_msg *m, const IpvsService &svc)
{
	nlattr *n = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
	if (!n)
		check_put(-1);
	check_put(nla_put_u16(m, IPVS_SVC_ATTR_AF, static_cast<std::uint16_t>(svc.af)));
	if (svc.fwmark) {
		check_put(nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, svc.fwmark));
	} else {
		check_put(nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, svc.protocol));
		// As ipvsadm: the whole union nf_inet_addr, the IPv4 address in its first bytes.
		check_put(nla_put(m, IPVS_SVC_ATTR_ADDR, static_cast<int>(svc.addr.bytes.size()), svc.addr.bytes.data()));
		check_put(nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(svc.port)));
	}
	check_put(nla_nest_end(m, n));
}

IpvsService parse_service(nlattr *nest)
{
	nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	parse_nested(tb, nest, "service");
	IpvsService s;
	s.af = get_int<std::uint16_t>(need(tb[IPVS_SVC_ATTR_AF], "service family"), "service family");
	if (tb[IPVS_SVC_ATTR_FWMARK])
		s.fwmark = get_int<std::uint32_t>(tb[IPVS_SVC_ATTR_FWMARK], "service fwmark");
	if (!s.fwmark) {
		s.protocol = get_int<std::uint16_t>(need(tb[IPVS_SVC_ATTR_PROTOCOL], "service protocol"),
						    "service protocol");
		s.addr = get_addr(need(tb[IPVS_SVC_ATTR_ADDR], "service address"), s.af, "service address");
		s.port = ntohs(get_int<std::uint16_t>(need(tb[IPVS_SVC_ATTR_PORT], "service port"), "service port"));
	}
	const nlattr *sched = need(tb[IPVS_SVC_ATTR_SCHED_NAME], "service scheduler");
	const int len = nla_len(sched);
	const char *text = static_cast<const char *>(nla_data(sched));
	if (len < 1 || len > IP_VS_SCHEDNAME_MAXLEN || std::memchr(text, '\0', static_cast<std::size_t>(len)) == nullptr)
		malformed("service scheduler not a short NUL-terminated string");
	s.sched = text;
	if (tb[IPVS_SVC_ATTR_FLAGS])
		s.flags = get_int<ip_vs_flags>(tb[IPVS_SVC_ATTR_FLAGS], "service flags").flags;
	if (tb[IPVS_SVC_ATTR_TIMEOUT])
		s.timeout = get_int<std::uint32_t>(tb[IPVS_SVC_ATTR_TIMEOUT], "service timeout");
	if (tb[IPVS_SVC_ATTR_NETMASK]) {
		const std::uint32_t raw = get_int<std::uint32_t>(tb[IPVS_SVC_ATTR_NETMASK], "service netmask");
		if (s.af == AF_INET) {
			const int p = prefix_from_mask(raw);
			if (p < 0)
				malformed("service netmask not contiguous");
			s.netmask = static_cast<std::uint8_t>(p);
		} else {
			// IPv6: the kernel keeps (and sends) the prefix length itself.
			if (raw > 128)
				malformed("service IPv6 prefix length over 128");
			s.netmask = static_cast<std::uint8_t>(raw);
		}
	}
	return s;
}

IpvsDest parse_dest(nlattr *nest, int svc_af)
{
	nlattr *tb[IPVS_DEST_ATTR_MAX + 1];
	parse_nested(tb, nest, "destination");
	IpvsDest d;
	int af = svc_af;
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY])
		af = get_int<std::uint16_t>(tb[IPVS_DEST_ATTR_ADDR_FAMILY], "destination family");
	d.addr = get_addr(need(tb[IPVS_DEST_ATTR_ADDR], "destination address"), af, "destination address");
	d.port = ntohs(get_int<std::uint16_t>(need(tb[IPVS_DEST_ATTR_PORT], "destination port"), "destination port"));
	if (tb[IPVS_DEST_ATTR_FWD_METHOD])
		d.fwd_method = get_int<std::uint32_t>(tb[IPVS_DEST_ATTR_FWD_METHOD], "destination forwarding method") &
			       IP_VS_CONN_F_FWD_MASK;
	d.weight = get_int<std::uint32_t>(need(tb[IPVS_DEST_ATTR_WEIGHT], "destination weight"), "destination weight");
	if (tb[IPVS_DEST_ATTR_U_THRESH])
		d.u_thresh = get_int<std::uint32_t>(tb[IPVS_DEST_ATTR_U_THRESH], "destination upper threshold");
	if (tb[IPVS_DEST_ATTR_L_THRESH])
		d.l_thresh = get_int<std::uint32_t>(tb[IPVS_DEST_ATTR_L_THRESH], "destination lower threshold");
	return d;
}

}  // namespace mirror::ipvs
