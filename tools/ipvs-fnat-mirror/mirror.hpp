#pragma once
// One reconcile cycle: read IPVS (desired), read IPVS_FNAT (current), plan, apply,
// and say so once when either side is unavailable. The poll loop (daemon.cpp) only
// decides when to call it.
#include <functional>
#include <memory>

#include "fnat/kernel.hpp"

#include "ipvs_source.hpp"
#include "log.hpp"
#include "reconcile.hpp"

namespace mirror {

class Mirror {
public:
	// Makes a connection to IPVS_FNAT; may throw ModuleNotLoaded or TransportError.
	using KernelFactory = std::function<std::shared_ptr<fnat::Kernel>()>;

	Mirror(IpvsSource &source, KernelFactory factory, PlanOptions opts, Log &log);

	// true when both sides were read and the whole plan applied (nothing failed or
	// was skipped). An unreadable IPVS side changes nothing at all.
	bool reconcile();
	// SIGHUP: the notes are logged again at the next reconcile.
	void renote() { notes_.reset(); }

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
	Condition ipvs_down_, fnat_down_;
};

}  // namespace mirror
