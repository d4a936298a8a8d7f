#include "injector.hpp"

#include <algorithm>
#include <map>
#include <ostream>

#include "fnat/uapi.hpp"
#include "health.hpp"

namespace rhi {

void Injector::say(const std::string &line) { log_ << "ipvs-fnat-rhi: " << line << std::endl; }

void Injector::check_sync(fnat::Kernel &k)
{
	const auto now = clock_();
	if (!waiting_since_)
		waiting_since_ = now;
	std::string why;
	const std::vector<fnat::Daemon> ds = k.daemons();
	const auto backup = std::find_if(ds.begin(), ds.end(),
					 [](const fnat::Daemon &d) { return d.state == IPVS_FNAT_DAEMON_BACKUP; });
	if (backup == ds.end()) {
		why = "no sync backup daemon runs";
	} else if (!backup->synced.value_or(false)) {
		unsigned done = 0;
		for (const fnat::SyncMaster &m : backup->masters)
			done += m.synced;
		why = "the sync backup holds " + std::to_string(done) + " of " + std::to_string(backup->masters.size()) +
		      " masters' connections";
	} else {
		synced_ = true;
		const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - *waiting_since_).count();
		say("the sync backup holds every live master's connections (after " + std::to_string(ms) +
		    " ms): announcing");
		return;
	}
	if (opts_.sync_timeout_s && now - *waiting_since_ >= std::chrono::seconds(opts_.sync_timeout_s)) {
		synced_ = true;
		say("announcing without the other directors' connections: " + why + " after " +
		    std::to_string(opts_.sync_timeout_s) + " s (--sync-timeout)");
		return;
	}
	if (why != waiting_for_)
		say("waiting to announce: " + why);
	waiting_for_ = why;
}

bool Injector::pass()
{
	std::vector<ServiceHealth> snap;
	std::set<fnat::Address> lips;  // this director's own (--lips)
	bool read = true;
	try {
		std::shared_ptr<fnat::Kernel> k = kernel_();
		for (const fnat::Service &s : k->services())
			snap.push_back({s.key, k->dests(s.key)});
		if (opts_.lips)
			for (const fnat::LaddrEntry &e : k->laddrs(std::nullopt))
				if (!e.laddr.peer)
					lips.insert(e.laddr.addr);
		if (!sync_gate_open())
			check_sync(*k);
		if (!failing_.empty())
			say("the kernel is readable again");
		failing_.clear();
	} catch (const std::exception &e) {
		if (failing_ != e.what())
			say(std::string("cannot read the FULLNAT services (") + e.what() + "): withdrawing every address");
		failing_ = e.what();
		snap.clear();
		lips.clear();
		read = false;
	}

	// What each address of ours should be, and why (for the log).
	struct Target {
		bool announce;
		std::string why;
	};
	std::map<fnat::Address, Target> want;
	const bool gate = sync_gate_open();
	for (const auto &[vip, v] : decide(snap, opts_.require, opts_.vips))
		want[vip] = {v.announce && gate, gate ? describe(vip, v) : vip.str() + ": waiting for sync"};
	for (const fnat::Address &lip : lips)
		want.try_emplace(lip, Target{gate, lip.str() + (gate ? ": a LIP of this director" : ": waiting for sync")});

	const std::set<fnat::Address> present = addrs_.list();
	for (const auto &[a, t] : want) {
		const bool there = present.count(a);
		if (there)
			managed_.insert(a);
		if (t.announce && !there) {
			addrs_.add(a);
			managed_.insert(a);
			say("announce " + t.why);
		} else if (!t.announce && there) {
			addrs_.del(a);
			say("withdraw " + t.why);
		} else if (opts_.verbose) {
			say(std::string(t.announce ? "announced " : "withdrawn ") + t.why);
		}
	}
	// Addresses of ours that no service has any more (and, without the kernel, all).
	for (auto it = managed_.begin(); it != managed_.end();) {
		if (want.count(*it)) {
			++it;
			continue;
		}
		if (present.count(*it)) {
			addrs_.del(*it);
			say("withdraw " + it->str() + (read ? ": no service" : ": the kernel cannot be read"));
		}
		it = managed_.erase(it);
	}
	return read;
}

void Injector::withdraw_all()
{
	const std::set<fnat::Address> present = addrs_.list();
	for (const fnat::Address &a : managed_)
		if (present.count(a)) {
			addrs_.del(a);
			say("withdraw " + a.str() + ": stopping");
		}
	managed_.clear();
}

}  // namespace rhi
