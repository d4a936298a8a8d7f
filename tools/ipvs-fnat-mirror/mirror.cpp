#include "mirror.hpp"

#include "fnat/errors.hpp"

#include "apply.hpp"
#include "fnat_state.hpp"

namespace mirror {

Mirror::Mirror(IpvsSource &source, KernelFactory factory, PlanOptions opts, Log &log)
	: source_(source), factory_(std::move(factory)), opts_(opts), log_(log)
{
}

bool Mirror::reconcile()
{
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

	const Plan p = plan(desired, current, opts_);
	notes_.report(p.notes, log_);
	log_.debug("reconcile: " + std::to_string(desired.services.size()) + " IPVS service(s), " +
		   std::to_string(current.size()) + " FULLNAT service(s), " + std::to_string(p.actions.size()) +
		   " change(s)");
	try {
		return apply(p, *kernel_, log_).clean();
	} catch (const std::runtime_error &e) {
		// ModuleNotLoaded / TransportError half-way: reconnect next time.
		kernel_.reset();
		fnat_down_.fail(std::string("IPVS_FNAT unavailable, retrying: ") + e.what(), log_);
		return false;
	}
}

}  // namespace mirror
