// The cases fnat-nlcheck runs: a table of malformed or refused requests with the
// errno the kernel must answer (each followed by a check that nothing changed),
// positive round trips, dumps in several parts, and the permission checks.
#pragma once

#include <string>

#include "nlsock.hpp"

namespace nlc {

class Runner {
public:
	explicit Runner(Socket &s) : s_(s) {}
	Socket &sock() { return s_; }
	void record(const std::string &name, bool ok, const std::string &detail = "");
	int passed() const { return passed_; }
	int failed() const { return failed_; }

private:
	Socket &s_;
	int n_ = 0;
	int passed_ = 0;
	int failed_ = 0;
};

void setup_baseline(Socket &s);		// flush, defaults, the baseline services
void add_sample(Socket &s);		// a small configuration (e2e helpers)
void run_error_cases(Runner &r);
void run_positive_cases(Runner &r);
void run_dump_cases(Runner &r);
void run_daemon_cases(Runner &r);	// daemon_cases.cpp
void run_unpriv_cases(Runner &r);	// run without CAP_NET_ADMIN over the netns

} // namespace nlc
