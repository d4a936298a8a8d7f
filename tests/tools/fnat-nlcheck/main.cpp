// fnat-nlcheck: checks the IPVS_FNAT generic-netlink contract of ipvs_fnat.ko.
//
//   fnat-nlcheck            every case (needs CAP_NET_ADMIN over the namespace); flushes
//                           the namespace's tables, leaves them empty and the defaults set
//   fnat-nlcheck --unpriv   the permission model, run without CAP_NET_ADMIN over the
//                           namespace (e.g. under `unshare -U -r`) on --sample's config
//   fnat-nlcheck --sample   replace the configuration with a small sample
//   fnat-nlcheck --state    print the namespace's state as fnat-nlcheck sees it
//
// One line per case, then "N passed, N failed"; exits 1 on any failure.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "cases.hpp"
#include "state.hpp"

namespace nlc {
void check_defaults(Runner &r);
}

int main(int argc, char **argv)
{
	std::string mode = argc > 1 ? argv[1] : "";
	if (argc > 2 || (!mode.empty() && mode != "--unpriv" && mode != "--sample" && mode != "--state")) {
		std::fprintf(stderr, "usage: fnat-nlcheck [--unpriv | --sample | --state]\n");
		return 2;
	}
	try {
		nlc::Socket s;
		if (mode == "--state") {
			std::fputs(nlc::snapshot(s).c_str(), stdout);
			return 0;
		}
		if (mode == "--sample") {
			nlc::add_sample(s);
			return 0;
		}
		nlc::Runner r(s);
		if (mode == "--unpriv") {
			nlc::run_unpriv_cases(r);
		} else {
			nlc::check_defaults(r);
			nlc::run_error_cases(r);
			nlc::run_positive_cases(r);
			nlc::run_dump_cases(r);
			nlc::run_daemon_cases(r);
		}
		std::printf("fnat-nlcheck: %d passed, %d failed\n", r.passed(), r.failed());
		return r.failed() ? 1 : 0;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "fnat-nlcheck: %s\n", e.what());
		return 1;
	}
}
