#pragma once
// IpvsSource over the kernel's "IPVS" generic-netlink family, read inside another
// network namespace (keepalived's net_namespace_ipvs).
#include <string>

#include "ipvs_source.hpp"

struct nl_sock;

namespace mirror {

// Thrown when the daemon cannot get back into its own namespace after reading the
// shadow one: continuing would program IPVS_FNAT in the wrong place, so main exits.
class NamespaceLost : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

class NetlinkIpvs final : public IpvsSource {
public:
	// Nothing is opened here: the namespace and the ip_vs module may not exist yet
	// (keepalived makes and loads them), so every snapshot() connects if needed.
	explicit NetlinkIpvs(std::string netns);
	~NetlinkIpvs() override;
	NetlinkIpvs(const NetlinkIpvs &) = delete;
	NetlinkIpvs &operator=(const NetlinkIpvs &) = delete;

	// IpvsUnavailable when the namespace or the family is missing or netlink fails;
	// after any failure the socket is dropped and the next call starts afresh.
	IpvsSnapshot snapshot() override;

private:
	void connect();
	void disconnect();
	IpvsSnapshot read();

	std::string netns_;
	// Lifetime: from the first successful connect() until an error (or the end).
	// The socket stays bound to the shadow namespace after we leave it.
	nl_sock *sk_ = nullptr;
	int family_ = -1;
};

}  // namespace mirror
