#pragma once
// One reconcile cycle: read IPVS (desired), read IPVS_FNAT (current), plan, apply,
// and say so once when either side is unavailable. The poll loop (daemon.cpp) only
// decides when to call it.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "fnat/kernel.hpp"

#include "hold.hpp"
#include "ipvs_source.hpp"
#include "log.hpp"
#include "reconcile.hpp"

namespace mirror {

class Mirror {
public:
	// Makes a connection to IPVS_FNAT; may throw ModuleNotLoaded or TransportError.
	using KernelFactory = std::function<std::shared_ptr<fnat::Kernel>()>;

	// Milliseconds of a monotonic clock (steady_clock unless a test scripts it).
	using Clock = std::function<std::uint64_t()>;

	// hold_down_ms: how long a mirrored service must be gone from IPVS before it is
	// deleted (hold.hpp); 0 deletes at once.
	Mirror(IpvsSource &source, KernelFactory factory, PlanOptions opts, Log &log, unsigned hold_down_ms = 0,
	       Clock clock = {});

	// true when both sides were read and the whole plan applied (nothing failed or
	// was skipped). An unreadable IPVS side changes nothing at all.
	bool reconcile();
	// SIGHUP: the notes are logged again at the next reconcile.
	void renote() { notes_.reset(); }
	// When a hold-down runs out (the clock's milliseconds), nullopt if none is held:
	// the daemon reconciles then.
	std::optional<std::uint64_t> next_deadline() const { return next_hold_deadline(absent_, hold_down_ms_); }
	std::uint64_t now_ms() const { return clock_(); }
	// Changes the last reconcile applied to IPVS_FNAT (0 when it could not run).
	std::size_t last_applied() const { return last_applied_; }

private:
	IpvsSource &source_;
	KernelFactory factory_;
	// Lifetime: made on first need and kept across cycles; dropped when the module
	// goes away or the transport fails, so that a reloaded module (a new family id)
	// is found again by the next cycle.
	std::shared_ptr<fnat::Kernel> kernel_;
	PlanOptions opts_;
	Log &log_;
	NoteLog notes_;
	unsigned hold_down_ms_;
	Clock clock_;
	// Mirrored services gone from IPVS, held: kept across cycles, untouched by a cycle
	// that could not read a side.
	AbsentSince absent_;
	Condition ipvs_down_, fnat_down_;
	std::size_t last_applied_ = 0;
};

}  // namespace mirror
