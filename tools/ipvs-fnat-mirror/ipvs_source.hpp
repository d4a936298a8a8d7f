#pragma once
// Where the desired state comes from. NetlinkIpvs (netlink_ipvs.hpp) reads the
// kernel's IPVS tables in the shadow namespace; the unit tests use a scripted one.
#include <stdexcept>

#include "ipvs_model.hpp"

namespace mirror {

// The IPVS side could not be read (no namespace yet, ip_vs not loaded yet, a netlink
// error, a malformed reply). Never the same as an empty snapshot: nothing may be
// deleted on the strength of it.
class IpvsUnavailable : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

class IpvsSource {
public:
	virtual ~IpvsSource() = default;
	// Every service with its destinations, or IpvsUnavailable.
	virtual IpvsSnapshot snapshot() = 0;
};

}  // namespace mirror
