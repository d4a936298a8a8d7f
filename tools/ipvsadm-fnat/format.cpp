#include "format.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <tuple>

#include "fnat/json.hpp"
#include "fnat/uapi.hpp"

#include "parser.hpp"

namespace fnat {
namespace {

__attribute__((format(printf, 1, 2))) std::string sprintf_string(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	va_list ap2;
	va_copy(ap2, ap);
	const int n = std::vsnprintf(nullptr, 0, f, ap);
	va_end(ap);
	std::string s(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
	if (n > 0)
		std::vsnprintf(s.data(), s.size() + 1, f, ap2);
	va_end(ap2);
	return s;
}

using ull = unsigned long long;

// Hosts are looked up for IPv4 only, as ipvsadm does (so -S output always reads back).
std::string host_name(const Address &a, unsigned fmt, const Resolver &r)
{
	if (!(fmt & FMT_NUMERIC) && a.af == AF_INET)
		if (auto n = r.addr_to_host(a))
			return *n;
	return a.str();
}

std::string port_name(std::uint16_t port, Proto proto, unsigned fmt, const Resolver &r)
{
	if (!(fmt & FMT_NUMERIC))
		if (auto n = r.port_to_service(port, proto))
			return *n;
	return std::to_string(port);
}

std::string dotted_mask(std::uint8_t prefix)
{
	const std::uint32_t m = prefix >= 32 ? 0xffffffffu : prefix == 0 ? 0 : ~((1u << (32 - prefix)) - 1);
	const std::uint32_t be = htonl(m);
	return Address::from_bytes(AF_INET, &be).str();
}

// The persistence netmask as -M takes it and the listing shows it.
std::string mask_text(const Service &s)
{
	return s.key.af() == AF_INET ? dotted_mask(s.netmask) : std::to_string(s.netmask);
}

bool partial_mask(const Service &s) { return s.netmask != full_prefix(s.key.af()); }

// "TCP  192.0.2.10:80", cut at 33 characters for IPv4 names as ipvsadm does.
std::string service_title(const Service &s, unsigned fmt, const Resolver &r)
{
	std::string name = std::string(proto_name(s.key.proto)) + "  " +
			   format_addr_port(s.key.addr, s.key.port, s.key.proto, fmt, r);
	if (s.key.af() == AF_INET && name.size() > 33)
		name.resize(33);
	return name;
}

std::string dest_title(const Service &s, const Dest &d, unsigned fmt, const Resolver &r)
{
	std::string name = format_addr_port(d.addr, d.port, s.key.proto, fmt, r);
	if (d.addr.af == AF_INET && name.size() > 28)
		name.resize(28);
	return name;
}

// ipvsadm's print_largenum: 9 columns, K/M/G/T beyond 8 digits unless --exact.
std::string largenum(std::uint64_t i, unsigned fmt)
{
	if (fmt & FMT_EXACT) {
		const std::string digits = std::to_string(i);
		const int width = digits.size() <= 8 ? 9 : static_cast<int>(digits.size()) + 1;
		return sprintf_string("%*llu", width, static_cast<ull>(i));
	}
	if (i < 100000000ULL)
		return sprintf_string("%9llu", static_cast<ull>(i));
	if (i < 1000000000ULL)
		return sprintf_string("%8lluK", static_cast<ull>(i / 1000));
	if (i < 100000000000ULL)
		return sprintf_string("%8lluM", static_cast<ull>(i / 1000000));
	if (i < 100000000000000ULL)
		return sprintf_string("%8lluG", static_cast<ull>(i / 1000000000ULL));
	return sprintf_string("%8lluT", static_cast<ull>(i / 1000000000000ULL));
}

std::string counters(const Stats &st, unsigned fmt)
{
	if (fmt & FMT_STATS)
		return largenum(st.conns, fmt) + largenum(st.inpkts, fmt) + largenum(st.outpkts, fmt) +
		       largenum(st.inbytes, fmt) + largenum(st.outbytes, fmt);
	return largenum(st.cps, fmt) + largenum(st.inpps, fmt) + largenum(st.outpps, fmt) +
	       largenum(st.inbps, fmt) + largenum(st.outbps, fmt);
}

std::string titles(unsigned fmt)
{
	if (fmt & FMT_STATS)
		return sprintf_string("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
				      "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes",
				      "OutBytes");
	if (fmt & FMT_RATE)
		return sprintf_string("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
				      "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS");
	return "Prot LocalAddress:Port Scheduler Flags\n"
	       "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
	       "  => LocalAddress                 Conflicts  Conns\n";
}

std::string laddr_line(const Laddr &l, unsigned fmt, const Resolver &r)
{
	return sprintf_string("  => %-28s %-10llu %u%s\n", host_name(l.addr, fmt, r).c_str(),
			      static_cast<ull>(l.port_conflicts), l.conns, l.peer ? " peer" : "");
}

// Under a SYN proxy service's --stats line: its own share of the synproxy_* counters
// of /proc/net/ip_vs_fnat_stats, exact.
std::string synproxy_line(const SynProxyStats &p)
{
	return sprintf_string("  synproxy: syn %llu ack_ok %llu ack_bad %llu rs_fail %llu data_dropped %llu\n",
			      static_cast<ull>(p.syn), static_cast<ull>(p.ack_ok), static_cast<ull>(p.ack_bad),
			      static_cast<ull>(p.rs_fail), static_cast<ull>(p.data_dropped));
}

// What the passive check says of a destination, at the end of its listing line.
const char *check_suffix(const Dest &d)
{
	switch (d.check_state) {
	case IPVS_FNAT_DEST_CHECK_INHIBITED: return " inhibited";
	case IPVS_FNAT_DEST_CHECK_TRIAL: return " trial";
	default: return "";
	}
}

std::string service_block(const ServiceView &v, unsigned fmt, const Resolver &r)
{
	const Service &s = v.svc;
	std::string out;
	if (fmt & (FMT_STATS | FMT_RATE)) {
		out += sprintf_string("%-33s", service_title(s, fmt, r).c_str()) + counters(s.stats, fmt) + "\n";
		if ((fmt & FMT_STATS) && s.synproxy() && s.sp_stats)
			out += synproxy_line(*s.sp_stats);
		for (const Dest &d : v.dests)
			out += sprintf_string("  -> %-28s", dest_title(s, d, fmt, r).c_str()) +
			       counters(d.stats, fmt) + "\n";
		return out;
	}
	out += service_title(s, fmt, r) + " " + s.sched;
	if (s.persistent()) {
		out += sprintf_string(" persistent %u", s.timeout);
		if (partial_mask(s))
			out += " mask " + mask_text(s);
	}
	if (s.synproxy())
		out += " synproxy";
	if (s.dest_check())
		out += " dest-check";
	out += "\n";
	for (const Dest &d : v.dests)
		out += sprintf_string("  -> %-28s %-7s %-6u %-10u %-10u%s\n", dest_title(s, d, fmt, r).c_str(),
				      "FullNat", d.weight, d.active_conns, d.inact_conns, check_suffix(d));
	for (const Laddr &l : v.laddrs)
		out += laddr_line(l, fmt, r);
	return out;
}

std::string_view family_name(int af) { return af == AF_INET6 ? "inet6" : "inet"; }

json::Value stats_json(const Stats &s)
{
	return {{"conns", s.conns},   {"inpkts", s.inpkts}, {"outpkts", s.outpkts}, {"inbytes", s.inbytes},
		{"outbytes", s.outbytes}, {"cps", s.cps},       {"inpps", s.inpps},     {"outpps", s.outpps},
		{"inbps", s.inbps},   {"outbps", s.outbps}};
}

json::Value key_json(const ServiceKey &k)
{
	return {{"protocol", proto_name(k.proto)},
		{"af", family_name(k.af())},
		{"address", k.addr.str()},
		{"port", k.port}};
}

json::Value laddr_json(const Laddr &l)
{
	return {{"address", l.addr.str()},
		{"af", family_name(l.addr.af)},
		{"port_conflicts", l.port_conflicts},
		{"conns", l.conns},
		{"peer", l.peer}};
}

json::Value laddrs_json(const std::vector<Laddr> &laddrs)
{
	json::Value a = json::Value::array();
	for (const Laddr &l : laddrs)
		a.push_back(laddr_json(l));
	return a;
}

}  // namespace

std::string_view check_state_name(std::uint8_t state)
{
	switch (state) {
	case IPVS_FNAT_DEST_CHECK_OK: return "ok";
	case IPVS_FNAT_DEST_CHECK_INHIBITED: return "inhibited";
	case IPVS_FNAT_DEST_CHECK_TRIAL: return "trial";
	default: return "unknown";
	}
}

std::string owner_name(std::uint32_t owner)
{
	switch (owner) {
	case IPVS_FNAT_OWNER_NONE: return "none";
	case IPVS_FNAT_OWNER_MIRROR: return "mirror";
	default: return std::to_string(owner);
	}
}

namespace {

json::Value owner_json(std::uint32_t owner)
{
	if (owner == IPVS_FNAT_OWNER_NONE || owner == IPVS_FNAT_OWNER_MIRROR)
		return owner_name(owner);
	return owner;
}

json::Value service_json(const ServiceView &v)
{
	const Service &s = v.svc;
	json::Value o = key_json(s.key);
	o["scheduler"] = s.sched;
	o["flags"] = s.flags;
	o["persistent"] = s.persistent();
	o["synproxy"] = s.synproxy();
	o["dest_check"] = s.dest_check();
	o["owner"] = owner_json(s.owner);
	o["timeout"] = s.timeout;
	o["netmask"] = s.netmask;
	o["num_dests"] = s.num_dests;
	o["num_laddrs"] = s.num_laddrs;
	o["stats"] = stats_json(s.stats);
	if (s.sp_stats)
		o["synproxy_stats"] = {{"syn", s.sp_stats->syn},
				       {"ack_ok", s.sp_stats->ack_ok},
				       {"ack_bad", s.sp_stats->ack_bad},
				       {"rs_fail", s.sp_stats->rs_fail},
				       {"data_dropped", s.sp_stats->data_dropped}};
	json::Value dests = json::Value::array();
	for (const Dest &d : v.dests)
		dests.push_back(json::Value{{"address", d.addr.str()},
					    {"port", d.port},
					    {"af", family_name(d.addr.af)},
					    {"forward", "FullNat"},
					    {"weight", d.weight},
					    {"u_threshold", d.u_thresh},
					    {"l_threshold", d.l_thresh},
					    {"active_conns", d.active_conns},
					    {"inact_conns", d.inact_conns},
					    {"persist_conns", d.persist_conns},
					    {"check",
					     {{"state", check_state_name(d.check_state)},
					      {"fails", d.check_fails},
					      {"inhibit_left_ms", d.inhibit_left_ms},
					      {"inhibits", d.inhibits}}},
					    {"stats", stats_json(d.stats)}});
	o["destinations"] = std::move(dests);
	o["laddrs"] = laddrs_json(v.laddrs);
	return o;
}

json::Value endpoint_json(const Endpoint &e) { return {{"address", e.addr.str()}, {"port", e.port}}; }

}  // namespace

std::string version_string(std::uint32_t code)
{
	return sprintf_string("%u.%u.%u", (code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff);
}

std::string format_addr_port(const Address &addr, std::uint16_t port, Proto proto, unsigned fmt,
			     const Resolver &resolver)
{
	const std::string host = host_name(addr, fmt, resolver);
	const std::string p = port_name(port, proto, fmt, resolver);
	if (addr.af == AF_INET6)
		return "[" + host + "]:" + p;
	return host + ":" + p;
}

std::string format_list(const Listing &listing, unsigned fmt, const Resolver &r)
{
	std::string out;
	if (listing.info)
		out += sprintf_string("IP Virtual Server FULLNAT version %s (size=%u)\n",
				      version_string(listing.info->version).c_str(), listing.info->conn_tab_size);
	out += titles(fmt);
	for (const ServiceView &v : listing.services)
		out += service_block(v, fmt, r);
	if (!(fmt & (FMT_STATS | FMT_RATE)) && !listing.default_laddrs.empty()) {
		out += "Default local addresses\n";
		for (const Laddr &l : listing.default_laddrs)
			out += laddr_line(l, fmt, r);
	}
	return out;
}

std::string format_rules(const Listing &listing, unsigned fmt, const Resolver &r)
{
	std::string out;
	for (const ServiceView &v : listing.services) {
		const Service &s = v.svc;
		const std::string svc = std::string(proto_flag(s.key.proto)) + " " +
					format_addr_port(s.key.addr, s.key.port, s.key.proto, fmt, r);
		// A service another program made (ipvs-fnat-mirror's) is that program's to
		// make again: restored by -R it would be a hand-made one, which the program
		// then leaves alone. Named in a comment, not saved.
		if (s.owner != IPVS_FNAT_OWNER_NONE) {
			out += "# " + svc + " is made by " + owner_name(s.owner) + ": not saved\n";
			continue;
		}
		out += "-A " + svc + " -s " + s.sched;
		if (s.persistent()) {
			out += sprintf_string(" -p %u", s.timeout);
			if (partial_mask(s))
				out += " -M " + mask_text(s);
		}
		if (s.synproxy())
			out += " -j";
		if (s.dest_check())
			out += " --dest-check";
		out += "\n";
		for (const Dest &d : v.dests) {
			out += "-a " + svc + " -r " + format_addr_port(d.addr, d.port, s.key.proto, fmt, r) +
			       sprintf_string(" -b -w %u", d.weight);
			if (d.u_thresh)
				out += sprintf_string(" -x %u", d.u_thresh);
			if (d.l_thresh)
				out += sprintf_string(" -y %u", d.l_thresh);
			out += "\n";
		}
		for (const Laddr &l : v.laddrs)
			out += "-P " + svc + " -z " + l.addr.str() + (l.peer ? " --peer" : "") + "\n";
	}
	// The default pool last: -R adds it after the services, as they were saved.
	for (const Laddr &l : listing.default_laddrs)
		out += "-P -z " + l.addr.str() + (l.peer ? " --peer" : "") + "\n";
	return out;
}

std::string format_timeout(const Config &c)
{
	return sprintf_string("Timeout (tcp tcpfin udp): %u %u %u\n", c.timeout_tcp.value_or(0),
			      c.timeout_tcp_fin.value_or(0), c.timeout_udp.value_or(0));
}

std::string format_conns(const std::vector<Conn> &conns, unsigned fmt, const Resolver &r)
{
	std::string out = "IPVS connection entries\n";
	out += sprintf_string("pro expire %-11s %-18s %-18s %-18s %s\n", "state", "source", "virtual", "local",
			      "destination");
	for (const Conn &c : conns) {
		const unsigned secs = c.expires_ms / 1000;
		const std::string expire = sprintf_string("%02u:%02u", secs / 60, secs % 60);
		auto ep = [&](const Endpoint &e) { return format_addr_port(e.addr, e.port, c.proto, fmt, r); };
		out += sprintf_string("%-3s %-6s %-11s %-18s %-18s %-18s %s\n", std::string(proto_name(c.proto)).c_str(),
				      expire.c_str(), c.state_name.c_str(), ep(c.client).c_str(), ep(c.virt).c_str(),
				      ep(c.local).c_str(), ep(c.dest).c_str());
	}
	return out;
}

std::string format_laddrs(const Listing &listing, unsigned fmt, const Resolver &r)
{
	std::string out = sprintf_string("%-33s %s\n", "Prot LocalAddress:Port", "LocalAddresses");
	out += "  => LocalAddress                 Conflicts  Conns\n";
	for (const ServiceView &v : listing.services) {
		out += sprintf_string("%-33s %zu\n", service_title(v.svc, fmt, r).c_str(), v.laddrs.size());
		for (const Laddr &l : v.laddrs)
			out += laddr_line(l, fmt, r);
	}
	if (!listing.default_laddrs.empty()) {
		out += sprintf_string("%-33s %zu\n", "Default local addresses", listing.default_laddrs.size());
		for (const Laddr &l : listing.default_laddrs)
			out += laddr_line(l, fmt, r);
	}
	return out;
}

std::string json_list(const Listing &listing)
{
	json::Value root = json::Value::object();
	if (listing.info) {
		const Info &i = *listing.info;
		root["info"] = {{"version", version_string(i.version)},
				{"version_code", i.version},
				{"conn_tab_size", i.conn_tab_size},
				{"conn_count", i.conn_count},
				{"service_count", i.service_count}};
	}
	json::Value services = json::Value::array();
	for (const ServiceView &v : listing.services)
		services.push_back(service_json(v));
	root["services"] = std::move(services);
	if (listing.info)
		root["default_laddrs"] = laddrs_json(listing.default_laddrs);
	return json::dump(root);
}

std::string json_timeout(const Config &c)
{
	json::Value o = json::Value::object();
	auto put = [&o](const char *name, const auto &field) {
		if (field)
			o[name] = *field;
	};
	put("timeout_tcp", c.timeout_tcp);
	put("timeout_tcp_fin", c.timeout_tcp_fin);
	put("timeout_udp", c.timeout_udp);
	put("timeout_syn", c.timeout_syn);
	put("conn_max", c.conn_max);
	put("port_min", c.port_min);
	put("port_max", c.port_max);
	put("toa", c.toa);
	put("keep_timestamps", c.keep_timestamps);
	put("expire_rst", c.expire_rst);
	put("dest_check_fails", c.dc_fails);
	put("dest_check_inhibit_min", c.dc_inhibit_min);
	put("dest_check_inhibit_max", c.dc_inhibit_max);
	return json::dump(o);
}

std::string json_conns(const std::vector<Conn> &conns)
{
	json::Value a = json::Value::array();
	for (const Conn &c : conns)
		a.push_back(json::Value{{"protocol", proto_name(c.proto)},
					{"af", family_name(c.client.addr.af)},
					{"client", endpoint_json(c.client)},
					{"virtual", endpoint_json(c.virt)},
					{"local", endpoint_json(c.local)},
					{"destination", endpoint_json(c.dest)},
					{"state", c.state},
					{"state_name", c.state_name},
					{"expires_ms", c.expires_ms},
					{"flags", c.flags},
					{"toa_done", (c.flags & IPVS_FNAT_CONN_F_TOA_DONE) != 0},
					{"persistent", (c.flags & IPVS_FNAT_CONN_F_PERSISTENT) != 0}});
	return json::dump({{"connections", std::move(a)}});
}

std::string json_laddrs(const Listing &listing, bool with_default_pool)
{
	json::Value services = json::Value::array();
	for (const ServiceView &v : listing.services) {
		json::Value o = key_json(v.svc.key);
		o["laddrs"] = laddrs_json(v.laddrs);
		services.push_back(std::move(o));
	}
	json::Value root = {{"services", std::move(services)}};
	if (with_default_pool)
		root["default_laddrs"] = laddrs_json(listing.default_laddrs);
	return json::dump(root);
}

void sort_listing(Listing &listing)
{
	auto key = [](const ServiceKey &k) { return std::tie(k.addr.af, k.proto, k.addr, k.port); };
	std::stable_sort(listing.services.begin(), listing.services.end(),
			 [&](const ServiceView &a, const ServiceView &b) { return key(a.svc.key) < key(b.svc.key); });
	for (ServiceView &v : listing.services) {
		std::stable_sort(v.dests.begin(), v.dests.end(), [](const Dest &a, const Dest &b) {
			return std::tie(a.addr, a.port) < std::tie(b.addr, b.port);
		});
		std::stable_sort(v.laddrs.begin(), v.laddrs.end(),
				 [](const Laddr &a, const Laddr &b) { return a.addr < b.addr; });
	}
	std::stable_sort(listing.default_laddrs.begin(), listing.default_laddrs.end(),
			 [](const Laddr &a, const Laddr &b) { return a.addr < b.addr; });
}

std::string format_daemons(const std::vector<Daemon> &daemons, unsigned fmt)
{
	std::string out;
	for (const Daemon &d : daemons) {
		out += std::string(daemon_state_name(d.state)) + " sync daemon (mcast=" + d.mcast_ifn +
		       ", syncid=" + std::to_string(d.syncid);
		if (d.peers.empty()) {
			out += ", group=" + (d.group ? d.group->str() : std::string("?"));
		} else {
			out += ", peers=";
			for (std::size_t i = 0; i < d.peers.size(); i++)
				out += (i ? "," : "") + d.peers[i].str();
		}
		out += ", port=" + std::to_string(d.port) + ", ttl=" + std::to_string(d.ttl) +
		       ", key=" + (d.key_set ? "set" : "none");
		if (d.threshold)
			out += ", threshold=" + std::to_string(*d.threshold);
		if (d.synced)
			out += std::string(", synced=") + (*d.synced ? "yes" : "no");
		out += ")\n";
		for (const SyncMaster &m : d.masters)
			out += "  from master " + (m.addr ? m.addr->str() : std::string("?")) + " syncid " +
			       std::to_string(m.syncid) + ": " + (m.synced ? "synced" : "resyncing") + ", heard " +
			       std::to_string(m.heard_ms) + " ms ago\n";
		if (fmt & FMT_STATS)
			for (std::size_t i = 0; i < kSyncStatCount; i++)
				out += "  " + std::string(sync_stat_name(i)) + " " + std::to_string(d.stats[i]) + "\n";
	}
	return out;
}

std::string json_daemons(const std::vector<Daemon> &daemons)
{
	json::Value a = json::Value::array();
	for (const Daemon &d : daemons) {
		json::Value o = {{"state", daemon_state_name(d.state)},
				 {"mcast_interface", d.mcast_ifn},
				 {"syncid", d.syncid}};
		if (d.peers.empty()) {
			o["group"] = d.group ? d.group->str() : std::string();
		} else {
			json::Value p = json::Value::array();
			for (const Address &x : d.peers)
				p.push_back(x.str());
			o["peers"] = std::move(p);
		}
		o["port"] = d.port;
		o["ttl"] = d.ttl;
		o["key_set"] = d.key_set;
		if (d.threshold)
			o["threshold"] = *d.threshold;
		o["epoch"] = d.epoch;
		if (d.synced) {
			o["synced"] = *d.synced;
			json::Value ms = json::Value::array();
			for (const SyncMaster &m : d.masters)
				ms.push_back({{"address", m.addr ? m.addr->str() : std::string()},
					      {"syncid", m.syncid},
					      {"epoch", m.epoch},
					      {"synced", m.synced},
					      {"heard_ms", m.heard_ms}});
			o["masters"] = std::move(ms);
		}
		json::Value st = json::Value::object();
		for (std::size_t i = 0; i < kSyncStatCount; i++)
			st[std::string(sync_stat_name(i))] = d.stats[i];
		o["stats"] = std::move(st);
		a.push_back(std::move(o));
	}
	return json::dump({{"daemons", std::move(a)}});
}

}  // namespace fnat
