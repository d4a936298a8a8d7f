#include "apply.hpp"

#include <algorithm>
#include <vector>

#include "fnat/errors.hpp"

namespace mirror {
namespace {

void run(const Action &a, fnat::Kernel &k)
{
	switch (a.kind) {
	case Action::Kind::AddService:
		k.add_service(a.svc);
		break;
	case Action::Kind::EditService:
		k.edit_service(a.svc);
		break;
	case Action::Kind::DelService:
		k.del_service(a.svc.key);
		break;
	case Action::Kind::AddDest:
		k.add_dest(a.svc.key, a.dest);
		break;
	case Action::Kind::EditDest:
		k.edit_dest(a.svc.key, a.dest);
		break;
	case Action::Kind::DelDest:
		k.del_dest(a.svc.key, a.dest.addr, a.dest.port);
		break;
	}
}

bool is_dest(Action::Kind k)
{
	return k == Action::Kind::AddDest || k == Action::Kind::EditDest || k == Action::Kind::DelDest;
}

}  // namespace

ApplyResult apply(const Plan &plan, fnat::Kernel &kernel, Log &log)
{
	ApplyResult r;
	std::vector<fnat::ServiceKey> not_added;
	for (const Action &a : plan.actions) {
		const std::string what = describe(a);
		if (is_dest(a.kind) &&
		    std::find(not_added.begin(), not_added.end(), a.svc.key) != not_added.end()) {
			log.info("skipped: " + what + " (the service could not be added)");
			++r.skipped;
			continue;
		}
		try {
			run(a, kernel);
			log.info(what);
			++r.applied;
		} catch (const fnat::KernelError &e) {
			log.info("failed: " + what + ": " + fnat::error_message(e.cmd(), e.err(), e.extack()));
			++r.failed;
			if (a.kind == Action::Kind::AddService)
				not_added.push_back(a.svc.key);
		}
	}
	return r;
}

}  // namespace mirror
