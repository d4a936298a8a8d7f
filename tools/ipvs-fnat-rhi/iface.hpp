#pragma once
// The addresses of one interface, over rtnetlink: what the routing daemon announces
// (BIRD's "direct" protocol, FRR's "redistribute connected" with a route-map on the
// interface). Each VIP goes on as a host prefix (/32, /128); IPv6 ones without
// duplicate address detection, so that they are usable, and announced, at once.
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "fnat/model.hpp"

struct nl_sock;

namespace rhi {

class IfaceError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// What the daemon needs of an interface; the unit tests fake it.
class Addresses {
public:
	virtual ~Addresses() = default;
	virtual std::set<fnat::Address> list() = 0;  // host prefixes only
	virtual void add(const fnat::Address &a) = 0;
	virtual void del(const fnat::Address &a) = 0;
};

class NetlinkAddresses : public Addresses {
public:
	// Throws IfaceError if there is no such interface or no rtnetlink socket.
	explicit NetlinkAddresses(const std::string &ifname);
	~NetlinkAddresses() override;
	std::set<fnat::Address> list() override;
	void add(const fnat::Address &a) override;
	void del(const fnat::Address &a) override;

private:
	void change(int type, const fnat::Address &a);
	std::string ifname_;
	int ifindex_;
	nl_sock *sk_;
};

}  // namespace rhi
