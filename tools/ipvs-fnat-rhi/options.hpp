#pragma once
// The command line of ipvs-fnat-rhi, parsed by a pure function (unit-tested).
#include <string>
#include <vector>

#include "fnat/daemon_cli.hpp"
#include "fnat/model.hpp"
#include "health.hpp"

namespace rhi {

using fnat::kExitOk;
using fnat::kExitFailure;
using fnat::kExitUsage;

inline constexpr unsigned kIntervalDefault = 200;  // ms: a change is announced within it
inline constexpr unsigned kIntervalMin = 20;
inline constexpr unsigned kIntervalMax = 10000;
inline constexpr unsigned kSyncTimeoutMax = 86400;

struct Options {
	std::string interface = "rhi0";     // --interface NAME
	unsigned interval_ms = kIntervalDefault;
	Require require = Require::Any;     // --require any|all
	std::vector<fnat::Address> vips;    // --vip ADDR... (empty: every service's)
	bool once = false;                  // --once: one pass, then exit
	bool keep_on_exit = false;          // --keep-on-exit: leave the addresses
	bool verbose = false;
	// --sync-wait: announce nothing until the sync backup holds every live master's
	// connections (a director joining must not attract flows it cannot carry on);
	// --sync-timeout S: announce anyway after S seconds of waiting (0: never).
	bool sync_wait = false;
	bool lips = false;                  // --lips: announce this director's LIPs too
	unsigned sync_timeout_s = 0;
	bool operator==(const Options &) const = default;
};

using ParseResult = fnat::ParseResult<Options>;

// The arguments after the program's name. "--opt VALUE" and "--opt=VALUE" alike.
ParseResult parse_options(const std::vector<std::string> &args);
std::string usage_text();
std::string version_text();

}  // namespace rhi
