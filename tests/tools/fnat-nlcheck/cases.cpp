#include "cases.hpp"

#include <cerrno>
#include <cstdio>
#include <functional>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>

#include "nlmsg.hpp"
#include "state.hpp"
#include "uapi/ipvs_fnat.h"

namespace nlc {

void Runner::record(const std::string &name, bool ok, const std::string &detail)
{
	++n_;
	if (ok)
		++passed_;
	else
		++failed_;
	std::printf("%-4s %3d %s%s%s\n", ok ? "ok" : "FAIL", n_, name.c_str(),
		    detail.empty() ? "" : ": ", detail.c_str());
	std::fflush(stdout);
}

namespace {

// --- vocabulary ---------------------------------------------------------------------

const SvcKey A{AF_INET, IPPROTO_TCP, "192.0.2.10", 80};		// baseline, IPv4 TCP
const SvcKey B{AF_INET6, IPPROTO_UDP, "2001:db8:10::10", 53};	// baseline, IPv6 UDP
const SvcKey FRESH{AF_INET, IPPROTO_TCP, "192.0.2.11", 80};	// never created
const SvcKey FRESH6{AF_INET6, IPPROTO_TCP, "2001:db8:10::11", 80};
const SvcKey FRESH_UDP{AF_INET, IPPROTO_UDP, "192.0.2.11", 53};	// never created
const SvcKey FRESH6_UDP{AF_INET6, IPPROTO_UDP, "2001:db8:10::11", 53};
const SvcKey MISSING{AF_INET, IPPROTO_TCP, "192.0.2.99", 80};	// never exists

constexpr uint16_t SVC = IPVS_FNAT_ATTR_SERVICE;
constexpr uint16_t DEST = IPVS_FNAT_ATTR_DEST;
constexpr uint16_t LADDR = IPVS_FNAT_ATTR_LADDR;
constexpr uint16_t CFG = IPVS_FNAT_ATTR_CONFIG;

const std::string ZERO_STATS = "conns=0 inpkts=0 outpkts=0 inbytes=0 outbytes=0 cps=0 "
			       "inpps=0 outpps=0 inbps=0 outbps=0";

Attr sched(const std::string &name) { return str(IPVS_FNAT_SVC_ATTR_SCHED_NAME, name); }

// The key of k with attribute `type` left out, or replaced by `repl`.
std::vector<Attr> key_edit(const SvcKey &k, uint16_t type, const Attr *repl = nullptr)
{
	std::vector<Attr> out;
	for (auto &a : key_attrs(k)) {
		if ((a.type & NLA_TYPE_MASK) != type)
			out.push_back(a);
		else if (repl)
			out.push_back(*repl);
	}
	return out;
}

Attr svc_with(std::vector<Attr> kids) { return nest(SVC, std::move(kids)); }

std::vector<Attr> plus(std::vector<Attr> a, std::vector<Attr> b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

Attr dest(const std::string &a, uint16_t port, std::vector<Attr> extra = {})
{
	std::vector<Attr> kids{bytes(IPVS_FNAT_DEST_ATTR_ADDR, addr(a)),
			       be16(IPVS_FNAT_DEST_ATTR_PORT, port)};
	return nest(DEST, plus(kids, extra));
}

Attr laddr(const std::string &a, std::vector<Attr> extra = {})
{
	return nest(LADDR, plus({bytes(IPVS_FNAT_LADDR_ATTR_ADDR, addr(a))}, extra));
}

Attr cfg(std::vector<Attr> kids) { return nest(CFG, std::move(kids)); }

void must(Socket &s, const Request &rq, const std::string &what)
{
	Reply r = s.call(rq);
	if (r.error)
		throw std::runtime_error(what + ": " + errno_name(r.error) + " " + r.extack);
}

void set_default_config(Socket &s)
{
	must(s,
	     req(IPVS_FNAT_CMD_SET_CONFIG,
		 {cfg({u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, 900),
		       u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN, 120),
		       u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, 300),
		       u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN, 60),
		       u32(IPVS_FNAT_CFG_ATTR_CONN_MAX, 0), u16(IPVS_FNAT_CFG_ATTR_PORT_MIN, 1024),
		       u16(IPVS_FNAT_CFG_ATTR_PORT_MAX, 65535), u8(IPVS_FNAT_CFG_ATTR_TOA, 1),
		       u8(IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS, 0),
		       u8(IPVS_FNAT_CFG_ATTR_EXPIRE_RST, 1), u32(IPVS_FNAT_CFG_ATTR_DC_FAILS, 3),
		       u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, 5),
		       u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, 3600)})}),
	     "SET_CONFIG defaults");
}

struct ErrCase {
	std::string name;
	Request rq;
	int expect;
};

Request R(uint8_t cmd, std::vector<Attr> attrs) { return req(cmd, std::move(attrs)); }
Request D(uint8_t cmd, std::vector<Attr> attrs) { return req(cmd, std::move(attrs), true); }

std::vector<ErrCase> error_table()
{
	const uint8_t NEWS = IPVS_FNAT_CMD_NEW_SERVICE, SETS = IPVS_FNAT_CMD_SET_SERVICE,
		      DELS = IPVS_FNAT_CMD_DEL_SERVICE, GETS = IPVS_FNAT_CMD_GET_SERVICE,
		      NEWD = IPVS_FNAT_CMD_NEW_DEST, SETD = IPVS_FNAT_CMD_SET_DEST,
		      DELD = IPVS_FNAT_CMD_DEL_DEST, GETD = IPVS_FNAT_CMD_GET_DEST,
		      NEWL = IPVS_FNAT_CMD_NEW_LADDR, DELL = IPVS_FNAT_CMD_DEL_LADDR,
		      GETL = IPVS_FNAT_CMD_GET_LADDR, SETC = IPVS_FNAT_CMD_SET_CONFIG,
		      GETC = IPVS_FNAT_CMD_GET_CONFIG, INFO = IPVS_FNAT_CMD_GET_INFO,
		      ZERO = IPVS_FNAT_CMD_ZERO, FLUSH = IPVS_FNAT_CMD_FLUSH,
		      CONN = IPVS_FNAT_CMD_GET_CONN;
	const Attr a5 = bytes(IPVS_FNAT_SVC_ATTR_ADDR, {192, 0, 2, 11, 0});
	const Attr a16 = bytes(IPVS_FNAT_SVC_ATTR_ADDR, addr("2001:db8::1"));
	const Attr a4 = bytes(IPVS_FNAT_SVC_ATTR_ADDR, addr("192.0.2.11"));
	const Attr af7 = u16(IPVS_FNAT_SVC_ATTR_AF, 7);
	const Attr sctp = u8(IPVS_FNAT_SVC_ATTR_PROTOCOL, IPPROTO_SCTP);
	const Attr port0 = be16(IPVS_FNAT_SVC_ATTR_PORT, 0);
	const Attr af32 = u32(IPVS_FNAT_SVC_ATTR_AF, AF_INET);
	const Attr port32 = u32(IPVS_FNAT_SVC_ATTR_PORT, 80);
	const Attr af_nested = with_flags(u16(IPVS_FNAT_SVC_ATTR_AF, AF_INET), NLA_F_NESTED);
	const Attr rr = sched("rr");
	auto fresh = [&](std::vector<Attr> extra) { return svc_nest(FRESH, std::move(extra)); };
	auto fresh_edit = [&](uint16_t type, const Attr *repl) {
		return svc_with(plus(key_edit(FRESH, type, repl), {rr}));
	};
	Request trailing = R(NEWS, {fresh({rr})});
	trailing.trailer = {1, 2, 3};
	Request reserved = R(NEWS, {fresh({rr})});
	reserved.reserved = 1;
	Attr over_long = key_attrs(FRESH)[0];
	over_long.raw_len = 64;	// claims more bytes than its nest holds
	const Attr d_v6 = dest("2001:db8:5::11", 80, {u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, AF_INET6)});

	return {
		// NEW_SERVICE
		{"NEW_SERVICE with no attributes", R(NEWS, {}), EINVAL},
		{"NEW_SERVICE without AF", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_AF, nullptr)}), EINVAL},
		{"NEW_SERVICE without PROTOCOL", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_PROTOCOL, nullptr)}), EINVAL},
		{"NEW_SERVICE without ADDR", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_ADDR, nullptr)}), EINVAL},
		{"NEW_SERVICE without PORT", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_PORT, nullptr)}), EINVAL},
		{"NEW_SERVICE without SCHED_NAME", R(NEWS, {fresh({})}), EINVAL},
		{"NEW_SERVICE address of 5 bytes", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_ADDR, &a5)}), EINVAL},
		{"NEW_SERVICE AF_INET with a 16-byte address", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_ADDR, &a16)}), EINVAL},
		{"NEW_SERVICE AF_INET6 with a 4-byte address",
		 R(NEWS, {svc_with(plus(key_edit(FRESH6, IPVS_FNAT_SVC_ATTR_ADDR, &a4), {rr}))}), EINVAL},
		{"NEW_SERVICE AF 7", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_AF, &af7)}), EINVAL},
		{"NEW_SERVICE protocol SCTP", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_PROTOCOL, &sctp)}), EINVAL},
		{"NEW_SERVICE port 0", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_PORT, &port0)}), EINVAL},
		{"NEW_SERVICE unknown scheduler", R(NEWS, {fresh({sched("nope")})}), ENOENT},
		{"NEW_SERVICE scheduler name of 16 characters", R(NEWS, {fresh({sched("rrrrrrrrrrrrrrrr")})}), EINVAL},
		{"NEW_SERVICE scheduler name without NUL",
		 R(NEWS, {fresh({bytes(IPVS_FNAT_SVC_ATTR_SCHED_NAME, {'r', 'r'})})}), EINVAL},
		{"NEW_SERVICE flags outside the mask",
		 R(NEWS, {fresh({rr, u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_ALL + 1)})}), EINVAL},
		{"NEW_SERVICE SYNPROXY on a UDP service",
		 R(NEWS, {svc_nest(FRESH_UDP, {rr, u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_SYNPROXY)})}), EINVAL},
		{"NEW_SERVICE SYNPROXY and PERSISTENT on an IPv6 UDP service",
		 R(NEWS, {svc_nest(FRESH6_UDP, {rr, u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_ALL),
						u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, 60)})}),
		 EINVAL},
		{"NEW_SERVICE persistence timeout 0", R(NEWS, {fresh({rr, u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, 0)})}), EINVAL},
		{"NEW_SERVICE persistence timeout above one year",
		 R(NEWS, {fresh({rr, u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, IPVS_FNAT_TIMEOUT_MAX + 1)})}), EINVAL},
		{"NEW_SERVICE IPv4 netmask 33", R(NEWS, {fresh({rr, u8(IPVS_FNAT_SVC_ATTR_NETMASK, 33)})}), EINVAL},
		{"NEW_SERVICE netmask 0", R(NEWS, {fresh({rr, u8(IPVS_FNAT_SVC_ATTR_NETMASK, 0)})}), EINVAL},
		{"NEW_SERVICE IPv6 netmask 129",
		 R(NEWS, {svc_nest(FRESH6, {rr, u8(IPVS_FNAT_SVC_ATTR_NETMASK, 129)})}), EINVAL},
		{"NEW_SERVICE unknown top-level attribute",
		 R(NEWS, {fresh({rr}), u32(IPVS_FNAT_ATTR_MAX + 1, 0)}), EINVAL},
		{"NEW_SERVICE unknown service attribute", R(NEWS, {fresh({rr, u32(IPVS_FNAT_SVC_ATTR_MAX + 1, 0)})}), EINVAL},
		{"NEW_SERVICE reply-only NUM_DESTS", R(NEWS, {fresh({rr, u32(IPVS_FNAT_SVC_ATTR_NUM_DESTS, 0)})}), EINVAL},
		{"NEW_SERVICE reply-only SYNPROXY_STATS",
		 R(NEWS, {fresh({rr, nest(IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS, {u64(IPVS_FNAT_SP_STATS_ATTR_SYN, 0)})})}),
		 EINVAL},
		{"NEW_SERVICE with a DEST nest", R(NEWS, {fresh({rr}), dest("203.0.113.11", 80)}), EINVAL},
		{"NEW_SERVICE AF as u32", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_AF, &af32)}), EINVAL},
		{"NEW_SERVICE PORT as u32", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_PORT, &port32)}), EINVAL},
		{"NEW_SERVICE FLAGS as u16", R(NEWS, {fresh({rr, u16(IPVS_FNAT_SVC_ATTR_FLAGS, 0)})}), EINVAL},
		{"NEW_SERVICE nest without NLA_F_NESTED",
		 R(NEWS, {nest_noflag(SVC, plus(key_attrs(FRESH), {rr}))}), EINVAL},
		{"NEW_SERVICE AF flagged NLA_F_NESTED", R(NEWS, {fresh_edit(IPVS_FNAT_SVC_ATTR_AF, &af_nested)}), EINVAL},
		{"NEW_SERVICE inner attribute longer than its nest",
		 R(NEWS, {svc_with({over_long})}), EINVAL},
		{"NEW_SERVICE trailing bytes after the attributes", trailing, EINVAL},
		{"NEW_SERVICE reserved genl header field set", reserved, EINVAL},
		{"NEW_SERVICE duplicate IPv4 service", R(NEWS, {svc_nest(A, {rr})}), EEXIST},
		{"NEW_SERVICE OWNER 65536", R(NEWS, {fresh({rr, u32(IPVS_FNAT_SVC_ATTR_OWNER, 65536)})}), EINVAL},
		{"NEW_SERVICE OWNER as u16", R(NEWS, {fresh({rr, u16(IPVS_FNAT_SVC_ATTR_OWNER, 1)})}), EINVAL},
		{"NEW_SERVICE DEST_CHECK with a flag outside the mask",
		 R(NEWS, {fresh({rr, u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_DEST_CHECK | 0x100)})}), EINVAL},
		{"NEW_SERVICE duplicate IPv6 service", R(NEWS, {svc_nest(B, {sched("wlc")})}), EEXIST},

		// SET_SERVICE
		{"SET_SERVICE no such service", R(SETS, {svc_nest(MISSING, {rr})}), ESRCH},
		{"SET_SERVICE unknown scheduler", R(SETS, {svc_nest(A, {sched("nope")})}), ENOENT},
		{"SET_SERVICE flags outside the mask", R(SETS, {svc_nest(A, {u32(IPVS_FNAT_SVC_ATTR_FLAGS, 0x8000)})}), EINVAL},
		{"SET_SERVICE SYNPROXY on the UDP service, with a scheduler and a timeout (none applied)",
		 R(SETS, {svc_nest(B, {sched("rr"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_ALL),
				       u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, 600), u8(IPVS_FNAT_SVC_ATTR_NETMASK, 48)})}),
		 EINVAL},
		{"SET_SERVICE SYNPROXY alone on the UDP service",
		 R(SETS, {svc_nest(B, {u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_SYNPROXY)})}), EINVAL},
		{"SET_SERVICE key without PORT", R(SETS, {svc_with(plus(key_edit(A, IPVS_FNAT_SVC_ATTR_PORT), {rr}))}), EINVAL},
		{"SET_SERVICE IPv4 netmask 40", R(SETS, {svc_nest(A, {u8(IPVS_FNAT_SVC_ATTR_NETMASK, 40)})}), EINVAL},
		{"SET_SERVICE with no attributes", R(SETS, {}), EINVAL},
		{"SET_SERVICE another OWNER (hand-made service to the mirror's)",
		 R(SETS, {svc_nest(A, {rr, u32(IPVS_FNAT_SVC_ATTR_OWNER, IPVS_FNAT_OWNER_MIRROR)})}), EINVAL},

		// DEL_SERVICE, GET_SERVICE
		{"DEL_SERVICE no such service", R(DELS, {svc_nest(MISSING)}), ESRCH},
		{"DEL_SERVICE with SCHED_NAME in the key", R(DELS, {svc_nest(A, {rr})}), EINVAL},
		{"DEL_SERVICE with no attributes", R(DELS, {}), EINVAL},
		{"DEL_SERVICE with OWNER in the key", R(DELS, {svc_nest(A, {u32(IPVS_FNAT_SVC_ATTR_OWNER, 0)})}), EINVAL},
		{"DEL_SERVICE AF_INET6 key with a 4-byte address",
		 R(DELS, {svc_with(key_edit(FRESH6, IPVS_FNAT_SVC_ATTR_ADDR, &a4))}), EINVAL},
		{"GET_SERVICE no such service", R(GETS, {svc_nest(MISSING)}), ESRCH},
		{"GET_SERVICE without a key (not a dump)", R(GETS, {}), EINVAL},
		{"GET_SERVICE dump of a missing service", D(GETS, {svc_nest(MISSING)}), ESRCH},
		{"GET_SERVICE dump with an unknown attribute", D(GETS, {u32(IPVS_FNAT_ATTR_MAX + 1, 1)}), EINVAL},

		// NEW_DEST
		{"NEW_DEST no such service", R(NEWD, {svc_nest(MISSING), dest("203.0.113.13", 80)}), ESRCH},
		{"NEW_DEST without DEST", R(NEWD, {svc_nest(A)}), EINVAL},
		{"NEW_DEST without ADDR", R(NEWD, {svc_nest(A), nest(DEST, {be16(IPVS_FNAT_DEST_ATTR_PORT, 80)})}), EINVAL},
		{"NEW_DEST without PORT",
		 R(NEWD, {svc_nest(A), nest(DEST, {bytes(IPVS_FNAT_DEST_ATTR_ADDR, addr("203.0.113.13"))})}), EINVAL},
		{"NEW_DEST weight 65536",
		 R(NEWD, {svc_nest(A), dest("203.0.113.13", 80, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 65536)})}), EINVAL},
		{"NEW_DEST IPv6 destination on an IPv4 service", R(NEWD, {svc_nest(A), d_v6}), EAFNOSUPPORT},
		{"NEW_DEST IPv4 destination on an IPv6 service",
		 R(NEWD, {svc_nest(B), dest("203.0.113.13", 53, {u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, AF_INET)})}),
		 EAFNOSUPPORT},
		{"NEW_DEST 16-byte address on an IPv4 service, no family",
		 R(NEWD, {svc_nest(A), dest("2001:db8:5::11", 80)}), EINVAL},
		{"NEW_DEST AF_INET family with a 16-byte address",
		 R(NEWD, {svc_nest(A), dest("2001:db8:5::11", 80, {u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, AF_INET)})}),
		 EINVAL},
		{"NEW_DEST address family 7",
		 R(NEWD, {svc_nest(A), dest("203.0.113.13", 80, {u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, 7)})}), EINVAL},
		{"NEW_DEST duplicate", R(NEWD, {svc_nest(A), dest("203.0.113.11", 80)}), EEXIST},
		{"NEW_DEST duplicate through port 0 (= the service's)",
		 R(NEWD, {svc_nest(A), dest("203.0.113.11", 0)}), EEXIST},
		{"NEW_DEST lower threshold above upper",
		 R(NEWD, {svc_nest(A), dest("203.0.113.13", 80, {u32(IPVS_FNAT_DEST_ATTR_U_THRESH, 10),
							     u32(IPVS_FNAT_DEST_ATTR_L_THRESH, 11)})}),
		 EINVAL},
		{"NEW_DEST reply-only ACTIVE_CONNS",
		 R(NEWD, {svc_nest(A), dest("203.0.113.13", 80, {u32(IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS, 1)})}), EINVAL},
		{"NEW_DEST reply-only CHECK_STATE",
		 R(NEWD, {svc_nest(A), dest("203.0.113.13", 80, {u8(IPVS_FNAT_DEST_ATTR_CHECK_STATE, 0)})}), EINVAL},
		{"SET_DEST reply-only INHIBITS",
		 R(SETD, {svc_nest(A), dest("203.0.113.11", 80, {u64(IPVS_FNAT_DEST_ATTR_INHIBITS, 0)})}), EINVAL},
		{"NEW_DEST unknown destination attribute",
		 R(NEWD, {svc_nest(A), dest("203.0.113.13", 80, {u32(IPVS_FNAT_DEST_ATTR_MAX + 1, 1)})}), EINVAL},
		{"NEW_DEST WEIGHT as u16",
		 R(NEWD, {svc_nest(A), dest("203.0.113.13", 80, {u16(IPVS_FNAT_DEST_ATTR_WEIGHT, 1)})}), EINVAL},
		{"NEW_DEST nest without NLA_F_NESTED",
		 R(NEWD, {svc_nest(A), nest_noflag(DEST, {bytes(IPVS_FNAT_DEST_ATTR_ADDR, addr("203.0.113.13")),
							  be16(IPVS_FNAT_DEST_ATTR_PORT, 80)})}),
		 EINVAL},
		{"NEW_DEST with a LADDR nest", R(NEWD, {svc_nest(A), dest("203.0.113.13", 80), laddr("203.0.113.101")}),
		 EINVAL},

		// SET_DEST, DEL_DEST, GET_DEST
		{"SET_DEST no such destination",
		 R(SETD, {svc_nest(A), dest("203.0.113.13", 80, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 3)})}), ENOENT},
		{"SET_DEST no such service",
		 R(SETD, {svc_nest(MISSING), dest("203.0.113.11", 80, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 3)})}), ESRCH},
		{"SET_DEST weight 65536",
		 R(SETD, {svc_nest(A), dest("203.0.113.11", 80, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 65536)})}), EINVAL},
		{"SET_DEST lower threshold above the upper one already set",
		 R(SETD, {svc_nest(A), dest("203.0.113.12", 8080, {u32(IPVS_FNAT_DEST_ATTR_L_THRESH, 200)})}), EINVAL},
		{"SET_DEST IPv6 family on an IPv4 service", R(SETD, {svc_nest(A), d_v6}), EAFNOSUPPORT},
		{"DEL_DEST no such destination", R(DELD, {svc_nest(A), dest("203.0.113.11", 81)}), ENOENT},
		{"DEL_DEST no such service", R(DELD, {svc_nest(MISSING), dest("203.0.113.11", 80)}), ESRCH},
		{"DEL_DEST with WEIGHT",
		 R(DELD, {svc_nest(A), dest("203.0.113.11", 80, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 1)})}), EINVAL},
		{"DEL_DEST without DEST", R(DELD, {svc_nest(A)}), EINVAL},
		{"GET_DEST dump of a missing service", D(GETD, {svc_nest(MISSING)}), ESRCH},
		{"GET_DEST dump without a key", D(GETD, {}), EINVAL},
		{"GET_DEST not as a dump", R(GETD, {svc_nest(A)}), EOPNOTSUPP},

		// NEW_LADDR, DEL_LADDR, GET_LADDR
		{"NEW_LADDR no such service", R(NEWL, {svc_nest(MISSING), laddr("203.0.113.101")}), ESRCH},
		{"NEW_LADDR IPv6 address on an IPv4 service",
		 R(NEWL, {svc_nest(A), laddr("2001:db8:5::101", {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET6)})}),
		 EAFNOSUPPORT},
		{"NEW_LADDR duplicate", R(NEWL, {svc_nest(A), laddr("203.0.113.100")}), EEXIST},
		{"NEW_LADDR without LADDR", R(NEWL, {svc_nest(A)}), EINVAL},
		{"NEW_LADDR without ADDR", R(NEWL, {svc_nest(A), nest(LADDR, {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET)})}),
		 EINVAL},
		{"NEW_LADDR 16-byte address on an IPv4 service, no family",
		 R(NEWL, {svc_nest(A), laddr("2001:db8:5::101")}), EINVAL},
		{"NEW_LADDR AF_INET with a 16-byte address",
		 R(NEWL, {svc_nest(A), laddr("2001:db8:5::101", {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET)})}), EINVAL},
		{"NEW_LADDR reply-only CONNS",
		 R(NEWL, {svc_nest(A), laddr("203.0.113.101", {u32(IPVS_FNAT_LADDR_ATTR_CONNS, 0)})}), EINVAL},
		{"NEW_LADDR FLAGS with an unknown bit",
		 R(NEWL, {svc_nest(A), laddr("203.0.113.101", {u32(IPVS_FNAT_LADDR_ATTR_FLAGS, 0x2)})}), EINVAL},
		{"DEL_LADDR with FLAGS (an address is deleted by its address alone)",
		 R(DELL, {svc_nest(A), laddr("203.0.113.100", {u32(IPVS_FNAT_LADDR_ATTR_FLAGS, IPVS_FNAT_LADDR_F_PEER)})}),
		 EINVAL},
		{"DEL_LADDR not in the pool", R(DELL, {svc_nest(A), laddr("203.0.113.101")}), ENOENT},
		{"DEL_LADDR no such service", R(DELL, {svc_nest(MISSING), laddr("203.0.113.100")}), ESRCH},
		{"DEL_LADDR IPv4 family on an IPv6 service",
		 R(DELL, {svc_nest(B), laddr("203.0.113.100", {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET)})}), EAFNOSUPPORT},
		{"GET_LADDR dump of a missing service", D(GETL, {svc_nest(MISSING)}), ESRCH},
		{"NEW_LADDR default pool: address of 5 bytes",
		 R(NEWL, {nest(LADDR, {bytes(IPVS_FNAT_LADDR_ATTR_ADDR, {203, 0, 113, 1, 0})})}), EINVAL},
		{"NEW_LADDR default pool: AF_INET with a 16-byte address",
		 R(NEWL, {laddr("2001:db8:5::101", {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET)})}), EINVAL},
		{"NEW_LADDR default pool: AF 7", R(NEWL, {laddr("203.0.113.1", {u16(IPVS_FNAT_LADDR_ATTR_AF, 7)})}), EINVAL},
		{"NEW_LADDR default pool: without LADDR", R(NEWL, {}), EINVAL},
		{"DEL_LADDR default pool: not in it", R(DELL, {laddr("203.0.113.100")}), ENOENT},

		// SET_CONFIG, GET_CONFIG, GET_INFO
		{"SET_CONFIG PORT_MIN above PORT_MAX",
		 R(SETC, {cfg({u16(IPVS_FNAT_CFG_ATTR_PORT_MIN, 3000), u16(IPVS_FNAT_CFG_ATTR_PORT_MAX, 2000)})}), EINVAL},
		{"SET_CONFIG PORT_MAX below the current PORT_MIN",
		 R(SETC, {cfg({u16(IPVS_FNAT_CFG_ATTR_PORT_MAX, 1000)})}), EINVAL},
		{"SET_CONFIG TCP timeout above one year",
		 R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, IPVS_FNAT_TIMEOUT_MAX + 1)})}), EINVAL},
		{"SET_CONFIG TOA 2", R(SETC, {cfg({u8(IPVS_FNAT_CFG_ATTR_TOA, 2)})}), EINVAL},
		{"SET_CONFIG PORT_MIN 0", R(SETC, {cfg({u16(IPVS_FNAT_CFG_ATTR_PORT_MIN, 0)})}), EINVAL},
		{"SET_CONFIG without CONFIG", R(SETC, {}), EINVAL},
		{"SET_CONFIG unknown config attribute", R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_MAX + 1, 1)})}), EINVAL},
		{"SET_CONFIG TIMEOUT_TCP as u16", R(SETC, {cfg({u16(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, 10)})}), EINVAL},
		{"SET_CONFIG a valid and an invalid value together",
		 R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, 1000), u8(IPVS_FNAT_CFG_ATTR_EXPIRE_RST, 5)})}), EINVAL},
		{"SET_CONFIG a SERVICE nest", R(SETC, {svc_nest(A)}), EINVAL},
		{"SET_CONFIG DC_FAILS 0", R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_DC_FAILS, 0)})}), EINVAL},
		{"SET_CONFIG DC_FAILS 1001", R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_DC_FAILS, 1001)})}), EINVAL},
		{"SET_CONFIG DC_INHIBIT_MAX 86401",
		 R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, 86401)})}), EINVAL},
		{"SET_CONFIG DC_INHIBIT_MIN above the current MAX",
		 R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, 3601)})}), EINVAL},
		{"SET_CONFIG DC_INHIBIT_MIN above MAX, both given",
		 R(SETC, {cfg({u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, 60), u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, 30)})}),
		 EINVAL},
		{"GET_CONFIG with an attribute", R(GETC, {cfg({})}), EINVAL},
		{"GET_INFO with an attribute", R(INFO, {svc_nest(A)}), EINVAL},

		// ZERO, FLUSH, GET_CONN, commands
		{"ZERO no such service", R(ZERO, {svc_nest(MISSING)}), ESRCH},
		{"ZERO key with port 0", R(ZERO, {svc_with(key_edit(A, IPVS_FNAT_SVC_ATTR_PORT, &port0))}), EINVAL},
		{"FLUSH with an attribute (nothing flushed)", R(FLUSH, {svc_nest(A)}), EINVAL},
		{"GET_CONN dump with an attribute", D(CONN, {svc_nest(A)}), EINVAL},
		{"unknown command 200", R(200, {}), EOPNOTSUPP},
		{"command 0 (UNSPEC)", R(0, {}), EOPNOTSUPP},
		{"NEW_SERVICE as a dump", D(NEWS, {fresh({rr})}), EOPNOTSUPP},
	};
}

} // namespace

void setup_baseline(Socket &s)
{
	must(s, req(IPVS_FNAT_CMD_FLUSH), "FLUSH");
	set_default_config(s);
	must(s, req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(A, {sched("rr")})}), "NEW_SERVICE A");
	must(s,
	     req(IPVS_FNAT_CMD_NEW_SERVICE,
		 {svc_nest(B, {sched("sh"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_PERSISTENT),
			       u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, 120), u8(IPVS_FNAT_SVC_ATTR_NETMASK, 64)})}),
	     "NEW_SERVICE B");
	must(s, req(IPVS_FNAT_CMD_NEW_DEST, {svc_nest(A), dest("203.0.113.11", 0)}), "NEW_DEST A 1");
	must(s,
	     req(IPVS_FNAT_CMD_NEW_DEST,
		 {svc_nest(A), dest("203.0.113.12", 8080, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 2),
							  u32(IPVS_FNAT_DEST_ATTR_U_THRESH, 100),
							  u32(IPVS_FNAT_DEST_ATTR_L_THRESH, 10)})}),
	     "NEW_DEST A 2");
	must(s, req(IPVS_FNAT_CMD_NEW_DEST, {svc_nest(B), dest("2001:db8:5::11", 53)}), "NEW_DEST B");
	must(s, req(IPVS_FNAT_CMD_NEW_LADDR, {svc_nest(A), laddr("203.0.113.100")}), "NEW_LADDR A");
	must(s, req(IPVS_FNAT_CMD_NEW_LADDR, {svc_nest(B), laddr("2001:db8:5::100")}), "NEW_LADDR B");
}

// The baseline plus an IPv4 service persistent per /24 (the listing's dotted mask).
void add_sample(Socket &s)
{
	setup_baseline(s);
	const SvcKey P{AF_INET, IPPROTO_TCP, "192.0.2.10", 443};
	must(s,
	     req(IPVS_FNAT_CMD_NEW_SERVICE,
		 {svc_nest(P, {sched("wrr"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_PERSISTENT),
			       u8(IPVS_FNAT_SVC_ATTR_NETMASK, 24)})}),
	     "NEW_SERVICE P");
	must(s,
	     req(IPVS_FNAT_CMD_NEW_DEST,
		 {svc_nest(P), dest("203.0.113.12", 443, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 65535),
							 u32(IPVS_FNAT_DEST_ATTR_U_THRESH, 1000)})}),
	     "NEW_DEST P");
}

void run_error_cases(Runner &r)
{
	Socket &s = r.sock();
	setup_baseline(s);
	const std::string before = snapshot(s);
	for (const auto &c : error_table()) {
		Reply rep = s.call(c.rq);
		std::string detail = "expected " + errno_name(c.expect) + ", got " + errno_name(rep.error);
		bool ok = rep.error == c.expect;
		if (!rep.extack.empty())
			detail += " (" + rep.extack + ")";
		/* 6.1's genetlink gives a dump's .start no extack: refusals there come bare */
		if (ok && c.expect == EINVAL && rep.extack.empty() && !c.rq.dump) {
			ok = false;
			detail += "; EINVAL without an extack message";
		}
		std::string after;
		try {
			after = snapshot(s);
		} catch (const std::exception &e) {
			after = std::string("snapshot failed: ") + e.what();
		}
		if (after != before) {
			ok = false;
			detail += "; THE STATE CHANGED:\n--- before\n" + before + "--- after\n" + after;
			setup_baseline(s);
		}
		r.record(c.name, ok, detail);
	}
}


// --- positive round trips ------------------------------------------------------------

namespace {

// GET one service: its decoded line, or "" with the errno in err.
std::string get_service(Socket &s, const SvcKey &k, int &err)
{
	Reply r = s.call(req(IPVS_FNAT_CMD_GET_SERVICE, {svc_nest(k)}));
	err = r.error;
	if (r.error || r.msgs.size() != 1)
		return "";
	return service_line(r.msgs[0].nested(SVC));
}

std::string get_service(Socket &s, const SvcKey &k)
{
	int err;
	std::string line = get_service(s, k, err);
	return err ? "error " + errno_name(err) : line;
}

std::string join(const std::vector<std::string> &v)
{
	std::string out;
	for (const auto &l : v)
		out += l + "\n";
	return out;
}

std::string get_dests(Socket &s, const SvcKey &k)
{
	Reply r = s.call(req(IPVS_FNAT_CMD_GET_DEST, {svc_nest(k)}, true));
	if (r.error)
		return "error " + errno_name(r.error);
	std::vector<std::string> v;
	for (const auto &m : r.msgs)
		v.push_back(dest_line(m.nested(DEST)));
	return join(v);
}

std::string get_laddrs(Socket &s, const SvcKey *k)
{
	Reply r = s.call(req(IPVS_FNAT_CMD_GET_LADDR,
			     k ? std::vector<Attr>{svc_nest(*k)} : std::vector<Attr>{}, true));
	if (r.error)
		return "error " + errno_name(r.error);
	std::vector<std::string> v;
	for (const auto &m : r.msgs)
		v.push_back(laddr_owner_line(m) + " " + laddr_line(m.nested(LADDR)));
	return join(v);
}

std::string get_config(Socket &s)
{
	std::string snap = snapshot(s);
	return snap.substr(0, snap.find('\n'));
}

AttrSet get_info(Socket &s)
{
	Reply r = s.call(req(IPVS_FNAT_CMD_GET_INFO));
	if (r.error || r.msgs.size() != 1)
		throw std::runtime_error("GET_INFO failed: " + errno_name(r.error));
	return r.msgs[0].nested(IPVS_FNAT_ATTR_INFO);
}

void expect_errno(Runner &r, const std::string &name, const Request &rq, int expect)
{
	Reply rep = r.sock().call(rq);
	r.record(name, rep.error == expect,
		 "expected " + errno_name(expect) + ", got " + errno_name(rep.error) +
			 (rep.extack.empty() ? "" : " (" + rep.extack + ")"));
}

void expect_eq(Runner &r, const std::string &name, const std::string &expected,
	       const std::string &actual)
{
	r.record(name, expected == actual,
		 expected == actual ? "" : "\n  expected: " + expected + "\n  actual:   " + actual);
}

const std::string DEFAULT_CONFIG = "config tcp=900 tcpfin=120 udp=300 syn=60 conn_max=0 "
				   "ports=1024-65535 toa=1 keep_ts=0 expire_rst=1 dc=3/5-3600";

} // namespace

void check_defaults(Runner &r)
{
	expect_eq(r, "GET_CONFIG shows the documented defaults", DEFAULT_CONFIG, get_config(r.sock()));
}

void run_positive_cases(Runner &r)
{
	Socket &s = r.sock();
	setup_baseline(s);
	const SvcKey C{AF_INET, IPPROTO_TCP, "198.51.100.50", 443};
	const std::string c_key = "af=2 proto=6 198.51.100.50 port=443";

	// GET_INFO
	AttrSet info = get_info(s);
	uint32_t ver = info.get_u32(IPVS_FNAT_INFO_ATTR_VERSION);
	std::string ver_str = std::to_string(ver >> 16) + "." + std::to_string((ver >> 8) & 0xff) + "." +
			      std::to_string(ver & 0xff);
	std::string modver;
	if (FILE *f = std::fopen("/sys/module/ipvs_fnat/version", "r")) {
		char buf[64] = "";
		if (std::fgets(buf, sizeof(buf), f))
			modver = std::string(buf).substr(0, std::string(buf).find('\n'));
		std::fclose(f);
	}
	expect_eq(r, "GET_INFO VERSION is the module's version", modver, ver_str);
	expect_eq(r, "GET_INFO CONN_TAB_SIZE is 2^conn_tab_bits (default 20)", "1048576",
		  std::to_string(info.get_u32(IPVS_FNAT_INFO_ATTR_CONN_TAB_SIZE)));
	expect_eq(r, "GET_INFO CONN_COUNT 0, SERVICE_COUNT 2", "0 2",
		  std::to_string(info.get_u32(IPVS_FNAT_INFO_ATTR_CONN_COUNT)) + " " +
			  std::to_string(info.get_u32(IPVS_FNAT_INFO_ATTR_SERVICE_COUNT)));

	// Services
	expect_eq(r, "baseline IPv6 service as created",
		  "af=10 proto=17 2001:db8:10::10 port=53 sched=sh flags=1 timeout=120 netmask=64 dests=1 laddrs=1 " +
			  ZERO_STATS,
		  get_service(s, B));
	expect_eq(r, "baseline IPv4 service has the defaults (timeout 300, netmask 32)",
		  "af=2 proto=6 192.0.2.10 port=80 sched=rr flags=0 timeout=300 netmask=32 dests=2 laddrs=1 " +
			  ZERO_STATS,
		  get_service(s, A));
	expect_errno(r, "NEW_SERVICE wlc persistent 600 /24",
		     req(IPVS_FNAT_CMD_NEW_SERVICE,
			 {svc_nest(C, {sched("wlc"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_PERSISTENT),
				       u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, 600), u8(IPVS_FNAT_SVC_ATTR_NETMASK, 24)})}),
		     0);
	expect_eq(r, "GET_SERVICE returns it",
		  c_key + " sched=wlc flags=1 timeout=600 netmask=24 dests=0 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));
	expect_errno(r, "SET_SERVICE scheduler only", req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(C, {sched("mh")})}), 0);
	expect_eq(r, "SET_SERVICE kept what it was not given",
		  c_key + " sched=mh flags=1 timeout=600 netmask=24 dests=0 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));
	expect_errno(r, "SET_SERVICE flags 0", req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(C, {u32(IPVS_FNAT_SVC_ATTR_FLAGS, 0)})}),
		     0);
	expect_errno(r, "SET_SERVICE the same scheduler again",
		     req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(C, {sched("mh")})}), 0);
	expect_eq(r, "SET_SERVICE flags 0 kept timeout and netmask",
		  c_key + " sched=mh flags=0 timeout=600 netmask=24 dests=0 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));

	// The SYN proxy flag: FLAGS replaces the whole word, TCP only.
	expect_errno(r, "SET_SERVICE flags SYNPROXY",
		     req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(C, {u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_SYNPROXY)})}),
		     0);
	expect_eq(r, "SET_SERVICE SYNPROXY: flags 2, timeout and netmask kept",
		  c_key + " sched=mh flags=2 timeout=600 netmask=24 dests=0 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));
	expect_errno(r, "SET_SERVICE scheduler only, with SYNPROXY on",
		     req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(C, {sched("wrr")})}), 0);
	expect_errno(r, "SET_SERVICE flags PERSISTENT|SYNPROXY",
		     req(IPVS_FNAT_CMD_SET_SERVICE,
			 {svc_nest(C, {u32(IPVS_FNAT_SVC_ATTR_FLAGS,
					   IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_SYNPROXY)})}),
		     0);
	expect_eq(r, "SET_SERVICE without FLAGS kept SYNPROXY",
		  c_key + " sched=wrr flags=3 timeout=600 netmask=24 dests=0 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));
	expect_errno(r, "SET_SERVICE flags PERSISTENT (clears SYNPROXY)",
		     req(IPVS_FNAT_CMD_SET_SERVICE,
			 {svc_nest(C, {sched("mh"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_PERSISTENT)})}),
		     0);
	expect_eq(r, "SET_SERVICE FLAGS replaced the whole word",
		  c_key + " sched=mh flags=1 timeout=600 netmask=24 dests=0 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));
	expect_errno(r, "SET_SERVICE flags 0 again",
		     req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(C, {u32(IPVS_FNAT_SVC_ATTR_FLAGS, 0)})}), 0);
	{
		const std::string b_before = get_service(s, B);
		Reply rep = s.call(req(IPVS_FNAT_CMD_SET_SERVICE,
				       {svc_nest(B, {sched("rr"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_ALL),
						     u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, 600)})}));
		const std::string want = "the SYN proxy is for TCP services only";
		r.record("SET_SERVICE SYNPROXY on UDP: EINVAL, the message, the FLAGS attribute",
			 rep.error == EINVAL && rep.extack == want && rep.bad_attr,
			 errno_name(rep.error) + " (" + rep.extack + ")" + (rep.bad_attr ? "" : ", no bad attribute"));
		expect_eq(r, "SET_SERVICE SYNPROXY on UDP changed nothing of the service", b_before, get_service(s, B));
	}
	{
		const SvcKey SP6{AF_INET6, IPPROTO_TCP, "2001:db8:10::30", 443};
		expect_errno(r, "NEW_SERVICE IPv6 TCP with SYNPROXY",
			     req(IPVS_FNAT_CMD_NEW_SERVICE,
				 {svc_nest(SP6, {sched("rr"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_SYNPROXY)})}),
			     0);
		expect_eq(r, "GET_SERVICE: SYNPROXY alone, persistence defaults",
			  "af=10 proto=6 2001:db8:10::30 port=443 sched=rr flags=2 timeout=300 netmask=128 dests=0 laddrs=0 " +
				  ZERO_STATS,
			  get_service(s, SP6));
		expect_errno(r, "DEL_SERVICE the SYNPROXY service", req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(SP6)}), 0);
	}

	for (const char *name : {"rr", "wrr", "lc", "wlc", "sh", "mh"})
		expect_errno(r, std::string("SET_SERVICE scheduler ") + name,
			     req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(C, {sched(name)})}), 0);

	// Destinations
	expect_errno(r, "NEW_DEST port 0, no weight",
		     req(IPVS_FNAT_CMD_NEW_DEST, {svc_nest(C), dest("203.0.113.21", 0)}), 0);
	expect_errno(r, "NEW_DEST weight 0 (quiesced) with thresholds",
		     req(IPVS_FNAT_CMD_NEW_DEST,
			 {svc_nest(C), dest("203.0.113.22", 8443, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 0),
								  u32(IPVS_FNAT_DEST_ATTR_U_THRESH, 50),
								  u32(IPVS_FNAT_DEST_ATTR_L_THRESH, 5)})}),
		     0);
	expect_errno(r, "NEW_DEST weight 65535 with ADDR_FAMILY",
		     req(IPVS_FNAT_CMD_NEW_DEST,
			 {svc_nest(C), dest("203.0.113.23", 443, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 65535),
								 u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, AF_INET)})}),
		     0);
	const std::string z = " active=0 inact=0 persist=0 " + ZERO_STATS;
	expect_eq(r, "GET_DEST: service port, default weight, insertion order",
		  "af=2 203.0.113.21 port=443 weight=1 u_thresh=0 l_thresh=0" + z + "\n" +
			  "af=2 203.0.113.22 port=8443 weight=0 u_thresh=50 l_thresh=5" + z + "\n" +
			  "af=2 203.0.113.23 port=443 weight=65535 u_thresh=0 l_thresh=0" + z + "\n",
		  get_dests(s, C));
	expect_errno(r, "SET_DEST weight only",
		     req(IPVS_FNAT_CMD_SET_DEST,
			 {svc_nest(C), dest("203.0.113.22", 8443, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 7)})}),
		     0);
	expect_errno(r, "SET_DEST upper threshold 0 (none) with ADDR_FAMILY",
		     req(IPVS_FNAT_CMD_SET_DEST,
			 {svc_nest(C), dest("203.0.113.22", 8443, {u32(IPVS_FNAT_DEST_ATTR_U_THRESH, 0),
								  u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, AF_INET)})}),
		     0);
	expect_errno(r, "DEL_DEST through port 0",
		     req(IPVS_FNAT_CMD_DEL_DEST, {svc_nest(C), dest("203.0.113.21", 0)}), 0);
	expect_eq(r, "GET_DEST after SET_DEST and DEL_DEST",
		  "af=2 203.0.113.22 port=8443 weight=7 u_thresh=0 l_thresh=5" + z + "\n" +
			  "af=2 203.0.113.23 port=443 weight=65535 u_thresh=0 l_thresh=0" + z + "\n",
		  get_dests(s, C));
	expect_errno(r, "DEL_DEST (then the other one)",
		     req(IPVS_FNAT_CMD_DEL_DEST,
			 {svc_nest(C), dest("203.0.113.23", 443, {u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, AF_INET)})}),
		     0);
	expect_eq(r, "NUM_DESTS follows", c_key + " sched=mh flags=0 timeout=600 netmask=24 dests=1 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));

	// Local addresses
	expect_errno(r, "NEW_LADDR the address another service has too",
		     req(IPVS_FNAT_CMD_NEW_LADDR, {svc_nest(C), laddr("203.0.113.100")}), 0);
	expect_errno(r, "NEW_LADDR with AF",
		     req(IPVS_FNAT_CMD_NEW_LADDR,
			 {svc_nest(C), laddr("203.0.113.101", {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET)})}),
		     0);
	expect_eq(r, "GET_LADDR of one service, insertion order",
		  c_key + " af=2 203.0.113.100 conflicts=0 conns=0\n" + c_key +
			  " af=2 203.0.113.101 conflicts=0 conns=0\n",
		  get_laddrs(s, &C));
	expect_errno(r, "DEL_LADDR with AF",
		     req(IPVS_FNAT_CMD_DEL_LADDR,
			 {svc_nest(C), laddr("203.0.113.100", {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET)})}),
		     0);
	expect_eq(r, "GET_LADDR of every service, in service creation order",
		  "af=2 proto=6 192.0.2.10 port=80 af=2 203.0.113.100 conflicts=0 conns=0\n"
		  "af=10 proto=17 2001:db8:10::10 port=53 af=10 2001:db8:5::100 conflicts=0 conns=0\n" +
			  c_key + " af=2 203.0.113.101 conflicts=0 conns=0\n",
		  get_laddrs(s, nullptr));

	// IPv6
	const SvcKey V6{AF_INET6, IPPROTO_TCP, "2001:db8:10::20", 8080};
	expect_errno(r, "NEW_SERVICE IPv6 TCP", req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(V6, {sched("wrr")})}), 0);
	expect_errno(r, "NEW_DEST IPv6 with ADDR_FAMILY",
		     req(IPVS_FNAT_CMD_NEW_DEST,
			 {svc_nest(V6), dest("2001:db8:5::21", 80, {u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, AF_INET6)})}),
		     0);
	expect_errno(r, "NEW_LADDR IPv6 without AF", req(IPVS_FNAT_CMD_NEW_LADDR, {svc_nest(V6), laddr("2001:db8:5::101")}),
		     0);
	expect_eq(r, "IPv6 service round trip",
		  "af=10 proto=6 2001:db8:10::20 port=8080 sched=wrr flags=0 timeout=300 netmask=128 dests=1 laddrs=1 " +
			  ZERO_STATS + "\naf=10 2001:db8:5::21 port=80 weight=1 u_thresh=0 l_thresh=0" + z + "\n" +
			  "af=10 proto=6 2001:db8:10::20 port=8080 af=10 2001:db8:5::101 conflicts=0 conns=0\n",
		  get_service(s, V6) + "\n" + get_dests(s, V6) + get_laddrs(s, &V6));

	// The owner tag: set at creation, reported, never changed
	{
		const SvcKey M{AF_INET, IPPROTO_UDP, "198.51.100.60", 53};
		auto owner = [&](const SvcKey &k) {
			Reply rep = s.call(req(IPVS_FNAT_CMD_GET_SERVICE, {svc_nest(k)}));
			return rep.error || rep.msgs.size() != 1 ?
				       "error " + errno_name(rep.error) :
				       std::to_string(rep.msgs[0].nested(SVC).get_u32(IPVS_FNAT_SVC_ATTR_OWNER));
		};
		expect_eq(r, "a service made without OWNER reports owner 0", "0", owner(A));
		expect_errno(r, "NEW_SERVICE with OWNER mirror",
			     req(IPVS_FNAT_CMD_NEW_SERVICE,
				 {svc_nest(M, {sched("wrr"), u32(IPVS_FNAT_SVC_ATTR_OWNER, IPVS_FNAT_OWNER_MIRROR)})}),
			     0);
		expect_eq(r, "GET_SERVICE reports OWNER 1", "1", owner(M));
		expect_errno(r, "SET_SERVICE with its own OWNER and a scheduler",
			     req(IPVS_FNAT_CMD_SET_SERVICE,
				 {svc_nest(M, {sched("rr"), u32(IPVS_FNAT_SVC_ATTR_OWNER, IPVS_FNAT_OWNER_MIRROR)})}),
			     0);
		expect_errno(r, "SET_SERVICE with another OWNER",
			     req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(M, {sched("lc"), u32(IPVS_FNAT_SVC_ATTR_OWNER, 0)})}),
			     EINVAL);
		expect_eq(r, "... which changed neither the owner nor the scheduler",
			  "af=2 proto=17 198.51.100.60 port=53 sched=rr owner 1",
			  get_service(s, M).substr(0, 44) + " owner " + owner(M));
		expect_errno(r, "DEL_SERVICE the owned service", req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(M)}), 0);
	}

	// The passive check: DEST_CHECK is a flag; a destination's check attributes start clear
	{
		const SvcKey K{AF_INET, IPPROTO_TCP, "198.51.100.61", 80};
		expect_errno(r, "NEW_SERVICE with DEST_CHECK",
			     req(IPVS_FNAT_CMD_NEW_SERVICE,
				 {svc_nest(K, {sched("rr"), u32(IPVS_FNAT_SVC_ATTR_FLAGS, IPVS_FNAT_SVC_F_DEST_CHECK)})}),
			     0);
		expect_errno(r, "NEW_DEST on it", req(IPVS_FNAT_CMD_NEW_DEST, {svc_nest(K), dest("203.0.113.31", 80)}), 0);
		Reply rep = s.call(req(IPVS_FNAT_CMD_GET_DEST, {svc_nest(K)}, true));
		expect_eq(r, "GET_DEST: check OK, no failure, not inhibited, never inhibited",
			  "check=0 fails=0 left=0 inhibits=0",
			  rep.error || rep.msgs.size() != 1 ? "error " + errno_name(rep.error) :
							      check_line(rep.msgs[0].nested(DEST)));
		expect_eq(r, "GET_SERVICE: flags DEST_CHECK", "flags=4",
			  get_service(s, K).substr(get_service(s, K).find("flags="), 7));
		expect_errno(r, "DEL_SERVICE it", req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(K)}), 0);
	}

	// The default LIP pool: the laddr commands without a service
	expect_errno(r, "NEW_LADDR default pool, IPv4, no AF", req(IPVS_FNAT_CMD_NEW_LADDR, {laddr("203.0.113.200")}), 0);
	expect_errno(r, "NEW_LADDR default pool, IPv6 with AF",
		     req(IPVS_FNAT_CMD_NEW_LADDR, {laddr("2001:db8:5::200", {u16(IPVS_FNAT_LADDR_ATTR_AF, AF_INET6)})}), 0);
	expect_errno(r, "NEW_LADDR default pool, an address a service has too",
		     req(IPVS_FNAT_CMD_NEW_LADDR, {laddr("203.0.113.100")}), 0);
	expect_errno(r, "NEW_LADDR default pool, duplicate", req(IPVS_FNAT_CMD_NEW_LADDR, {laddr("203.0.113.200")}),
		     EEXIST);
	expect_eq(r, "GET_LADDR of one service does not list the default pool",
		  "af=2 proto=6 192.0.2.10 port=80 af=2 203.0.113.100 conflicts=0 conns=0\n", get_laddrs(s, &A));
	{
		const std::string all = get_laddrs(s, nullptr);
		const std::string tail = "default af=2 203.0.113.200 conflicts=0 conns=0\n"
					 "default af=10 2001:db8:5::200 conflicts=0 conns=0\n"
					 "default af=2 203.0.113.100 conflicts=0 conns=0\n";
		expect_eq(r, "GET_LADDR of everything ends with the default pool, insertion order", tail,
			  all.size() >= tail.size() ? all.substr(all.size() - tail.size()) : all);
	}
	expect_errno(r, "DEL_LADDR default pool", req(IPVS_FNAT_CMD_DEL_LADDR, {laddr("203.0.113.100")}), 0);
	expect_errno(r, "DEL_LADDR default pool, gone", req(IPVS_FNAT_CMD_DEL_LADDR, {laddr("203.0.113.100")}),
		     ENOENT);
	expect_eq(r, "the service's own address stayed", "af=2 proto=6 192.0.2.10 port=80 af=2 203.0.113.100 conflicts=0 conns=0\n",
		  get_laddrs(s, &A));
	for (const char *a : {"203.0.113.200", "2001:db8:5::200"})
		expect_errno(r, std::string("DEL_LADDR default pool ") + a, req(IPVS_FNAT_CMD_DEL_LADDR, {laddr(a)}), 0);

	// Configuration
	expect_errno(r, "SET_CONFIG TCP timeout, UDP 0 (= unchanged)",
		     req(IPVS_FNAT_CMD_SET_CONFIG, {cfg({u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, 1000),
							 u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, 0)})}),
		     0);
	expect_eq(r, "GET_CONFIG after a partial SET_CONFIG",
		  "config tcp=1000 tcpfin=120 udp=300 syn=60 conn_max=0 ports=1024-65535 toa=1 keep_ts=0 expire_rst=1 "
		  "dc=3/5-3600",
		  get_config(s));
	expect_errno(r, "SET_CONFIG every other tunable",
		     req(IPVS_FNAT_CMD_SET_CONFIG,
			 {cfg({u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN, 30), u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN, 10),
			       u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, IPVS_FNAT_TIMEOUT_MAX),
			       u32(IPVS_FNAT_CFG_ATTR_CONN_MAX, 5000), u16(IPVS_FNAT_CFG_ATTR_PORT_MIN, 2000),
			       u16(IPVS_FNAT_CFG_ATTR_PORT_MAX, 3000), u8(IPVS_FNAT_CFG_ATTR_TOA, 0),
			       u8(IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS, 1), u8(IPVS_FNAT_CFG_ATTR_EXPIRE_RST, 0),
			       u32(IPVS_FNAT_CFG_ATTR_DC_FAILS, 1000), u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, 1),
			       u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, 86400)})}),
		     0);
	expect_errno(r, "SET_CONFIG empty nest", req(IPVS_FNAT_CMD_SET_CONFIG, {cfg({})}), 0);
	expect_eq(r, "GET_CONFIG shows them all",
		  "config tcp=1000 tcpfin=30 udp=31536000 syn=10 conn_max=5000 ports=2000-3000 toa=0 keep_ts=1 expire_rst=0 "
		  "dc=1000/1-86400",
		  get_config(s));
	expect_errno(r, "SET_CONFIG a one-port range",
		     req(IPVS_FNAT_CMD_SET_CONFIG, {cfg({u16(IPVS_FNAT_CFG_ATTR_PORT_MIN, 3000)})}), 0);
	set_default_config(s);
	expect_eq(r, "SET_CONFIG back to the defaults", DEFAULT_CONFIG, get_config(s));

	// Zero, connections
	expect_errno(r, "ZERO one service", req(IPVS_FNAT_CMD_ZERO, {svc_nest(C)}), 0);
	expect_errno(r, "ZERO everything", req(IPVS_FNAT_CMD_ZERO), 0);
	{
		Reply rep = s.call(req(IPVS_FNAT_CMD_GET_CONN, {}, true));
		r.record("GET_CONN dump: allowed, no connection yet", rep.error == 0 && rep.msgs.empty(),
			 errno_name(rep.error) + ", " + std::to_string(rep.msgs.size()) + " messages");
	}

	// Deletion
	expect_errno(r, "DEL_SERVICE with destinations and local addresses",
		     req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(C)}), 0);
	expect_eq(r, "the deleted service is gone (GET)", "error ESRCH", get_service(s, C));
	expect_eq(r, "the deleted service is gone (GET_DEST)", "error ESRCH", get_dests(s, C));
	expect_eq(r, "the deleted service is gone (GET_LADDR)", "error ESRCH", get_laddrs(s, &C));
	expect_errno(r, "NEW_SERVICE again with the same key",
		     req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(C, {sched("lc")})}), 0);
	expect_eq(r, "it starts empty", c_key + " sched=lc flags=0 timeout=300 netmask=32 dests=0 laddrs=0 " + ZERO_STATS,
		  get_service(s, C));
	expect_errno(r, "NEW_LADDR default pool (FLUSH empties it too)",
		     req(IPVS_FNAT_CMD_NEW_LADDR, {laddr("203.0.113.201")}), 0);
	expect_errno(r, "FLUSH", req(IPVS_FNAT_CMD_FLUSH), 0);
	expect_eq(r, "FLUSH leaves nothing",
		  DEFAULT_CONFIG + "\ninfo version=" + std::to_string(ver) + " size=1048576 conns=0 services=0\n",
		  snapshot(s));
	expect_errno(r, "FLUSH of an empty table", req(IPVS_FNAT_CMD_FLUSH), 0);
}

// --- dumps in several parts --------------------------------------------------------

namespace {

SvcKey many(int i) { return SvcKey{AF_INET, IPPROTO_TCP, "198.51.100.10", static_cast<uint16_t>(1000 + i)}; }

// The ports of the services in a GET_SERVICE dump, in order.
std::vector<uint16_t> ports_of(const Reply &rep)
{
	std::vector<uint16_t> v;
	for (const auto &m : rep.msgs)
		v.push_back(m.nested(SVC).get_be16(IPVS_FNAT_SVC_ATTR_PORT));
	return v;
}

std::string dup_report(const std::vector<uint16_t> &v)
{
	std::set<uint16_t> seen;
	std::string d;
	for (auto p : v)
		if (!seen.insert(p).second)
			d += " " + std::to_string(p);
	return d;
}

} // namespace

void run_dump_cases(Runner &r)
{
	Socket &s = r.sock();
	must(s, req(IPVS_FNAT_CMD_FLUSH), "FLUSH");
	const int N = 300;
	for (int i = 0; i < N; i++)
		must(s, req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(many(i), {sched("rr")})}), "NEW_SERVICE");

	Reply rep = s.call(req(IPVS_FNAT_CMD_GET_SERVICE, {}, true));
	std::vector<uint16_t> ports = ports_of(rep);
	bool ordered = ports.size() == N;
	for (int i = 0; ordered && i < N; i++)
		ordered = ports[i] == 1000 + i;
	r.record("GET_SERVICE dump of 300 services spans several parts",
		 rep.error == 0 && rep.batches > 1 && !rep.dump_intr,
		 std::to_string(rep.batches) + " datagrams, error " + errno_name(rep.error));
	r.record("... every service once, in creation order", ordered,
		 std::to_string(ports.size()) + " services;" + dup_report(ports));

	// Change the table between two parts of one dump. The kernel builds the next part
	// while one is read: with 8 KiB parts, at most ~60 services are out after one read.
	{
		Socket reader, other;
		reader.set_recv_len(8192);
		Reply part;
		reader.send(req(IPVS_FNAT_CMD_GET_SERVICE, {}, true));
		reader.recv_one(part);
		size_t first = part.msgs.size();
		must(other, req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(many(1))}), "DEL early");
		must(other, req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(many(290))}), "DEL late");
		must(other, req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(many(N), {sched("rr")})}), "NEW");
		while (!part.done)
			reader.recv_one(part);
		std::vector<uint16_t> got = ports_of(part);
		std::vector<uint16_t> want;
		for (int i = 0; i <= N; i++)
			if (i != 290)
				want.push_back(static_cast<uint16_t>(1000 + i));
		r.record("services added and deleted during a dump: no duplicate, no survivor missed",
			 first > 1 && first < 100 && got == want,
			 "first part " + std::to_string(first) + ", total " + std::to_string(got.size()) +
				 ";" + dup_report(got));
		r.record("... and the dump is flagged NLM_F_DUMP_INTR", part.dump_intr && part.error == 0,
			 part.dump_intr ? "" : "not flagged");
	}
	must(s, req(IPVS_FNAT_CMD_FLUSH), "FLUSH");

	// Destinations: 250 of one service.
	const SvcKey D{AF_INET6, IPPROTO_TCP, "2001:db8:10::30", 80};
	must(s, req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(D, {sched("wlc")})}), "NEW_SERVICE D");
	for (int i = 0; i < 250; i++)
		must(s,
		     req(IPVS_FNAT_CMD_NEW_DEST,
			 {svc_nest(D), dest("2001:db8:5::" + std::to_string(1000 + i), static_cast<uint16_t>(i + 1),
					    {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, static_cast<uint32_t>(i))})}),
		     "NEW_DEST");
	rep = s.call(req(IPVS_FNAT_CMD_GET_DEST, {svc_nest(D)}, true));
	bool ok = rep.error == 0 && rep.msgs.size() == 250;
	for (size_t i = 0; ok && i < rep.msgs.size(); i++)
		ok = rep.msgs[i].nested(DEST).get_be16(IPVS_FNAT_DEST_ATTR_PORT) == i + 1 &&
		     rep.msgs[i].nested(DEST).get_u32(IPVS_FNAT_DEST_ATTR_WEIGHT) == i;
	r.record("GET_DEST dump of 250 destinations: several parts, each once, in order", ok && rep.batches > 1,
		 std::to_string(rep.msgs.size()) + " in " + std::to_string(rep.batches) + " datagrams");
	{
		Socket reader, other;
		reader.set_recv_len(8192);
		Reply part;
		reader.send(req(IPVS_FNAT_CMD_GET_DEST, {svc_nest(D)}, true));
		reader.recv_one(part);
		size_t first = part.msgs.size();
		must(other, req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(D)}), "DEL_SERVICE D");
		while (!part.done)
			reader.recv_one(part);
		std::set<std::string> seen;
		for (const auto &m : part.msgs)
			seen.insert(dest_line(m.nested(DEST)));
		r.record("service deleted during its GET_DEST dump: the dump ends cleanly, flagged",
			 part.error == 0 && part.dump_intr && part.msgs.size() < 250 &&
				 seen.size() == part.msgs.size(),
			 std::to_string(first) + " then " + std::to_string(part.msgs.size()) + ", " +
				 errno_name(part.error));
	}

	// Local addresses of 10 services, 40 each.
	for (int i = 0; i < 10; i++) {
		must(s, req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(many(i), {sched("sh")})}), "NEW_SERVICE");
		for (int j = 0; j < 40; j++)
			must(s,
			     req(IPVS_FNAT_CMD_NEW_LADDR,
				 {svc_nest(many(i)), laddr("203.0.113." + std::to_string(100 + j))}),
			     "NEW_LADDR");
	}
	auto laddr_ids = [](const Reply &rp) {
		std::vector<std::string> v;
		for (const auto &m : rp.msgs)
			v.push_back(std::to_string(m.nested(SVC).get_be16(IPVS_FNAT_SVC_ATTR_PORT)) + "/" +
				    laddr_line(m.nested(LADDR)).substr(5, 13));
		return v;
	};
	std::vector<std::string> want;
	for (int i = 0; i < 10; i++)
		for (int j = 0; j < 40; j++)
			want.push_back(std::to_string(1000 + i) + "/203.0.113." + std::to_string(100 + j));
	rep = s.call(req(IPVS_FNAT_CMD_GET_LADDR, {}, true));
	r.record("GET_LADDR dump of 400 addresses: several parts, each once, in order",
		 rep.error == 0 && rep.batches > 1 && laddr_ids(rep) == want,
		 std::to_string(rep.msgs.size()) + " in " + std::to_string(rep.batches) + " datagrams");
	{
		Socket reader, other;
		reader.set_recv_len(8192);
		Reply part;
		reader.send(req(IPVS_FNAT_CMD_GET_LADDR, {}, true));
		reader.recv_one(part);
		size_t first = part.msgs.size();
		// the last address of the last service, not sent yet, goes; one comes
		must(other, req(IPVS_FNAT_CMD_DEL_LADDR, {svc_nest(many(9)), laddr("203.0.113.139")}), "DEL_LADDR");
		must(other, req(IPVS_FNAT_CMD_NEW_LADDR, {svc_nest(many(9)), laddr("203.0.113.200")}), "NEW_LADDR");
		while (!part.done)
			reader.recv_one(part);
		want.back() = "1009/203.0.113.200";
		r.record("local addresses changed during a GET_LADDR dump: each once, flagged",
			 first < 200 && laddr_ids(part) == want && part.dump_intr,
			 "first part " + std::to_string(first) + ", total " + std::to_string(part.msgs.size()));
	}
	must(s, req(IPVS_FNAT_CMD_FLUSH), "FLUSH");
}

// --- without CAP_NET_ADMIN over the namespace ---------------------------------------

void run_unpriv_cases(Runner &r)
{
	Socket &s = r.sock();
	std::string before;
	try {
		before = snapshot(s);
		r.record("unprivileged: GET_SERVICE/GET_DEST/GET_LADDR dumps, GET_CONFIG, GET_INFO work", true);
	} catch (const std::exception &e) {
		r.record("unprivileged: GET_SERVICE/GET_DEST/GET_LADDR dumps, GET_CONFIG, GET_INFO work", false,
			 e.what());
		return;
	}
	bool visible = before.find("192.0.2.10") != std::string::npos;
	r.record("unprivileged: the sample configuration is visible", visible, visible ? "" : before);
	expect_errno(r, "unprivileged: GET_SERVICE of one service", req(IPVS_FNAT_CMD_GET_SERVICE, {svc_nest(A)}), 0);
	const std::vector<std::pair<std::string, Request>> denied = {
		{"NEW_SERVICE", req(IPVS_FNAT_CMD_NEW_SERVICE, {svc_nest(FRESH, {sched("rr")})})},
		{"SET_SERVICE", req(IPVS_FNAT_CMD_SET_SERVICE, {svc_nest(A, {sched("wrr")})})},
		{"DEL_SERVICE", req(IPVS_FNAT_CMD_DEL_SERVICE, {svc_nest(A)})},
		{"NEW_DEST", req(IPVS_FNAT_CMD_NEW_DEST, {svc_nest(A), dest("203.0.113.13", 80)})},
		{"SET_DEST", req(IPVS_FNAT_CMD_SET_DEST,
				 {svc_nest(A), dest("203.0.113.11", 80, {u32(IPVS_FNAT_DEST_ATTR_WEIGHT, 9)})})},
		{"DEL_DEST", req(IPVS_FNAT_CMD_DEL_DEST, {svc_nest(A), dest("203.0.113.11", 80)})},
		{"NEW_LADDR", req(IPVS_FNAT_CMD_NEW_LADDR, {svc_nest(A), laddr("203.0.113.101")})},
		{"DEL_LADDR", req(IPVS_FNAT_CMD_DEL_LADDR, {svc_nest(A), laddr("203.0.113.100")})},
		{"SET_CONFIG", req(IPVS_FNAT_CMD_SET_CONFIG, {cfg({u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, 5)})})},
		{"ZERO", req(IPVS_FNAT_CMD_ZERO)},
		{"FLUSH", req(IPVS_FNAT_CMD_FLUSH)},
		{"GET_CONN (dump)", req(IPVS_FNAT_CMD_GET_CONN, {}, true)},
		{"NEW_DAEMON", req(IPVS_FNAT_CMD_NEW_DAEMON,
				   {nest(IPVS_FNAT_ATTR_DAEMON,
					 {u32(IPVS_FNAT_DAEMON_ATTR_STATE, IPVS_FNAT_DAEMON_BACKUP),
					  str(IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, "lo")})})},
		{"DEL_DAEMON", req(IPVS_FNAT_CMD_DEL_DAEMON,
				   {nest(IPVS_FNAT_ATTR_DAEMON, {u32(IPVS_FNAT_DAEMON_ATTR_STATE, IPVS_FNAT_DAEMON_MASTER)})})},
		{"GET_DAEMON (dump: it lists interfaces and peers)", req(IPVS_FNAT_CMD_GET_DAEMON, {}, true)},
	};
	for (const auto &[name, rq] : denied)
		expect_errno(r, "unprivileged: " + name + " is refused", rq, EPERM);
	std::string after = snapshot(s);
	expect_eq(r, "unprivileged: nothing changed", before, after);
}

} // namespace nlc
