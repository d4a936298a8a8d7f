#pragma once
// The kernel IPVS configuration as ipvs-fnat-mirror reads it (the desired state):
// plain values from the "IPVS" generic-netlink family (<linux/ip_vs.h>), host byte
// order, nothing interpreted yet. reconcile.cpp decides what maps to IPVS_FNAT.
#include <cstdint>
#include <string>
#include <vector>

#include "fnat/model.hpp"

namespace mirror {

// A real server of an IPVS service (IPVS_DEST_ATTR_*).
struct IpvsDest {
	fnat::Address addr;  // its family: ADDR_FAMILY when sent, else the service's
	std::uint16_t port = 0;
	std::uint32_t fwd_method = 0;  // IP_VS_CONN_F_MASQ / _LOCALNODE / _TUNNEL / _DROUTE
	std::uint32_t weight = 0;
	std::uint32_t u_thresh = 0;
	std::uint32_t l_thresh = 0;
	bool operator==(const IpvsDest &) const = default;
};

// An IPVS virtual service (IPVS_SVC_ATTR_*) with its real servers.
struct IpvsService {
	int af = 0;                // AF_INET / AF_INET6 (others are kept, and skipped later)
	std::uint16_t protocol = 0;  // IPPROTO_*; 0 for a fwmark service
	fnat::Address addr;        // empty (AF_UNSPEC) for a fwmark service
	std::uint16_t port = 0;
	std::uint32_t fwmark = 0;  // non-zero: a firewall-mark service (no address/port)
	std::string sched;
	std::uint32_t flags = 0;    // IP_VS_SVC_F_*
	std::uint32_t timeout = 0;  // persistence timeout, seconds
	std::uint8_t netmask = 0;   // persistence granularity as a prefix length
	std::vector<IpvsDest> dests;
	bool operator==(const IpvsService &) const = default;
};

// Everything IPVS holds in the shadow namespace, in the kernel's dump order.
struct IpvsSnapshot {
	std::vector<IpvsService> services;
	bool operator==(const IpvsSnapshot &) const = default;
};

}  // namespace mirror
