// ipvs-fnat-mirror: keepalived's IPVS (in a shadow namespace) mirrored into IPVS_FNAT.
// Everything but the wiring lives in ipvs_fnat_mirror_core; main.cpp connects it to
// the real kernels, stderr and the process's signals.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "fnat/netlink_kernel.hpp"

#include "daemon.hpp"
#include "netlink_ipvs.hpp"
#include "options.hpp"

int main(int argc, char **argv)
{
	using namespace mirror;
	const ParseResult parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
	if (const auto code = fnat::answer_without_running(parsed, kProg, usage_text(), version_text()))
		return *code;
	const Options &opts = parsed.opts;
	// Before anything else: the signals are read from a signalfd, never handled.
	block_signals();
	Log log(std::cerr, opts.verbose);
	try {
		NetlinkIpvs source(opts.ipvs_netns);
		Mirror mirror(source, [] { return std::make_shared<fnat::NetlinkKernel>(); },
			      PlanOptions{opts.dest_check, opts.synproxy}, log, opts.hold_down_ms);
		if (opts.once) {
			const bool clean = mirror.reconcile();
			// One reconcile outlasts no hold-down: say what that means.
			if (mirror.next_deadline())
				log.info("--once: services gone from IPVS were not deleted (held; --hold-down 0 deletes "
					 "them at once)");
			return clean ? kExitOk : kExitFailure;
		}
		return run_daemon(opts, mirror, log);
	} catch (const NamespaceLost &e) {
		log.info(std::string("fatal: ") + e.what());
		return kExitFailure;
	}
}
