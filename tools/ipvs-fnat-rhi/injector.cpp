#include "injector.hpp"

#include <ostream>

#include "health.hpp"

namespace rhi {

void Injector::say(const std::string &line) { log_ << "ipvs-fnat-rhi: " << line << std::endl; }

bool Injector::pass()
{
	std::vector<ServiceHealth> snap;
	bool read = true;
	try {
		std::shared_ptr<fnat::Kernel> k = kernel_();
		for (const fnat::Service &s : k->services())
			snap.push_back({s.key, k->dests(s.key)});
		if (!failing_.empty())
			say("the kernel is readable again");
		failing_.clear();
	} catch (const std::exception &e) {
		if (failing_ != e.what())
			say(std::string("cannot read the FULLNAT services (") + e.what() + "): withdrawing every VIP");
		failing_ = e.what();
		snap.clear();
		read = false;
	}
	const auto verdicts = decide(snap, opts_.require, opts_.vips);
	const std::set<fnat::Address> present = addrs_.list();
	for (const auto &[vip, v] : verdicts) {
		const bool there = present.count(vip);
		if (there)
			managed_.insert(vip);
		if (v.announce && !there) {
			addrs_.add(vip);
			managed_.insert(vip);
			say("announce " + describe(vip, v));
		} else if (!v.announce && there) {
			addrs_.del(vip);
			say("withdraw " + describe(vip, v));
		} else if (opts_.verbose) {
			say(std::string(v.announce ? "announced " : "withdrawn ") + describe(vip, v));
		}
	}
	// VIPs of ours that no service has any more (and, without the kernel, all).
	for (auto it = managed_.begin(); it != managed_.end();) {
		if (verdicts.count(*it)) {
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
