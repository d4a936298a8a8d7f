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
//
// With --lips, the director's own LIPs (every local address of its pools not marked
// peer) are managed too: announced while the daemon runs (behind the sync gate
// below), so that the real servers' replies come to the director that owns them,
// and withdrawn when it stops or a LIP leaves the pools. The other directors' LIPs
// (peer) are left to the routing daemon's own backup routes (docs/scale-out.md).
//
// With --sync-wait, nothing is announced until the kernel's sync backup says it
// holds a completed full resync of every master heard lately (GET_DAEMON's SYNCED):
// a director that joins (or comes back) would otherwise attract flows the router
// moves to it, which it would reset. Once it has, the gate stays open for the life
// of the process; --sync-timeout opens it after that long regardless.
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "fnat/kernel.hpp"
#include "iface.hpp"
#include "options.hpp"

namespace rhi {

using KernelFactory = std::function<std::shared_ptr<fnat::Kernel>()>;
using Clock = std::function<std::chrono::steady_clock::time_point()>;

class Injector {
public:
	Injector(KernelFactory kernel, Addresses &addrs, const Options &opts, std::ostream &log,
		 Clock clock = std::chrono::steady_clock::now)
		: kernel_(std::move(kernel)), addrs_(addrs), opts_(opts), log_(log), clock_(std::move(clock))
	{
	}
	// One pass; false if the kernel could not be read (everything withdrawn).
	bool pass();
	// Take every VIP this daemon manages off the interface (on exit).
	void withdraw_all();
	const std::set<fnat::Address> &managed() const { return managed_; }
	bool sync_gate_open() const { return !opts_.sync_wait || synced_; }

private:
	void say(const std::string &line);
	// --sync-wait: whether the gate opens with this pass (and why it does not).
	void check_sync(fnat::Kernel &k);
	KernelFactory kernel_;
	Addresses &addrs_;
	Options opts_;
	std::ostream &log_;
	std::set<fnat::Address> managed_;  // VIPs seen as ours: added, or found there
	std::string failing_;              // the kernel's last read error, logged once
	Clock clock_;
	bool synced_ = false;                                 // the gate is open
	std::optional<std::chrono::steady_clock::time_point> waiting_since_;
	std::string waiting_for_;                             // the last reason, logged once
};

}  // namespace rhi
