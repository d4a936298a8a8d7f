#pragma once
// The hold-down of service deletions, as a pure function. A keepalived that stops
// without --dont-release-ipvs, or restarts, empties its IPVS table for a moment; the
// mirror must not delete and re-create every FULLNAT service for that. plan() proposes
// a DelService for every mirrored service IPVS lacks; hold_down() keeps such a delete
// only once the service has been absent from every snapshot for hold_ms continuously.
// Meanwhile the whole service is held: plan() proposes no dest change for it either.
// No clock, no I/O: the time is passed in (milliseconds of a monotonic clock).
#include <cstdint>
#include <optional>
#include <vector>

#include "reconcile.hpp"

namespace mirror {

// A mirrored service IPVS lacks, and since when (the first snapshot without it).
struct Absent {
	fnat::ServiceKey key;
	std::uint64_t since_ms = 0;
	bool expired = false;  // its hold ran out: the delete is planned (again if refused)
	bool operator==(const Absent &) const = default;
};
using AbsentSince = std::vector<Absent>;

struct HoldEvent {
	enum class Kind {
		Started,   // gone from IPVS: held
		Returned,  // back in IPVS before the hold-down ran out: nothing deleted
		Expired,   // still gone after hold_ms: the delete goes ahead (said once)
	};
	Kind kind = Kind::Started;
	fnat::ServiceKey key;
	std::uint64_t absent_ms = 0;  // how long it had been absent (Returned, Expired)
	bool operator==(const HoldEvent &) const = default;
};

struct Held {
	Plan plan;            // the input plan without the deletes still held
	AbsentSince absent;   // the state to pass to the next call
	std::vector<HoldEvent> events;
};

// p: plan()'s output for current (the FULLNAT snapshot it was made from). absent: the
// previous call's state. hold_ms 0: every delete goes ahead at once, no events, no
// state. A service that left the candidates because it is back in IPVS gives
// Returned; one no longer in FULLNAT at all (deleted, by the mirror or by hand) is
// forgotten silently.
Held hold_down(Plan p, const FnatSnapshot &current, const AbsentSince &absent, std::uint64_t now_ms,
	       unsigned hold_ms);

// When the first hold runs out (the earliest since_ms + hold_ms of those not expired
// yet), nullopt if nothing is held: the daemon reconciles then, not only at the next
// poll.
std::optional<std::uint64_t> next_hold_deadline(const AbsentSince &absent, unsigned hold_ms);

// The daemon's one-shot timer for that deadline: milliseconds from now_ms, at least 1 (a
// timerfd armed with 0 is disarmed; a deadline already passed fires at once); nullopt:
// disarmed.
std::optional<std::uint64_t> hold_timer_ms(std::optional<std::uint64_t> deadline, std::uint64_t now_ms);

// The event as one log line, e.g. "service TCP 192.0.2.10:80 gone from IPVS: deleting in
// 3000 ms unless it returns".
std::string describe(const HoldEvent &e, unsigned hold_ms);

}  // namespace mirror
