#pragma once
// The current side: every IPVS_FNAT service of the daemon's namespace with its
// destinations, read through fnat::Kernel.
#include "fnat/kernel.hpp"

#include "reconcile.hpp"

namespace mirror {

// Throws what the kernel throws (KernelError if a service vanished between the two
// dumps, ModuleNotLoaded, TransportError): a partial read is never returned.
FnatSnapshot read_fnat(fnat::Kernel &kernel);

}  // namespace mirror
