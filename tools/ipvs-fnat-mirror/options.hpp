#pragma once
// The daemon's command line, parsed by a pure function (unit-tested).
#include <optional>
#include <string>
#include <vector>

#include "fnat/daemon_cli.hpp"

namespace mirror {

using fnat::kExitOk;
using fnat::kExitFailure;  // --once: a side unavailable or a change refused
using fnat::kExitUsage;

inline constexpr unsigned kIntervalDefault = 500;  // ms
inline constexpr unsigned kIntervalMin = 50;
inline constexpr unsigned kIntervalMax = 60000;
// How long a mirrored service must be gone from IPVS before it is deleted: a
// keepalived restart empties IPVS for a moment (hold.hpp). 0: at once.
inline constexpr unsigned kHoldDownDefault = 3000;  // ms
inline constexpr unsigned kHoldDownMax = 600000;

struct Options {
	std::string ipvs_netns;                  // --ipvs-netns NAME (required)
	std::optional<std::string> notify_fifo;  // --notify-fifo PATH
	unsigned interval_ms = kIntervalDefault;
	unsigned hold_down_ms = kHoldDownDefault;  // --hold-down MS
	bool once = false;
	bool dest_check = false;
	bool synproxy = false;
	bool verbose = false;
	bool operator==(const Options &) const = default;
};

using ParseResult = fnat::ParseResult<Options>;

// The arguments after the program's name. "--opt VALUE" and "--opt=VALUE" alike.
ParseResult parse_options(const std::vector<std::string> &args);

std::string usage_text();
std::string version_text();

}  // namespace mirror
