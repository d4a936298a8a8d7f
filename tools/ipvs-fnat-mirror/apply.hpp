#pragma once
// Executes a plan on the IPVS_FNAT kernel, one action at a time, logging each.
#include <cstddef>

#include "fnat/kernel.hpp"

#include "log.hpp"
#include "reconcile.hpp"

namespace mirror {

struct ApplyResult {
	std::size_t applied = 0;
	std::size_t failed = 0;   // refused by the kernel (KernelError), logged
	std::size_t skipped = 0;  // not tried: their service could not be added
	bool clean() const { return failed == 0 && skipped == 0; }
};

// A refused action is logged with the kernel's error and the others go on, except the
// destinations of a service whose add failed; the next reconcile retries all of it.
// ModuleNotLoaded and TransportError (the kernel is gone) propagate.
ApplyResult apply(const Plan &plan, fnat::Kernel &kernel, Log &log);

}  // namespace mirror
