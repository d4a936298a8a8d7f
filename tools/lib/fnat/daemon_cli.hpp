#pragma once
// What the project's daemons (ipvs-fnat-mirror, ipvs-fnat-rhi) share of their command
// line: the exit codes, the parse result around their own Options, and main()'s
// answer to --help, --version and a bad command line.
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace fnat {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

template <typename Options>
struct ParseResult {
	enum class What { Run, Help, Version, Error };
	What what = What::Run;
	Options opts;
	std::string error;  // What::Error: the message, without the program's name
};

// Help and Version print their text and give kExitOk; Error prints the message and a
// hint and gives kExitUsage; Run gives nothing: the daemon runs.
template <typename Options>
std::optional<int> answer_without_running(const ParseResult<Options> &r, std::string_view prog,
					  const std::string &usage, const std::string &version)
{
	switch (r.what) {
	case ParseResult<Options>::What::Help:
		std::cout << usage;
		return kExitOk;
	case ParseResult<Options>::What::Version:
		std::cout << version;
		return kExitOk;
	case ParseResult<Options>::What::Error:
		std::cerr << prog << ": " << r.error << "\nTry '" << prog << " --help'.\n";
		return kExitUsage;
	case ParseResult<Options>::What::Run:
		break;
	}
	return std::nullopt;
}

}  // namespace fnat
