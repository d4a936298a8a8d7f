#include "prometheus.hpp"

#include <optional>
#include <charconv>
#include <sstream>
#include <utility>

#include "fnat/uapi.hpp"

#include "format.hpp"

namespace fnat {
namespace {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// One metric family: its samples in the order they were added.
struct Family {
	std::string name;
	std::string_view type;  // "counter" | "gauge"
	std::string help;
	std::string samples;
};

// The exposition being built: families in the order of their first sample, so that
// each family's lines stay together whatever order the samples come in.
class Exposition {
public:
	void add(std::string_view name, std::string_view type, std::string_view help, const Labels &labels,
		 std::uint64_t value)
	{
		Family &f = family(name, type, help);
		f.samples += f.name;
		if (!labels.empty()) {
			f.samples += '{';
			for (std::size_t i = 0; i < labels.size(); i++) {
				if (i)
					f.samples += ',';
				f.samples += labels[i].first;
				f.samples += "=\"";
				f.samples += prometheus_escape(labels[i].second);
				f.samples += '"';
			}
			f.samples += '}';
		}
		f.samples += ' ';
		f.samples += std::to_string(value);
		f.samples += '\n';
	}
	void counter(std::string_view name, std::string_view help, const Labels &l, std::uint64_t v)
	{
		add(name, "counter", help, l, v);
	}
	void gauge(std::string_view name, std::string_view help, const Labels &l, std::uint64_t v)
	{
		add(name, "gauge", help, l, v);
	}
	std::string str() const
	{
		std::string out;
		for (const Family &f : families_) {
			out += "# HELP " + f.name + " " + prometheus_escape(f.help, false) + "\n";
			out += "# TYPE " + f.name + " " + std::string(f.type) + "\n";
			out += f.samples;
		}
		return out;
	}

private:
	Family &family(std::string_view name, std::string_view type, std::string_view help)
	{
		for (Family &f : families_)
			if (f.name == name)
				return f;
		families_.push_back(Family{std::string(name), type, std::string(help), {}});
		return families_.back();
	}
	std::vector<Family> families_;
};

Labels service_labels(const ServiceKey &k)
{
	return {{"protocol", std::string(proto_name(k.proto))}, {"address", k.addr.str()}, {"port", std::to_string(k.port)}};
}

Labels with(Labels l, std::initializer_list<std::pair<std::string_view, std::string>> more)
{
	for (const auto &m : more)
		l.push_back(m);
	return l;
}

const char *boolean(bool b) { return b ? "true" : "false"; }

// Connections, packets and bytes of a service or real server (prefix ipvs_fnat_service_
// or ipvs_fnat_server_).
void traffic(Exposition &e, const std::string &prefix, const Labels &l, const Stats &s)
{
	e.counter(prefix + "connections_total", "Connections scheduled (since creation or the last -Z).", l,
		  s.conns);
	e.counter(prefix + "incoming_packets_total", "Packets from the clients to the real servers.", l, s.inpkts);
	e.counter(prefix + "outgoing_packets_total", "Packets from the real servers to the clients.", l, s.outpkts);
	e.counter(prefix + "incoming_bytes_total", "Bytes from the clients to the real servers.", l, s.inbytes);
	e.counter(prefix + "outgoing_bytes_total", "Bytes from the real servers to the clients.", l, s.outbytes);
}

void laddr(Exposition &e, Labels l, const Laddr &a, const std::optional<ServiceKey> &svc)
{
	if (svc)
		for (auto &kv : service_labels(*svc))
			l.push_back(std::move(kv));
	l.emplace_back("local_address", a.addr.str());
	e.gauge("ipvs_fnat_laddr_connections", "Live connections using the local address.", l, a.conns);
	e.counter("ipvs_fnat_laddr_port_conflicts_total", "Local ports found taken while allocating.", l,
		  a.port_conflicts);
}

bool metric_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

}  // namespace

std::string prometheus_escape(std::string_view s, bool label_value)
{
	std::string out;
	out.reserve(s.size());
	for (char c : s) {
		if (c == '\\')
			out += "\\\\";
		else if (c == '\n')
			out += "\\n";
		else if (c == '"' && label_value)
			out += "\\\"";
		else
			out += c;
	}
	return out;
}

std::vector<ProcCounter> parse_proc_counters(std::string_view text)
{
	std::vector<ProcCounter> out;
	std::istringstream in{std::string(text)};
	for (std::string line; std::getline(in, line);) {
		std::istringstream words(line);
		std::string name, value, extra;
		if (!(words >> name >> value) || (words >> extra))
			continue;
		bool ok = true;
		for (std::size_t i = 0; i < name.size(); i++)
			ok = ok && metric_name_char(name[i], i == 0);
		std::uint64_t v = 0;
		auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
		if (!ok || ec != std::errc() || p != value.data() + value.size())
			continue;
		out.push_back(ProcCounter{name, v});
	}
	return out;
}

std::string format_prometheus(const Listing &listing, const std::vector<ProcCounter> &counters)
{
	Exposition e;
	for (const ServiceView &v : listing.services) {
		const Service &s = v.svc;
		const Labels sl = service_labels(s.key);
		e.gauge("ipvs_fnat_service_info", "A virtual service: its scheduler, owner and switches (always 1).",
			with(sl, {{"scheduler", s.sched},
				  {"owner", owner_name(s.owner)},
				  {"synproxy", boolean(s.synproxy())},
				  {"dest_check", boolean(s.dest_check())}}),
			1);
	}
	for (const ServiceView &v : listing.services)
		traffic(e, "ipvs_fnat_service_", service_labels(v.svc.key), v.svc.stats);
	for (const ServiceView &v : listing.services) {
		const Service &s = v.svc;
		if (s.key.proto != Proto::TCP || !s.sp_stats)
			continue;
		const Labels sl = service_labels(s.key);
		const SynProxyStats &p = *s.sp_stats;
		e.counter("ipvs_fnat_service_synproxy_syn_total", "SYN proxy: SYN-ACKs with a cookie sent.", sl, p.syn);
		e.counter("ipvs_fnat_service_synproxy_ack_ok_total", "SYN proxy: ACKs whose cookie checked.", sl,
			  p.ack_ok);
		e.counter("ipvs_fnat_service_synproxy_ack_bad_total",
			  "SYN proxy: ACKs whose cookie did not check (dropped).", sl, p.ack_bad);
		e.counter("ipvs_fnat_service_synproxy_rs_fail_total",
			  "SYN proxy: real servers that refused or stayed silent.", sl, p.rs_fail);
		e.counter("ipvs_fnat_service_synproxy_data_dropped_total",
			  "SYN proxy: client segments dropped while the real server was asked.", sl, p.data_dropped);
	}
	for (const ServiceView &v : listing.services) {
		const Labels sl = service_labels(v.svc.key);
		for (const Dest &d : v.dests) {
			const Labels dl =
				with(sl, {{"server_address", d.addr.str()}, {"server_port", std::to_string(d.port)}});
			const bool inhibited = d.check_state == IPVS_FNAT_DEST_CHECK_INHIBITED ||
					       d.check_state == IPVS_FNAT_DEST_CHECK_TRIAL;
			e.gauge("ipvs_fnat_server_weight", "Weight of the real server.", dl, d.weight);
			e.gauge("ipvs_fnat_server_inhibited",
				"1 while the passive check keeps new connections from the real server "
				"(inhibited or on trial).",
				dl, inhibited ? 1 : 0);
			e.gauge("ipvs_fnat_server_check_fails", "Handshakes to the real server failed in a row.", dl,
				d.check_fails);
			e.counter("ipvs_fnat_server_inhibits_total", "Times the passive check inhibited the real server.",
				  dl, d.inhibits);
			e.gauge("ipvs_fnat_server_active_connections", "Active connections to the real server.", dl,
				d.active_conns);
			e.gauge("ipvs_fnat_server_inactive_connections", "Inactive connections to the real server.", dl,
				d.inact_conns);
			e.gauge("ipvs_fnat_server_persistent_connections",
				"Persistence templates pointing to the real server.", dl, d.persist_conns);
			traffic(e, "ipvs_fnat_server_", dl, d.stats);
		}
	}
	// Local addresses: a service's own (pool="service", with the service's labels), then
	// the namespace's default pool (pool="default").
	for (const ServiceView &v : listing.services)
		for (const Laddr &a : v.laddrs)
			laddr(e, {{"pool", "service"}}, a, v.svc.key);
	for (const Laddr &a : listing.default_laddrs)
		laddr(e, {{"pool", "default"}}, a, std::nullopt);
	// The datapath's counters; "conns" is the live connection count.
	for (const ProcCounter &c : counters) {
		if (c.name == "conns")
			e.gauge("ipvs_fnat_conns", "Live connections of the namespace.", {}, c.value);
		else
			e.counter("ipvs_fnat_" + c.name + "_total",
				  "Datapath counter " + c.name + " of /proc/net/ip_vs_fnat_stats.", {}, c.value);
	}
	return e.str();
}

}  // namespace fnat
