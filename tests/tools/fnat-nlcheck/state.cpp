#include "state.hpp"

#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>

#include "uapi/ipvs_fnat.h"

namespace nlc {

std::vector<Attr> key_attrs(const SvcKey &k)
{
	return {u16(IPVS_FNAT_SVC_ATTR_AF, k.af), u8(IPVS_FNAT_SVC_ATTR_PROTOCOL, k.proto),
		bytes(IPVS_FNAT_SVC_ATTR_ADDR, addr(k.addr)), be16(IPVS_FNAT_SVC_ATTR_PORT, k.port)};
}

Attr svc_nest(const SvcKey &k, std::vector<Attr> extra)
{
	auto kids = key_attrs(k);
	kids.insert(kids.end(), extra.begin(), extra.end());
	return nest(IPVS_FNAT_ATTR_SERVICE, std::move(kids));
}

std::string key_str(const SvcKey &k)
{
	std::string a = k.af == AF_INET6 ? "[" + k.addr + "]" : k.addr;
	return std::string(k.proto == IPPROTO_TCP ? "tcp " : "udp ") + a + ":" +
	       std::to_string(k.port);
}

Request req(uint8_t cmd, std::vector<Attr> attrs, bool dump)
{
	Request r;
	r.cmd = cmd;
	r.attrs = std::move(attrs);
	r.dump = dump;
	return r;
}

namespace {

void must(const Reply &r, const char *what)
{
	if (r.error)
		throw std::runtime_error(std::string(what) + " failed: " + errno_name(r.error) +
					 (r.extack.empty() ? "" : " (" + r.extack + ")"));
}

} // namespace

std::string svc_key_line(const AttrSet &svc)
{
	const Bytes &a = svc.raw(IPVS_FNAT_SVC_ATTR_ADDR);
	uint16_t af = svc.get_u16(IPVS_FNAT_SVC_ATTR_AF);
	if ((af == AF_INET && a.size() != 4) || (af == AF_INET6 && a.size() != 16))
		throw ParseError("service address length does not match its family");
	std::ostringstream o;
	o << "af=" << af << " proto=" << unsigned(svc.get_u8(IPVS_FNAT_SVC_ATTR_PROTOCOL))
	  << " " << addr_str(a.data(), a.size()) << " port=" << svc.get_be16(IPVS_FNAT_SVC_ATTR_PORT);
	return o.str();
}

namespace {

SvcKey key_from(const AttrSet &svc)
{
	const Bytes &a = svc.raw(IPVS_FNAT_SVC_ATTR_ADDR);
	return SvcKey{svc.get_u16(IPVS_FNAT_SVC_ATTR_AF), svc.get_u8(IPVS_FNAT_SVC_ATTR_PROTOCOL),
		      addr_str(a.data(), a.size()), svc.get_be16(IPVS_FNAT_SVC_ATTR_PORT)};
}

} // namespace

std::string stats_line(const AttrSet &st)
{
	std::ostringstream o;
	o << "conns=" << st.get_u64(IPVS_FNAT_STATS_ATTR_CONNS)
	  << " inpkts=" << st.get_u64(IPVS_FNAT_STATS_ATTR_INPKTS)
	  << " outpkts=" << st.get_u64(IPVS_FNAT_STATS_ATTR_OUTPKTS)
	  << " inbytes=" << st.get_u64(IPVS_FNAT_STATS_ATTR_INBYTES)
	  << " outbytes=" << st.get_u64(IPVS_FNAT_STATS_ATTR_OUTBYTES)
	  << " cps=" << st.get_u64(IPVS_FNAT_STATS_ATTR_CPS)
	  << " inpps=" << st.get_u64(IPVS_FNAT_STATS_ATTR_INPPS)
	  << " outpps=" << st.get_u64(IPVS_FNAT_STATS_ATTR_OUTPPS)
	  << " inbps=" << st.get_u64(IPVS_FNAT_STATS_ATTR_INBPS)
	  << " outbps=" << st.get_u64(IPVS_FNAT_STATS_ATTR_OUTBPS);
	return o.str();
}

std::string service_line(const AttrSet &svc)
{
	std::ostringstream o;
	o << svc_key_line(svc) << " sched=" << svc.get_str(IPVS_FNAT_SVC_ATTR_SCHED_NAME)
	  << " flags=" << svc.get_u32(IPVS_FNAT_SVC_ATTR_FLAGS)
	  << " timeout=" << svc.get_u32(IPVS_FNAT_SVC_ATTR_TIMEOUT)
	  << " netmask=" << unsigned(svc.get_u8(IPVS_FNAT_SVC_ATTR_NETMASK))
	  << " dests=" << svc.get_u32(IPVS_FNAT_SVC_ATTR_NUM_DESTS)
	  << " laddrs=" << svc.get_u32(IPVS_FNAT_SVC_ATTR_NUM_LADDRS) << " "
	  << stats_line(svc.nested(IPVS_FNAT_SVC_ATTR_STATS));
	return o.str();
}

std::string dest_line(const AttrSet &d)
{
	const Bytes &a = d.raw(IPVS_FNAT_DEST_ATTR_ADDR);
	std::ostringstream o;
	o << "af=" << d.get_u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY) << " "
	  << addr_str(a.data(), a.size()) << " port=" << d.get_be16(IPVS_FNAT_DEST_ATTR_PORT)
	  << " weight=" << d.get_u32(IPVS_FNAT_DEST_ATTR_WEIGHT)
	  << " u_thresh=" << d.get_u32(IPVS_FNAT_DEST_ATTR_U_THRESH)
	  << " l_thresh=" << d.get_u32(IPVS_FNAT_DEST_ATTR_L_THRESH)
	  << " active=" << d.get_u32(IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS)
	  << " inact=" << d.get_u32(IPVS_FNAT_DEST_ATTR_INACT_CONNS)
	  << " persist=" << d.get_u32(IPVS_FNAT_DEST_ATTR_PERSIST_CONNS) << " "
	  << stats_line(d.nested(IPVS_FNAT_DEST_ATTR_STATS));
	return o.str();
}

// The passive check's attributes of a destination.
std::string check_line(const AttrSet &d)
{
	std::ostringstream o;
	o << "check=" << unsigned(d.get_u8(IPVS_FNAT_DEST_ATTR_CHECK_STATE))
	  << " fails=" << d.get_u32(IPVS_FNAT_DEST_ATTR_CHECK_FAILS)
	  << " left=" << d.get_u32(IPVS_FNAT_DEST_ATTR_INHIBIT_LEFT)
	  << " inhibits=" << d.get_u64(IPVS_FNAT_DEST_ATTR_INHIBITS);
	return o.str();
}

// Whose a GET_LADDR message's address is: its service's key, or "default" (the pool
// of the namespace, whose messages carry no service).
std::string laddr_owner_line(const AttrSet &msg)
{
	return msg.has(IPVS_FNAT_ATTR_SERVICE) ? svc_key_line(msg.nested(IPVS_FNAT_ATTR_SERVICE)) :
						 std::string("default");
}

std::string laddr_line(const AttrSet &la)
{
	const Bytes &a = la.raw(IPVS_FNAT_LADDR_ATTR_ADDR);
	std::ostringstream o;
	o << "af=" << la.get_u16(IPVS_FNAT_LADDR_ATTR_AF) << " " << addr_str(a.data(), a.size())
	  << " conflicts=" << la.get_u64(IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS)
	  << " conns=" << la.get_u32(IPVS_FNAT_LADDR_ATTR_CONNS);
	return o.str();
}

std::string snapshot(Socket &s)
{
	std::ostringstream o;

	Reply r = s.call(req(IPVS_FNAT_CMD_GET_CONFIG));
	must(r, "GET_CONFIG");
	if (r.msgs.size() != 1)
		throw std::runtime_error("GET_CONFIG: expected one reply");
	AttrSet c = r.msgs[0].nested(IPVS_FNAT_ATTR_CONFIG);
	o << "config tcp=" << c.get_u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP)
	  << " tcpfin=" << c.get_u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP_FIN)
	  << " udp=" << c.get_u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_UDP)
	  << " syn=" << c.get_u32(IPVS_FNAT_CFG_ATTR_TIMEOUT_SYN)
	  << " conn_max=" << c.get_u32(IPVS_FNAT_CFG_ATTR_CONN_MAX)
	  << " ports=" << c.get_u16(IPVS_FNAT_CFG_ATTR_PORT_MIN) << "-"
	  << c.get_u16(IPVS_FNAT_CFG_ATTR_PORT_MAX)
	  << " toa=" << unsigned(c.get_u8(IPVS_FNAT_CFG_ATTR_TOA))
	  << " keep_ts=" << unsigned(c.get_u8(IPVS_FNAT_CFG_ATTR_KEEP_TIMESTAMPS))
	  << " expire_rst=" << unsigned(c.get_u8(IPVS_FNAT_CFG_ATTR_EXPIRE_RST))
	  << " dc=" << c.get_u32(IPVS_FNAT_CFG_ATTR_DC_FAILS) << "/"
	  << c.get_u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MIN) << "-"
	  << c.get_u32(IPVS_FNAT_CFG_ATTR_DC_INHIBIT_MAX) << "\n";

	r = s.call(req(IPVS_FNAT_CMD_GET_INFO));
	must(r, "GET_INFO");
	if (r.msgs.size() != 1)
		throw std::runtime_error("GET_INFO: expected one reply");
	AttrSet info = r.msgs[0].nested(IPVS_FNAT_ATTR_INFO);
	uint32_t nsvc = info.get_u32(IPVS_FNAT_INFO_ATTR_SERVICE_COUNT);
	o << "info version=" << info.get_u32(IPVS_FNAT_INFO_ATTR_VERSION)
	  << " size=" << info.get_u32(IPVS_FNAT_INFO_ATTR_CONN_TAB_SIZE)
	  << " conns=" << info.get_u32(IPVS_FNAT_INFO_ATTR_CONN_COUNT) << " services=" << nsvc
	  << "\n";

	r = s.call(req(IPVS_FNAT_CMD_GET_SERVICE, {}, true));
	must(r, "GET_SERVICE dump");
	if (r.msgs.size() != nsvc)
		throw std::runtime_error("GET_SERVICE dump: " + std::to_string(r.msgs.size()) +
					 " services, GET_INFO says " + std::to_string(nsvc));
	for (const auto &m : r.msgs) {
		AttrSet svc = m.nested(IPVS_FNAT_ATTR_SERVICE);
		o << "service " << service_line(svc)
		  << " owner=" << svc.get_u32(IPVS_FNAT_SVC_ATTR_OWNER) << "\n";
		Reply d = s.call(req(IPVS_FNAT_CMD_GET_DEST, {svc_nest(key_from(svc))}, true));
		must(d, "GET_DEST dump");
		if (d.msgs.size() != svc.get_u32(IPVS_FNAT_SVC_ATTR_NUM_DESTS))
			throw std::runtime_error("GET_DEST count differs from NUM_DESTS");
		for (const auto &dm : d.msgs)
			o << "  dest " << dest_line(dm.nested(IPVS_FNAT_ATTR_DEST)) << " "
			  << check_line(dm.nested(IPVS_FNAT_ATTR_DEST)) << "\n";
	}

	r = s.call(req(IPVS_FNAT_CMD_GET_LADDR, {}, true));
	must(r, "GET_LADDR dump");
	for (const auto &m : r.msgs)
		o << "laddr " << laddr_owner_line(m) << " " << laddr_line(m.nested(IPVS_FNAT_ATTR_LADDR))
		  << "\n";
	return o.str();
}

} // namespace nlc
