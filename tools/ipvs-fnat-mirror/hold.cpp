#include "hold.hpp"

#include <algorithm>

#include "fnat/uapi.hpp"

namespace mirror {
namespace {

const Absent *find_absent(const AbsentSince &absent, const fnat::ServiceKey &key)
{
	for (const Absent &a : absent)
		if (a.key == key)
			return &a;
	return nullptr;
}

bool in_fnat(const FnatSnapshot &current, const fnat::ServiceKey &key)
{
	return std::any_of(current.begin(), current.end(), [&key](const FnatServiceState &c) {
		return c.svc.key == key && c.svc.owner == IPVS_FNAT_OWNER_MIRROR;
	});
}

}  // namespace

Held hold_down(Plan p, const FnatSnapshot &current, const AbsentSince &absent, std::uint64_t now_ms,
	       unsigned hold_ms)
{
	Held out;
	std::vector<Action> kept;
	for (Action &a : p.actions) {
		if (a.kind != Action::Kind::DelService || hold_ms == 0) {
			kept.push_back(std::move(a));
			continue;
		}
		const Absent *prev = find_absent(absent, a.svc.key);
		const std::uint64_t since = prev ? prev->since_ms : now_ms;
		const std::uint64_t gone = now_ms >= since ? now_ms - since : 0;
		if (gone >= hold_ms) {
			// Kept in the state: a refused delete is retried at once next time,
			// and the entry is forgotten once the service is no longer in FULLNAT.
			if (!prev || !prev->expired)
				out.events.push_back(HoldEvent{HoldEvent::Kind::Expired, a.svc.key, gone});
			out.absent.push_back(Absent{a.svc.key, since, true});
			kept.push_back(std::move(a));
			continue;
		}
		if (!prev)
			out.events.push_back(HoldEvent{HoldEvent::Kind::Started, a.svc.key, 0});
		out.absent.push_back(Absent{a.svc.key, since, false});
	}
	// Held earlier, no longer a candidate: back in IPVS, or gone from FULLNAT.
	for (const Absent &a : absent) {
		if (find_absent(out.absent, a.key))
			continue;
		// Still in FULLNAT: IPVS has it again. Not there: deleted (an expired
		// hold's delete went through, or by hand): forgotten silently.
		if (in_fnat(current, a.key)) {
			const std::uint64_t gone = now_ms >= a.since_ms ? now_ms - a.since_ms : 0;
			out.events.push_back(HoldEvent{HoldEvent::Kind::Returned, a.key, gone});
		}
	}
	p.actions = std::move(kept);
	out.plan = std::move(p);
	return out;
}

std::optional<std::uint64_t> next_hold_deadline(const AbsentSince &absent, unsigned hold_ms)
{
	std::optional<std::uint64_t> first;
	for (const Absent &a : absent) {
		if (a.expired)  // its delete is planned at every reconcile: nothing to wait for
			continue;
		const std::uint64_t d = a.since_ms + hold_ms;
		if (!first || d < *first)
			first = d;
	}
	return first;
}

std::optional<std::uint64_t> hold_timer_ms(std::optional<std::uint64_t> deadline, std::uint64_t now_ms)
{
	if (!deadline)
		return std::nullopt;
	return *deadline > now_ms ? *deadline - now_ms : 1;
}

std::string describe(const HoldEvent &e, unsigned hold_ms)
{
	const std::string svc = "service " + service_text(e.key);
	switch (e.kind) {
	case HoldEvent::Kind::Started:
		return svc + " gone from IPVS: deleting in " + std::to_string(hold_ms) + " ms unless it returns";
	case HoldEvent::Kind::Returned:
		return svc + " back in IPVS after " + std::to_string(e.absent_ms) + " ms: hold ended, nothing deleted";
	case HoldEvent::Kind::Expired:
		return svc + " still gone from IPVS after " + std::to_string(e.absent_ms) + " ms: hold ended, deleting";
	}
	return "?";
}

}  // namespace mirror
