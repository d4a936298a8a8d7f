#pragma once
// One pass of route health injection, and the state kept between passes.
//
// Each pass reads the kernel's services and real servers (a fresh netlink session,
// so that a reloaded module is found again), decides (health.hpp) and brings the
// interface's addresses in line: a VIP to announce is added, one not to announce is
// removed. Only VIPs are touched: other addresses on the interface (LIPs put there
// by hand, say) are left alone. A VIP this daemon added whose services are all gone
// is removed too. When the kernel cannot be read (module not loaded), every VIP is
// withdrawn: a director that cannot see its services cannot serve them.
#include <functional>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>

#include "fnat/kernel.hpp"
#include "iface.hpp"
#include "options.hpp"

namespace rhi {

using KernelFactory = std::function<std::shared_ptr<fnat::Kernel>()>;

class Injector {
public:
	Injector(KernelFactory kernel, Addresses &addrs, const Options &opts, std::ostream &log)
		: kernel_(std::move(kernel)), addrs_(addrs), opts_(opts), log_(log)
	{
	}
	// One pass; false if the kernel could not be read (everything withdrawn).
	bool pass();
	// Take every VIP this daemon manages off the interface (on exit).
	void withdraw_all();
	const std::set<fnat::Address> &managed() const { return managed_; }

private:
	void say(const std::string &line);
	KernelFactory kernel_;
	Addresses &addrs_;
	Options opts_;
	std::ostream &log_;
	std::set<fnat::Address> managed_;  // VIPs seen as ours: added, or found there
	std::string failing_;              // the kernel's last read error, logged once
};

}  // namespace rhi
