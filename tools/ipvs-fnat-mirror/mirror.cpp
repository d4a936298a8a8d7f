#include "mirror.hpp"

#include <chrono>

#include "fnat/errors.hpp"

#include "apply.hpp"
#include "fnat_state.hpp"

namespace mirror {

namespace {

std::uint64_t steady_ms()
{
	using namespace std::chrono;
	return static_cast<std::uint64_t>(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

}  // namespace

Mirror::Mirror(IpvsSource &source, KernelFactory factory, PlanOptions opts, Log &log, unsigned hold_down_ms,
	       Clock clock)
	: source_(source), factory_(std::move(factory)), opts_(opts), log_(log), hold_down_ms_(hold_down_ms),
	  clock_(clock ? std::move(clock) : Clock(steady_ms))
{
}

bool Mirror::reconcile()
{
	last_applied_ = 0;
	// The IPVS side first: when it cannot be read, IPVS_FNAT is not even looked at
	// (an unreadable snapshot is not an empty one: nothing is deleted for it).
	IpvsSnapshot desired;
	try {
		desired = source_.snapshot();
	} catch (const IpvsUnavailable &e) {
		ipvs_down_.fail(std::string("IPVS side unavailable, retrying: ") + e.what(), log_);
		return false;
	}
	ipvs_down_.clear("IPVS side readable again", log_);

	FnatSnapshot current;
	try {
		if (!kernel_)
			kernel_ = factory_();
		current = read_fnat(*kernel_);
	} catch (const fnat::ModuleNotLoaded &e) {
		kernel_.reset();
		fnat_down_.fail(std::string("IPVS_FNAT unavailable, retrying: ") + e.what(), log_);
		return false;
	} catch (const fnat::TransportError &e) {
		kernel_.reset();
		fnat_down_.fail(std::string("IPVS_FNAT unavailable, retrying: ") + e.what(), log_);
		return false;
	} catch (const fnat::KernelError &e) {
		// A service went away between the dumps, or we may not read: next time
		// (said once while it lasts).
		fnat_down_.fail(std::string("cannot read the FULLNAT services, retrying: ") +
					fnat::error_message(e.cmd(), e.err(), e.extack()),
				log_);
		return false;
	}
	fnat_down_.clear("IPVS_FNAT reachable again", log_);

	Held held = hold_down(plan(desired, current, opts_), current, absent_, clock_(), hold_down_ms_);
	absent_ = std::move(held.absent);
	for (const HoldEvent &e : held.events)
		log_.info(describe(e, hold_down_ms_));
	const Plan &p = held.plan;
	notes_.report(p.notes, log_);
	log_.debug("reconcile: " + std::to_string(desired.services.size()) + " IPVS service(s), " +
		   std::to_string(current.size()) + " FULLNAT service(s), " + std::to_string(p.actions.size()) +
		   " change(s)");
	try {
		const ApplyResult r = apply(p, *kernel_, log_);
		last_applied_ = r.applied;
		return r.clean();
	} catch (const std::runtime_error &e) {
		// ModuleNotLoaded / TransportError half-way: reconnect next time.
		kernel_.reset();
		fnat_down_.fail(std::string("IPVS_FNAT unavailable, retrying: ") + e.what(), log_);
		return false;
	}
}

}  // namespace mirror
