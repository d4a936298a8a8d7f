#pragma once
// Route health injection, the decision (docs/scale-out.md): which VIPs this director
// should announce, from what the kernel says of its services and real servers. A
// pure function over one snapshot, so that its rules are tested as tables.
#include <map>
#include <string>
#include <vector>

#include "fnat/model.hpp"

namespace rhi {

// How many of a VIP's services must be able to serve for it to be announced.
enum class Require { Any, All };

// A service as the snapshot holds it: its key and its real servers.
struct ServiceHealth {
	fnat::ServiceKey key;
	std::vector<fnat::Dest> dests;
};

// A VIP's verdict: announced or not, and what it was decided on.
struct VipVerdict {
	bool announce = false;
	unsigned services = 0;  // of this VIP
	unsigned serving = 0;   // of those, with a usable real server
	bool operator==(const VipVerdict &) const = default;
};

// Can dest take new connections, as far as health goes: a weight above 0 (0 is how
// keepalived and operators take a server out) and not held back by the passive
// check (inhibited, or in the trial that decides whether it is back). An upper
// connection threshold reached is load, not health: it does not count.
bool dest_usable(const fnat::Dest &d);

// Every VIP of the snapshot's services (or, when only is not empty, of those VIPs
// alone: a VIP of only with no service here is withdrawn), and whether to announce it.
std::map<fnat::Address, VipVerdict> decide(const std::vector<ServiceHealth> &services, Require require,
					   const std::vector<fnat::Address> &only);

// "192.0.2.10: 1 of 2 services can serve"
std::string describe(const fnat::Address &vip, const VipVerdict &v);

}  // namespace rhi
