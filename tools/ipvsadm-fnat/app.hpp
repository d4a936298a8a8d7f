#pragma once
// The tool without its process: parse, talk to a Kernel, print. main() only wires it
// to the real kernel and the standard streams; the unit tests wire it to a fake.
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "fnat/kernel.hpp"

#include "parser.hpp"
#include "resolver.hpp"

namespace fnat {

// Exit statuses: 0 success, 1 the kernel (or the module's absence) refused, 2 bad usage.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Env {
	// The kernel, connected on first use (help, version and bad usage never connect);
	// may throw ModuleNotLoaded or TransportError.
	std::function<Kernel &()> kernel;
	const Resolver &resolver;
	std::istream &in;
	std::ostream &out;
	std::ostream &err;
	std::string prog = "ipvsadm-fnat";
	// The datapath counters --prometheus reads (left out when the file is missing).
	std::string stats_path = "/proc/net/ip_vs_fnat_stats";
};

// Runs one command line (the arguments after the program name); returns the exit status.
int run(const std::vector<std::string> &args, Env &env);

// Executes a parsed command. Throws KernelError, ModuleNotLoaded, TransportError, or
// std::runtime_error for what the tool itself refuses.
void execute(const Command &cmd, Env &env, bool restoring = false);

// -R: each line of env.in as one command; stops at the first error, naming the line.
int restore(Env &env);

std::string usage_text(std::string_view prog);
std::string version_text();

}  // namespace fnat
