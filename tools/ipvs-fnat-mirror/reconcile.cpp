#include "reconcile.hpp"

#include <linux/ip_vs.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <string_view>

#include "fnat/uapi.hpp"

namespace mirror {
namespace {

using fnat::Address;
using fnat::DestSpec;
using fnat::Proto;
using fnat::ServiceKey;
using fnat::ServiceSpec;

bool supported_scheduler(const std::string &s)
{
	for (const char *n : {"rr", "wrr", "lc", "wlc", "sh", "mh"})
		if (s == n)
			return true;
	return false;
}

std::string_view fwd_name(std::uint32_t m)
{
	switch (m) {
	case IP_VS_CONN_F_MASQ:
		return "masq";
	case IP_VS_CONN_F_LOCALNODE:
		return "local";
	case IP_VS_CONN_F_TUNNEL:
		return "tunnel";
	case IP_VS_CONN_F_DROUTE:
		return "route";
	case IP_VS_CONN_F_BYPASS:
		return "bypass";
	default:
		return "unknown";
	}
}

std::string flags_text(std::uint32_t f)
{
	std::string out;
	const auto add = [&out](const char *n) { out += (out.empty() ? "" : "|") + std::string(n); };
	if (f & IPVS_FNAT_SVC_F_PERSISTENT)
		add("persistent");
	if (f & IPVS_FNAT_SVC_F_SYNPROXY)
		add("synproxy");
	if (f & IPVS_FNAT_SVC_F_DEST_CHECK)
		add("dest-check");
	return out.empty() ? "none" : out;
}

// The name of an IPVS service in notes, whatever it is.
std::string ipvs_service_text(const IpvsService &s)
{
	if (s.fwmark)
		return "FWM " + std::to_string(s.fwmark);
	std::string proto;
	switch (s.protocol) {
	case IPPROTO_TCP:
		proto = "TCP";
		break;
	case IPPROTO_UDP:
		proto = "UDP";
		break;
	case IPPROTO_SCTP:
		proto = "SCTP";
		break;
	default:
		proto = "protocol " + std::to_string(s.protocol);
	}
	if (s.addr.af != AF_INET && s.addr.af != AF_INET6)
		return proto + " (family " + std::to_string(s.af) + ") port " + std::to_string(s.port);
	return proto + " " + endpoint_text(s.addr, s.port);
}

// An IPVS service as IPVS_FNAT would hold it.
struct Mapped {
	ServiceKey key;
	std::string sched;
	bool persistent = false;
	std::uint32_t timeout = 0;  // when persistent
	std::uint8_t netmask = 0;   // when persistent
	std::vector<DestSpec> dests;
};

// The service's key if it has one IPVS_FNAT could hold (TCP/UDP, IPv4/IPv6, a port).
std::optional<ServiceKey> fnat_key(const IpvsService &s)
{
	if (s.fwmark || (s.protocol != IPPROTO_TCP && s.protocol != IPPROTO_UDP) ||
	    (s.af != AF_INET && s.af != AF_INET6) || s.addr.af != s.af || s.port == 0)
		return std::nullopt;
	return ServiceKey{static_cast<Proto>(s.protocol), s.addr, s.port};
}

// Whole or nothing: a reason to skip the service goes to skip and nullopt comes back;
// what is mapped differently goes to notes.
std::optional<Mapped> map_service(const IpvsService &s, std::string &skip, std::vector<std::string> &notes)
{
	if (s.fwmark) {
		skip = "firewall-mark services have no FULLNAT equivalent: not mirrored";
		return std::nullopt;
	}
	if (s.protocol != IPPROTO_TCP && s.protocol != IPPROTO_UDP) {
		skip = "FULLNAT serves TCP and UDP only: not mirrored";
		return std::nullopt;
	}
	const std::optional<ServiceKey> key = fnat_key(s);
	if (!key) {
		skip = s.port == 0 ? "a port-0 (every port) service has no FULLNAT equivalent: not mirrored"
				   : "unsupported address family: not mirrored";
		return std::nullopt;
	}
	if (!supported_scheduler(s.sched)) {
		skip = "scheduler " + s.sched + " has no FULLNAT equivalent (rr wrr lc wlc sh mh): not mirrored";
		return std::nullopt;
	}
	Mapped m;
	m.key = *key;
	m.sched = s.sched;
	m.persistent = (s.flags & IP_VS_SVC_F_PERSISTENT) != 0;
	if (m.persistent) {
		if (s.timeout < 1 || s.timeout > IPVS_FNAT_TIMEOUT_MAX) {
			skip = "persistence timeout " + std::to_string(s.timeout) + " out of FULLNAT's range: not mirrored";
			return std::nullopt;
		}
		if (s.netmask < 1 || s.netmask > fnat::full_prefix(s.af)) {
			skip = "persistence netmask /" + std::to_string(s.netmask) + " out of FULLNAT's range: not mirrored";
			return std::nullopt;
		}
		m.timeout = s.timeout;
		m.netmask = s.netmask;
	}
	// HASHED is the kernel's own bookkeeping; the rest are not FULLNAT's.
	const std::uint32_t ignored = s.flags & ~static_cast<std::uint32_t>(IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED);
	if (ignored) {
		char hex[16];
		std::snprintf(hex, sizeof(hex), "0x%x", ignored);
		notes.push_back(std::string("IPVS service flags ") + hex +
				" (one-packet, scheduler flags) have no FULLNAT equivalent: ignored");
	}
	std::set<std::string_view> methods;
	for (const IpvsDest &d : s.dests) {
		if (d.addr.af != s.af) {
			skip = "real server " + endpoint_text(d.addr, d.port) +
			       " is of another address family than the service: not mirrored";
			return std::nullopt;
		}
		methods.insert(fwd_name(d.fwd_method));
		DestSpec ds{d.addr, d.port ? d.port : s.port, d.weight, d.u_thresh, d.l_thresh};
		m.dests.push_back(ds);
	}
	if (!methods.empty()) {
		std::string list;
		for (std::string_view n : methods)
			list += (list.empty() ? "" : ", ") + std::string(n);
		notes.push_back("forwarding method " + list + " mirrored as FULLNAT");
	}
	return m;
}

const FnatServiceState *find_current(const FnatSnapshot &current, const ServiceKey &key)
{
	for (const FnatServiceState &c : current)
		if (c.svc.key == key)
			return &c;
	return nullptr;
}

Action service_action(Action::Kind kind, ServiceSpec spec)
{
	return Action{kind, std::move(spec), DestSpec{}};
}

Action dest_action(Action::Kind kind, const ServiceKey &key, DestSpec dest)
{
	ServiceSpec spec;
	spec.key = key;
	return Action{kind, std::move(spec), std::move(dest)};
}

// The dest changes that make cur's destinations m's: adds and edits first, then
// deletes, so that a replaced real server is never missed in between.
void plan_dests(const Mapped &m, const std::vector<fnat::Dest> &cur, std::vector<Action> &out)
{
	std::vector<Action> dels;
	for (const DestSpec &want : m.dests) {
		const auto it = std::find_if(cur.begin(), cur.end(), [&want](const fnat::Dest &d) {
			return d.addr == want.addr && d.port == want.port;
		});
		if (it == cur.end())
			out.push_back(dest_action(Action::Kind::AddDest, m.key, want));
		else if (it->weight != *want.weight || it->u_thresh != *want.u_thresh || it->l_thresh != *want.l_thresh)
			out.push_back(dest_action(Action::Kind::EditDest, m.key, want));
	}
	for (const fnat::Dest &d : cur) {
		const bool wanted = std::any_of(m.dests.begin(), m.dests.end(), [&d](const DestSpec &w) {
			return w.addr == d.addr && w.port == d.port;
		});
		if (!wanted)
			out.push_back(dest_action(Action::Kind::DelDest, m.key,
						  DestSpec{d.addr, d.port, std::nullopt, std::nullopt, std::nullopt}));
	}
}

}  // namespace

std::string endpoint_text(const Address &addr, std::uint16_t port)
{
	const std::string a = addr.af == AF_INET6 ? "[" + addr.str() + "]" : addr.str();
	return a + ":" + std::to_string(port);
}

std::string service_text(const ServiceKey &key)
{
	return std::string(fnat::proto_name(key.proto)) + " " + endpoint_text(key.addr, key.port);
}

std::string describe(const Action &a)
{
	const std::string svc = service_text(a.svc.key);
	const auto dest_fields = [&a]() {
		std::string s = " -> " + endpoint_text(a.dest.addr, a.dest.port);
		if (a.dest.weight)
			s += " weight " + std::to_string(*a.dest.weight);
		if (a.dest.u_thresh && *a.dest.u_thresh)
			s += " u_thresh " + std::to_string(*a.dest.u_thresh);
		if (a.dest.l_thresh && *a.dest.l_thresh)
			s += " l_thresh " + std::to_string(*a.dest.l_thresh);
		return s;
	};
	const auto svc_fields = [&a]() {
		std::string s;
		if (a.svc.sched)
			s += " " + std::string(a.kind == Action::Kind::EditService ? "sched " : "") + *a.svc.sched;
		if (a.svc.flags && (a.kind == Action::Kind::EditService || *a.svc.flags))
			s += " flags " + flags_text(*a.svc.flags);
		if (a.svc.timeout)
			s += " timeout " + std::to_string(*a.svc.timeout);
		if (a.svc.netmask)
			s += " netmask /" + std::to_string(*a.svc.netmask);
		return s;
	};
	switch (a.kind) {
	case Action::Kind::AddService:
		return "add service " + svc + svc_fields();
	case Action::Kind::EditService:
		return "edit service " + svc + svc_fields();
	case Action::Kind::DelService:
		return "delete service " + svc;
	case Action::Kind::AddDest:
		return "add dest " + svc + dest_fields();
	case Action::Kind::EditDest:
		return "edit dest " + svc + dest_fields();
	case Action::Kind::DelDest:
		return "delete dest " + svc + " -> " + endpoint_text(a.dest.addr, a.dest.port);
	}
	return "?";
}

Plan plan(const IpvsSnapshot &desired, const FnatSnapshot &current, const PlanOptions &opts)
{
	Plan out;
	std::vector<Action> dest_changes;
	// Every key IPVS holds, mirrored or not: a mirrored service whose IPVS twin
	// became unmirrorable is kept as it was, not deleted.
	std::vector<ServiceKey> in_ipvs;

	for (const IpvsService &s : desired.services) {
		const std::string name = ipvs_service_text(s);
		if (const auto key = fnat_key(s))
			in_ipvs.push_back(*key);
		std::string skip;
		std::vector<std::string> notes;
		const std::optional<Mapped> m = map_service(s, skip, notes);
		const FnatServiceState *cur = m ? find_current(current, m->key) : nullptr;
		if (!m) {
			const auto key = fnat_key(s);
			const FnatServiceState *stale = key ? find_current(current, *key) : nullptr;
			if (stale && stale->svc.owner == IPVS_FNAT_OWNER_MIRROR)
				skip += "; the FULLNAT service mirrored earlier is kept as it is";
			out.notes.push_back(Note{name, skip});
			continue;
		}
		if (cur && cur->svc.owner != IPVS_FNAT_OWNER_MIRROR) {
			out.notes.push_back(Note{name, "a FULLNAT service with this key was made by hand (owner " +
							       std::to_string(cur->svc.owner) + "): left untouched"});
			continue;
		}
		for (std::string &n : notes)
			out.notes.push_back(Note{name, std::move(n)});

		if (!cur) {
			ServiceSpec spec;
			spec.key = m->key;
			spec.sched = m->sched;
			std::uint32_t flags = m->persistent ? IPVS_FNAT_SVC_F_PERSISTENT : 0;
			if (opts.dest_check)
				flags |= IPVS_FNAT_SVC_F_DEST_CHECK;
			if (opts.synproxy && m->key.proto == Proto::TCP)
				flags |= IPVS_FNAT_SVC_F_SYNPROXY;
			spec.flags = flags;
			if (m->persistent) {
				spec.timeout = m->timeout;
				spec.netmask = m->netmask;
			}
			spec.owner = IPVS_FNAT_OWNER_MIRROR;
			out.actions.push_back(service_action(Action::Kind::AddService, spec));
			plan_dests(*m, {}, dest_changes);
			continue;
		}

		// Only what differs; of the flags, only PERSISTENT is the mirror's: the
		// others (SYNPROXY, DEST_CHECK) are kept whatever they are.
		ServiceSpec edit;
		edit.key = m->key;
		bool changed = false;
		if (cur->svc.sched != m->sched) {
			edit.sched = m->sched;
			changed = true;
		}
		if (cur->svc.persistent() != m->persistent) {
			edit.flags = (cur->svc.flags & ~static_cast<std::uint32_t>(IPVS_FNAT_SVC_F_PERSISTENT)) |
				     (m->persistent ? IPVS_FNAT_SVC_F_PERSISTENT : 0u);
			changed = true;
		}
		if (m->persistent) {
			if (cur->svc.timeout != m->timeout) {
				edit.timeout = m->timeout;
				changed = true;
			}
			if (cur->svc.netmask != m->netmask) {
				edit.netmask = m->netmask;
				changed = true;
			}
		}
		if (changed)
			out.actions.push_back(service_action(Action::Kind::EditService, edit));
		plan_dests(*m, cur->dests, dest_changes);
	}

	out.actions.insert(out.actions.end(), dest_changes.begin(), dest_changes.end());
	for (const FnatServiceState &c : current) {
		if (c.svc.owner != IPVS_FNAT_OWNER_MIRROR)
			continue;
		if (std::find(in_ipvs.begin(), in_ipvs.end(), c.svc.key) == in_ipvs.end()) {
			ServiceSpec spec;
			spec.key = c.svc.key;
			out.actions.push_back(service_action(Action::Kind::DelService, spec));
		}
	}
	return out;
}

}  // namespace mirror
