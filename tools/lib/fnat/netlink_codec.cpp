#include "fnat/netlink_codec.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <cstring>
#include <optional>
#include <string>

#include "fnat/kernel.hpp"
#include "fnat/uapi.hpp"

namespace fnat::nl {

void malformed(const char *what)
{
	throw TransportError(std::string("netlink: malformed reply from the kernel: ") + what);
}

namespace {

void check_put(int rc)
{
	if (rc < 0)
		throw TransportError(std::string("netlink: cannot build the request: ") + nl_geterror(rc));
}

nlattr *nest_start(nl_msg *m, int type)
{
	nlattr *n = nla_nest_start(m, type);
	if (!n)
		throw TransportError("netlink: cannot build the request: message too large");
	return n;
}

void put_addr(nl_msg *m, int type, const Address &a)
{
	check_put(nla_put(m, type, static_cast<int>(a.size()), a.bytes.data()));
}

void put_port(nl_msg *m, int type, std::uint16_t port) { check_put(nla_put_u16(m, type, htons(port))); }

// The key attributes, inside an open IPVS_FNAT_ATTR_SERVICE nest.
void put_key_attrs(nl_msg *m, const ServiceKey &k)
{
	check_put(nla_put_u16(m, IPVS_FNAT_SVC_ATTR_AF, static_cast<std::uint16_t>(k.af())));
	check_put(nla_put_u8(m, IPVS_FNAT_SVC_ATTR_PROTOCOL, static_cast<std::uint8_t>(k.proto)));
	put_addr(m, IPVS_FNAT_SVC_ATTR_ADDR, k.addr);
	put_port(m, IPVS_FNAT_SVC_ATTR_PORT, k.port);
}

template <typename T> T get_int(const nlattr *a)
{
	if (nla_len(a) < static_cast<int>(sizeof(T)))
		malformed("attribute too short");
	T v;
	std::memcpy(&v, nla_data(a), sizeof(T));
	return v;
}

std::uint8_t u8(const nlattr *a) { return get_int<std::uint8_t>(a); }
std::uint16_t u16(const nlattr *a) { return get_int<std::uint16_t>(a); }
std::uint32_t u32(const nlattr *a) { return get_int<std::uint32_t>(a); }
std::uint64_t u64(const nlattr *a) { return get_int<std::uint64_t>(a); }
std::uint16_t port(const nlattr *a) { return ntohs(u16(a)); }

int family(const nlattr *a)
{
	const int af = u16(a);
	if (af != AF_INET && af != AF_INET6)
		malformed("unknown address family");
	return af;
}

Address addr(const nlattr *a, int af)
{
	Address out;
	out.af = af;
	if (nla_len(a) < static_cast<int>(out.size()))
		malformed("address too short");
	std::memcpy(out.bytes.data(), nla_data(a), out.size());
	return out;
}

template <std::size_t N> void parse_nested(nlattr *(&tb)[N], nlattr *nest)
{
	if (!nest || nla_parse_nested(tb, static_cast<int>(N - 1), nest, nullptr) < 0)
		malformed("bad nested attribute");
}

const nlattr *need(nlattr *a, const char *what)
{
	if (!a)
		malformed(what);
	return a;
}

ServiceKey parse_key(nlattr **tb)
{
	ServiceKey k;
	const int af = family(need(tb[IPVS_FNAT_SVC_ATTR_AF], "service without family"));
	k.proto = static_cast<Proto>(u8(need(tb[IPVS_FNAT_SVC_ATTR_PROTOCOL], "service without protocol")));
	k.addr = addr(need(tb[IPVS_FNAT_SVC_ATTR_ADDR], "service without address"), af);
	k.port = port(need(tb[IPVS_FNAT_SVC_ATTR_PORT], "service without port"));
	return k;
}

}  // namespace

void put_key(nl_msg *m, const ServiceKey &k)
{
	nlattr *n = nest_start(m, IPVS_FNAT_ATTR_SERVICE);
	put_key_attrs(m, k);
	check_put(nla_nest_end(m, n));
}

void put_service_spec(nl_msg *m, const ServiceSpec &s)
{
	nlattr *n = nest_start(m, IPVS_FNAT_ATTR_SERVICE);
	put_key_attrs(m, s.key);
	if (s.sched)
		check_put(nla_put_string(m, IPVS_FNAT_SVC_ATTR_SCHED_NAME, s.sched->c_str()));
	if (s.flags)
		check_put(nla_put_u32(m, IPVS_FNAT_SVC_ATTR_FLAGS, *s.flags));
	if (s.timeout)
		check_put(nla_put_u32(m, IPVS_FNAT_SVC_ATTR_TIMEOUT, *s.timeout));
	if (s.netmask)
		check_put(nla_put_u8(m, IPVS_FNAT_SVC_ATTR_NETMASK, *s.netmask));
	if (s.owner)
		check_put(nla_put_u32(m, IPVS_FNAT_SVC_ATTR_OWNER, *s.owner));
	check_put(nla_nest_end(m, n));
}

// with_family: NEW_DEST names the destination's family; SET and DEL do not.
void put_dest_spec(nl_msg *m, const DestSpec &d, bool with_family)
{
	nlattr *n = nest_start(m, IPVS_FNAT_ATTR_DEST);
	put_addr(m, IPVS_FNAT_DEST_ATTR_ADDR, d.addr);
	put_port(m, IPVS_FNAT_DEST_ATTR_PORT, d.port);
	if (with_family)
		check_put(nla_put_u16(m, IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, static_cast<std::uint16_t>(d.addr.af)));
	if (d.weight)
		check_put(nla_put_u32(m, IPVS_FNAT_DEST_ATTR_WEIGHT, *d.weight));
	if (d.u_thresh)
		check_put(nla_put_u32(m, IPVS_FNAT_DEST_ATTR_U_THRESH, *d.u_thresh));
	if (d.l_thresh)
		check_put(nla_put_u32(m, IPVS_FNAT_DEST_ATTR_L_THRESH, *d.l_thresh));
	check_put(nla_nest_end(m, n));
}

void put_laddr(nl_msg *m, const Address &a, std::optional<std::uint32_t> flags)
{
	nlattr *n = nest_start(m, IPVS_FNAT_ATTR_LADDR);
	check_put(nla_put_u16(m, IPVS_FNAT_LADDR_ATTR_AF, static_cast<std::uint16_t>(a.af)));
	put_addr(m, IPVS_FNAT_LADDR_ATTR_ADDR, a);
	if (flags)
		check_put(nla_put_u32(m, IPVS_FNAT_LADDR_ATTR_FLAGS, *flags));
	check_put(nla_nest_end(m, n));
}

// f = tb[t] when the attribute came (a counter left out stays 0).
template <std::size_t N> void get_u64(nlattr *(&tb)[N], int t, std::uint64_t &f)
{
	if (tb[t])
		f = u64(tb[t]);
}

Stats parse_stats(nlattr *nest)
{
	Stats s;
	if (!nest)
		return s;
	nlattr *tb[IPVS_FNAT_STATS_ATTR_MAX + 1];
	parse_nested(tb, nest);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_CONNS, s.conns);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_INPKTS, s.inpkts);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_OUTPKTS, s.outpkts);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_INBYTES, s.inbytes);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_OUTBYTES, s.outbytes);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_CPS, s.cps);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_INPPS, s.inpps);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_OUTPPS, s.outpps);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_INBPS, s.inbps);
	get_u64(tb, IPVS_FNAT_STATS_ATTR_OUTBPS, s.outbps);
	return s;
}

SynProxyStats parse_sp_stats(nlattr *nest)
{
	SynProxyStats s;
	nlattr *tb[IPVS_FNAT_SP_STATS_ATTR_MAX + 1];
	parse_nested(tb, nest);
	get_u64(tb, IPVS_FNAT_SP_STATS_ATTR_SYN, s.syn);
	get_u64(tb, IPVS_FNAT_SP_STATS_ATTR_ACK_OK, s.ack_ok);
	get_u64(tb, IPVS_FNAT_SP_STATS_ATTR_ACK_BAD, s.ack_bad);
	get_u64(tb, IPVS_FNAT_SP_STATS_ATTR_RS_FAIL, s.rs_fail);
	get_u64(tb, IPVS_FNAT_SP_STATS_ATTR_DATA_DROPPED, s.data_dropped);
	return s;
}

Service parse_service(nlattr *nest)
{
	nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];
	parse_nested(tb, nest);
	Service s;
	s.key = parse_key(tb);
	if (const nlattr *a = tb[IPVS_FNAT_SVC_ATTR_SCHED_NAME])
		s.sched.assign(static_cast<const char *>(nla_data(a)),
			       strnlen(static_cast<const char *>(nla_data(a)), static_cast<std::size_t>(nla_len(a))));
	if (tb[IPVS_FNAT_SVC_ATTR_FLAGS])
		s.flags = u32(tb[IPVS_FNAT_SVC_ATTR_FLAGS]);
	if (tb[IPVS_FNAT_SVC_ATTR_TIMEOUT])
		s.timeout = u32(tb[IPVS_FNAT_SVC_ATTR_TIMEOUT]);
	s.netmask = tb[IPVS_FNAT_SVC_ATTR_NETMASK] ? u8(tb[IPVS_FNAT_SVC_ATTR_NETMASK]) : full_prefix(s.key.af());
	if (tb[IPVS_FNAT_SVC_ATTR_NUM_DESTS])
		s.num_dests = u32(tb[IPVS_FNAT_SVC_ATTR_NUM_DESTS]);
	if (tb[IPVS_FNAT_SVC_ATTR_NUM_LADDRS])
		s.num_laddrs = u32(tb[IPVS_FNAT_SVC_ATTR_NUM_LADDRS]);
	if (tb[IPVS_FNAT_SVC_ATTR_OWNER])
		s.owner = u32(tb[IPVS_FNAT_SVC_ATTR_OWNER]);
	s.stats = parse_stats(tb[IPVS_FNAT_SVC_ATTR_STATS]);
	if (tb[IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS])
		s.sp_stats = parse_sp_stats(tb[IPVS_FNAT_SVC_ATTR_SYNPROXY_STATS]);
	return s;
}

ServiceKey parse_key_nest(nlattr *nest)
{
	nlattr *tb[IPVS_FNAT_SVC_ATTR_MAX + 1];
	parse_nested(tb, nest);
	return parse_key(tb);
}

Dest parse_dest(nlattr *nest, int svc_af)
{
	nlattr *tb[IPVS_FNAT_DEST_ATTR_MAX + 1];
	parse_nested(tb, nest);
	Dest d;
	const int af = tb[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY] ? family(tb[IPVS_FNAT_DEST_ATTR_ADDR_FAMILY]) : svc_af;
	d.addr = addr(need(tb[IPVS_FNAT_DEST_ATTR_ADDR], "destination without address"), af);
	d.port = port(need(tb[IPVS_FNAT_DEST_ATTR_PORT], "destination without port"));
	auto get = [&](int t, std::uint32_t &f) {
		if (tb[t])
			f = u32(tb[t]);
	};
	get(IPVS_FNAT_DEST_ATTR_WEIGHT, d.weight);
	get(IPVS_FNAT_DEST_ATTR_U_THRESH, d.u_thresh);
	get(IPVS_FNAT_DEST_ATTR_L_THRESH, d.l_thresh);
	get(IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS, d.active_conns);
	get(IPVS_FNAT_DEST_ATTR_INACT_CONNS, d.inact_conns);
	get(IPVS_FNAT_DEST_ATTR_PERSIST_CONNS, d.persist_conns);
	if (tb[IPVS_FNAT_DEST_ATTR_CHECK_STATE])
		d.check_state = u8(tb[IPVS_FNAT_DEST_ATTR_CHECK_STATE]);
	get(IPVS_FNAT_DEST_ATTR_CHECK_FAILS, d.check_fails);
	get(IPVS_FNAT_DEST_ATTR_INHIBIT_LEFT, d.inhibit_left_ms);
	get_u64(tb, IPVS_FNAT_DEST_ATTR_INHIBITS, d.inhibits);
	d.stats = parse_stats(tb[IPVS_FNAT_DEST_ATTR_STATS]);
	return d;
}

Laddr parse_laddr(nlattr *nest, int svc_af)
{
	nlattr *tb[IPVS_FNAT_LADDR_ATTR_MAX + 1];
	parse_nested(tb, nest);
	Laddr l;
	const int af = tb[IPVS_FNAT_LADDR_ATTR_AF] ? family(tb[IPVS_FNAT_LADDR_ATTR_AF]) : svc_af;
	l.addr = addr(need(tb[IPVS_FNAT_LADDR_ATTR_ADDR], "local address without address"), af);
	if (tb[IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS])
		l.port_conflicts = u64(tb[IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS]);
	if (tb[IPVS_FNAT_LADDR_ATTR_CONNS])
		l.conns = u32(tb[IPVS_FNAT_LADDR_ATTR_CONNS]);
	if (tb[IPVS_FNAT_LADDR_ATTR_FLAGS])
		l.peer = u32(tb[IPVS_FNAT_LADDR_ATTR_FLAGS]) & IPVS_FNAT_LADDR_F_PEER;
	return l;
}

Conn parse_conn(nlattr *nest)
{
	nlattr *tb[IPVS_FNAT_CONN_ATTR_MAX + 1];
	parse_nested(tb, nest);
	Conn c;
	const int af = family(need(tb[IPVS_FNAT_CONN_ATTR_AF], "connection without family"));
	c.proto = static_cast<Proto>(u8(need(tb[IPVS_FNAT_CONN_ATTR_PROTOCOL], "connection without protocol")));
	auto ep = [&](int a, int p) {
		Endpoint e;
		e.addr = addr(need(tb[a], "connection without address"), af);
		e.port = port(need(tb[p], "connection without port"));
		return e;
	};
	c.client = ep(IPVS_FNAT_CONN_ATTR_CADDR, IPVS_FNAT_CONN_ATTR_CPORT);
	c.virt = ep(IPVS_FNAT_CONN_ATTR_VADDR, IPVS_FNAT_CONN_ATTR_VPORT);
	c.local = ep(IPVS_FNAT_CONN_ATTR_LADDR, IPVS_FNAT_CONN_ATTR_LPORT);
	c.dest = ep(IPVS_FNAT_CONN_ATTR_DADDR, IPVS_FNAT_CONN_ATTR_DPORT);
	if (tb[IPVS_FNAT_CONN_ATTR_STATE])
		c.state = u16(tb[IPVS_FNAT_CONN_ATTR_STATE]);
	if (const nlattr *a = tb[IPVS_FNAT_CONN_ATTR_STATE_NAME])
		c.state_name.assign(static_cast<const char *>(nla_data(a)),
				    strnlen(static_cast<const char *>(nla_data(a)), static_cast<std::size_t>(nla_len(a))));
	if (tb[IPVS_FNAT_CONN_ATTR_EXPIRES])
		c.expires_ms = u32(tb[IPVS_FNAT_CONN_ATTR_EXPIRES]);
	if (tb[IPVS_FNAT_CONN_ATTR_FLAGS])
		c.flags = u32(tb[IPVS_FNAT_CONN_ATTR_FLAGS]);
	return c;
}


void put_config(nl_msg *m, const Config &c)
{
	nlattr *n = nest_start(m, IPVS_FNAT_ATTR_CONFIG);
	auto put32 = [&](int t, const std::optional<std::uint32_t> &v) {
		if (v)
			check_put(nla_put_u32(m, t, *v));
	};
	auto put16 = [&](int t, const std::optional<std::uint16_t> &v) {
		if (v)
			check_put(nla_put_u16(m, t, *v));
	};
	auto put8 = [&](int t, const std::optional<bool> &v) {
		if (v)
			check_put(nla_put_u8(m, t, *v ? 1 : 0));
	};
	put32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, c.timeout_tcp);
	put32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN, c.timeout_tcp_fin);
	put32(IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, c.timeout_udp);
	put32(IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN, c.timeout_syn);
	put32(IPVS_FNAT_CFG_ATTR_CONN_MAX, c.conn_max);
	put16(IPVS_FNAT_CFG_ATTR_PORT_MIN, c.port_min);
	put16(IPVS_FNAT_CFG_ATTR_PORT_MAX, c.port_max);
	put8(IPVS_FNAT_CFG_ATTR_TOA, c.toa);
	put8(IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS, c.keep_timestamps);
	put8(IPVS_FNAT_CFG_ATTR_EXPIRE_RST, c.expire_rst);
	put32(IPVS_FNAT_CFG_ATTR_DC_FAILS, c.dc_fails);
	put32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, c.dc_inhibit_min);
	put32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, c.dc_inhibit_max);
	check_put(nla_nest_end(m, n));
}

Config parse_config(nlattr *nest)
{
	nlattr *tb[IPVS_FNAT_CFG_ATTR_MAX + 1];
	parse_nested(tb, nest);
	Config c;
	auto get32 = [&](int t, std::optional<std::uint32_t> &f) {
		if (tb[t])
			f = u32(tb[t]);
	};
	auto get16 = [&](int t, std::optional<std::uint16_t> &f) {
		if (tb[t])
			f = u16(tb[t]);
	};
	auto get8 = [&](int t, std::optional<bool> &f) {
		if (tb[t])
			f = u8(tb[t]) != 0;
	};
	get32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP, c.timeout_tcp);
	get32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN, c.timeout_tcp_fin);
	get32(IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP, c.timeout_udp);
	get32(IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN, c.timeout_syn);
	get32(IPVS_FNAT_CFG_ATTR_CONN_MAX, c.conn_max);
	get16(IPVS_FNAT_CFG_ATTR_PORT_MIN, c.port_min);
	get16(IPVS_FNAT_CFG_ATTR_PORT_MAX, c.port_max);
	get8(IPVS_FNAT_CFG_ATTR_TOA, c.toa);
	get8(IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS, c.keep_timestamps);
	get8(IPVS_FNAT_CFG_ATTR_EXPIRE_RST, c.expire_rst);
	get32(IPVS_FNAT_CFG_ATTR_DC_FAILS, c.dc_fails);
	get32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN, c.dc_inhibit_min);
	get32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX, c.dc_inhibit_max);
	return c;
}

Info parse_info(nlattr *nest)
{
	nlattr *tb[IPVS_FNAT_INFO_ATTR_MAX + 1];
	parse_nested(tb, nest);
	Info i;
	i.version = u32(need(tb[IPVS_FNAT_INFO_ATTR_VERSION], "info without version"));
	i.conn_tab_size = u32(need(tb[IPVS_FNAT_INFO_ATTR_CONN_TAB_SIZE], "info without table size"));
	if (tb[IPVS_FNAT_INFO_ATTR_CONN_COUNT])
		i.conn_count = u32(tb[IPVS_FNAT_INFO_ATTR_CONN_COUNT]);
	if (tb[IPVS_FNAT_INFO_ATTR_SERVICE_COUNT])
		i.service_count = u32(tb[IPVS_FNAT_INFO_ATTR_SERVICE_COUNT]);
	return i;
}

// The NLMSGERR_ATTR_MSG text among the TLVs in [p, p + len).
void put_daemon_config(nl_msg *m, const DaemonConfig &d)
{
	nlattr *n = nest_start(m, IPVS_FNAT_ATTR_DAEMON);
	check_put(nla_put_u32(m, IPVS_FNAT_DAEMON_ATTR_STATE, d.state));
	check_put(nla_put_string(m, IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, d.mcast_ifn.c_str()));
	if (d.syncid)
		check_put(nla_put_u32(m, IPVS_FNAT_DAEMON_ATTR_SYNCID, *d.syncid));
	if (d.group)
		put_addr(m, IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, *d.group);
	if (!d.peers.empty()) {
		nlattr *p = nest_start(m, IPVS_FNAT_DAEMON_ATTR_PEERS);
		for (const Address &a : d.peers)
			put_addr(m, IPVS_FNAT_DAEMON_ATTR_PEER, a);
		check_put(nla_nest_end(m, p));
	}
	if (d.port)
		put_port(m, IPVS_FNAT_DAEMON_ATTR_MCAST_PORT, *d.port);
	if (d.ttl)
		check_put(nla_put_u8(m, IPVS_FNAT_DAEMON_ATTR_MCAST_TTL, *d.ttl));
	if (!d.key.empty())
		check_put(nla_put(m, IPVS_FNAT_DAEMON_ATTR_KEY, static_cast<int>(d.key.size()), d.key.data()));
	if (d.threshold)
		check_put(nla_put_u32(m, IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD, *d.threshold));
	check_put(nla_nest_end(m, n));
}

void put_daemon_state(nl_msg *m, std::uint32_t state)
{
	nlattr *n = nest_start(m, IPVS_FNAT_ATTR_DAEMON);
	check_put(nla_put_u32(m, IPVS_FNAT_DAEMON_ATTR_STATE, state));
	check_put(nla_nest_end(m, n));
}

namespace {

// An address attribute whose length gives its family.
Address sized_addr(const nlattr *a)
{
	const int len = nla_len(a);
	if (len != 4 && len != 16)
		malformed("address of a bad length");
	return Address::from_bytes(len == 4 ? AF_INET : AF_INET6, nla_data(a));
}

}  // namespace

Daemon parse_daemon(nlattr *nest)
{
	nlattr *tb[IPVS_FNAT_DAEMON_ATTR_MAX + 1];
	parse_nested(tb, nest);
	Daemon d;
	d.state = u32(need(tb[IPVS_FNAT_DAEMON_ATTR_STATE], "daemon without state"));
	const nlattr *ifn = need(tb[IPVS_FNAT_DAEMON_ATTR_MCAST_IFN], "daemon without interface");
	d.mcast_ifn.assign(static_cast<const char *>(nla_data(ifn)),
			   strnlen(static_cast<const char *>(nla_data(ifn)), static_cast<std::size_t>(nla_len(ifn))));
	if (tb[IPVS_FNAT_DAEMON_ATTR_SYNCID])
		d.syncid = u32(tb[IPVS_FNAT_DAEMON_ATTR_SYNCID]);
	if (tb[IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP])
		d.group = sized_addr(tb[IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP]);
	if (nlattr *p = tb[IPVS_FNAT_DAEMON_ATTR_PEERS]) {
		nlattr *a;
		int rem;
		nla_for_each_nested(a, p, rem)
			if (nla_type(a) == IPVS_FNAT_DAEMON_ATTR_PEER)
				d.peers.push_back(sized_addr(a));
	}
	if (tb[IPVS_FNAT_DAEMON_ATTR_MCAST_PORT])
		d.port = port(tb[IPVS_FNAT_DAEMON_ATTR_MCAST_PORT]);
	if (tb[IPVS_FNAT_DAEMON_ATTR_MCAST_TTL])
		d.ttl = u8(tb[IPVS_FNAT_DAEMON_ATTR_MCAST_TTL]);
	if (tb[IPVS_FNAT_DAEMON_ATTR_KEY_SET])
		d.key_set = u8(tb[IPVS_FNAT_DAEMON_ATTR_KEY_SET]) != 0;
	if (tb[IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD])
		d.threshold = u32(tb[IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD]);
	if (tb[IPVS_FNAT_DAEMON_ATTR_EPOCH])
		d.epoch = u64(tb[IPVS_FNAT_DAEMON_ATTR_EPOCH]);
	if (nlattr *st = tb[IPVS_FNAT_DAEMON_ATTR_STATS]) {
		nlattr *sb[IPVS_FNAT_SYNC_STATS_ATTR_MAX + 1];
		parse_nested(sb, st);
		for (std::size_t i = 0; i < kSyncStatCount; i++)
			if (const nlattr *a = sb[sync_stat_attr(i)])
				d.stats[i] = u64(a);
	}
	if (tb[IPVS_FNAT_DAEMON_ATTR_SYNCED])
		d.synced = u8(tb[IPVS_FNAT_DAEMON_ATTR_SYNCED]) != 0;
	if (nlattr *list = tb[IPVS_FNAT_DAEMON_ATTR_MASTERS]) {
		nlattr *a;
		int rem;
		nla_for_each_nested(a, list, rem) {
			if (nla_type(a) != IPVS_FNAT_DAEMON_ATTR_MASTER)
				continue;
			nlattr *mb[IPVS_FNAT_MASTER_ATTR_MAX + 1];
			parse_nested(mb, a);
			SyncMaster m;
			m.syncid = u32(need(mb[IPVS_FNAT_MASTER_ATTR_SYNCID], "sync master without syncid"));
			if (mb[IPVS_FNAT_MASTER_ATTR_ADDR])
				m.addr = sized_addr(mb[IPVS_FNAT_MASTER_ATTR_ADDR]);
			if (mb[IPVS_FNAT_MASTER_ATTR_EPOCH])
				m.epoch = u64(mb[IPVS_FNAT_MASTER_ATTR_EPOCH]);
			if (mb[IPVS_FNAT_MASTER_ATTR_SYNCED])
				m.synced = u8(mb[IPVS_FNAT_MASTER_ATTR_SYNCED]) != 0;
			if (mb[IPVS_FNAT_MASTER_ATTR_HEARD_MS])
				m.heard_ms = u32(mb[IPVS_FNAT_MASTER_ATTR_HEARD_MS]);
			d.masters.push_back(m);
		}
	}
	return d;
}

std::string extack_text(const unsigned char *p, std::size_t len)
{
	while (len >= sizeof(nlattr)) {
		nlattr a;
		std::memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(nlattr) || a.nla_len > len)
			break;
		if ((a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			const char *s = reinterpret_cast<const char *>(p + NLA_HDRLEN);
			return std::string(s, strnlen(s, a.nla_len - NLA_HDRLEN));
		}
		const std::size_t step = NLA_ALIGN(a.nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return {};
}

}  // namespace fnat::nl
