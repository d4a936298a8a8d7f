#pragma once
// The command line (and each line of -R) into a Command: syntax, values and the
// command/option table. Pure: names are looked up through the Resolver given.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fnat/model.hpp"

#include "commands.hpp"
#include "resolver.hpp"

namespace fnat {

// Listing format flags.
enum : unsigned {
	FMT_NUMERIC = 1u << 0,  // -n
	FMT_STATS = 1u << 1,    // --stats
	FMT_RATE = 1u << 2,     // --rate
	FMT_EXACT = 1u << 3,    // --exact
	FMT_SORT = 1u << 4,     // --sort
	FMT_JSON = 1u << 5,     // --json
};

inline constexpr std::string_view kDefaultScheduler = "wlc";
inline constexpr std::uint32_t kDefaultPersistence = 300;

struct Command {
	enum class Kind { Run, Help, Version };
	Kind kind = Kind::Run;
	Cmd cmd = Cmd::List;
	OptMask opts = 0;
	unsigned format = 0;

	ServiceKey svc;                       // -t | -u
	std::string sched;                    // -s (-A/-E: wlc when not given)
	std::uint32_t persistence = 0;        // -p [timeout]
	std::optional<std::uint8_t> netmask;  // -M, as a prefix length
	Address dest_addr;                    // -r
	std::uint16_t dest_port = 0;          //    (the service's port when not given)
	std::uint32_t weight = 1;             // -w
	std::uint32_t u_thresh = 0;           // -x
	std::uint32_t l_thresh = 0;           // -y
	Address laddr;                        // -z
	bool peer = false;                    // --peer (with -P)
	std::array<std::uint32_t, 3> timeouts{};  // --set tcp tcpfin udp
	// --start-daemon / --stop-daemon: IPVS_FNAT_DAEMON_MASTER or _BACKUP, and the
	// settings (all but the key, which the app reads from key_file).
	std::uint32_t daemon_state = 0;
	DaemonConfig daemon;
	std::string key_file;                 // --sync-key-file

	bool has(Opt o) const { return opts & bit(o); }
};

struct ParseError {
	std::string message;
	bool try_help = false;  // follow with "Try `ipvsadm-fnat -h' ..."
};

using ParseResult = std::variant<Command, ParseError>;

// args: the arguments after the program name. No arguments lists the table.
ParseResult parse_command_line(const std::vector<std::string> &args, const Resolver &resolver);

// host[:port] as ipvsadm reads it; IPv6 as [addr]:port or a bare address.
struct HostPort {
	Address addr;
	std::optional<std::uint16_t> port;
};
std::optional<HostPort> parse_host_port(std::string_view text, Proto proto, const Resolver &resolver);

// A persistence netmask for family af: IPv4 dotted (contiguous) or a prefix length.
std::optional<std::uint8_t> parse_netmask(std::string_view text, int af);

// The words of one -R line: whitespace-separated, '#' starts a comment, quotes
// ('...' and "...") group words; a leading "ipvsadm" or "ipvsadm-fnat" is dropped.
// Nothing on error (an unterminated quote).
std::optional<std::vector<std::string>> split_rule_line(std::string_view line);

}  // namespace fnat
