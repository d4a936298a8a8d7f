// ipvs-fnat-rhi: route health injection for FULLNAT directors behind BGP/ECMP
// (docs/scale-out.md). The decision and the pass live in ipvs_fnat_rhi_core
// (unit-tested against fakes); main.cpp wires them to the kernel, the interface and
// the signals, and runs a pass every --interval until SIGTERM or SIGINT.
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <iostream>
#include <memory>
#include <vector>

#include "fnat/netlink_kernel.hpp"

#include "iface.hpp"
#include "injector.hpp"
#include "options.hpp"

int main(int argc, char **argv)
{
	using namespace rhi;
	const ParseResult parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
	if (const auto code = fnat::answer_without_running(parsed, "ipvs-fnat-rhi", usage_text(), version_text()))
		return *code;
	const Options &opts = parsed.opts;
	// Waited for with sigtimedwait() between passes, never handled asynchronously.
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, nullptr);
	try {
		NetlinkAddresses addrs(opts.interface);
		Injector inj([] { return std::make_shared<fnat::NetlinkKernel>(); }, addrs, opts, std::cerr);
		if (opts.once)
			return inj.pass() ? kExitOk : kExitFailure;
		std::cerr << "ipvs-fnat-rhi: managing the VIPs on " << opts.interface << ", every " << opts.interval_ms
			  << " ms\n";
		const timespec every{static_cast<time_t>(opts.interval_ms / 1000),
				     static_cast<long>(opts.interval_ms % 1000) * 1000000L};
		for (;;) {
			try {
				inj.pass();
			} catch (const IfaceError &e) {
				std::cerr << "ipvs-fnat-rhi: " << e.what() << "\n";
			}
			const int sig = sigtimedwait(&stop, nullptr, &every);
			if (sig == SIGTERM || sig == SIGINT)
				break;
		}
		if (!opts.keep_on_exit)
			inj.withdraw_all();
	} catch (const IfaceError &e) {
		std::cerr << "ipvs-fnat-rhi: " << e.what() << "\n";
		return kExitFailure;
	}
	return kExitOk;
}
