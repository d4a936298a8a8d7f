#pragma once
// Which option is legal with which command: one table of data, as ipvsadm's
// commands_v_options, consulted by the parser after it has read the command line.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fnat {

enum class Cmd : std::uint8_t {
	AddService,
	EditService,
	DelService,
	Flush,
	List,
	AddDest,
	EditDest,
	DelDest,
	SetTimeout,
	Restore,
	Save,
	Zero,
	AddLaddr,
	DelLaddr,
	GetLaddr,
	Prometheus,
	StartDaemon,
	StopDaemon,
	Count
};

enum class Opt : std::uint8_t {
	Numeric,     // -n
	Connection,  // -c
	Service,     // -t | -u
	Scheduler,   // -s
	Persistent,  // -p
	Netmask,     // -M
	SynProxy,    // -j
	RealServer,  // -r
	Forward,     // -b
	Weight,      // -w
	UThreshold,  // -x
	LThreshold,  // -y
	Laddr,       // -z
	Timeout,     // --timeout
	Stats,       // --stats
	Rate,        // --rate
	Exact,       // --exact
	Sort,        // --sort
	Json,        // --json
	DestCheck,   // --dest-check
	Daemon,      // --daemon (-L: the sync daemons)
	McastIfn,    // --mcast-interface
	Syncid,      // --syncid
	SyncPeer,    // --sync-peer (repeatable)
	McastGroup,  // --mcast-group
	McastPort,   // --mcast-port
	McastTtl,    // --mcast-ttl
	SyncKeyFile, // --sync-key-file
	SyncThreshold, // --sync-threshold
	Peer,        // --peer (-P: another director's LIP)
	Count
};

using OptMask = std::uint32_t;
constexpr OptMask bit(Opt o) { return OptMask{1} << static_cast<unsigned>(o); }
template <typename... O> constexpr OptMask bits(O... o) { return (bit(o) | ...); }

constexpr std::size_t kNumCmds = static_cast<std::size_t>(Cmd::Count);
constexpr std::size_t kNumOpts = static_cast<std::size_t>(Opt::Count);

// One row per command. In `options`, one column per Opt (in enum order):
//   '+' required, 'x' illegal, '.' optional.
// `exclusive`: sets of options of which at most one may be given together.
struct CommandRule {
	Cmd cmd;
	std::string_view name;
	std::string_view options;
	std::array<OptMask, 2> exclusive;
};

// clang-format off
inline constexpr std::array<CommandRule, kNumCmds> kCommandRules = {{
	//                                   -n
	//                                   |-c
	//                                   ||svc
	//                                   |||-s
	//                                   ||||-p
	//                                   |||||-M
	//                                   ||||||-j
	//                                   |||||||-r
	//                                   ||||||||-b
	//                                   |||||||||-w
	//                                   ||||||||||-x
	//                                   |||||||||||-y
	//                                   ||||||||||||-z
	//                                   |||||||||||||--timeout
	//                                   ||||||||||||||--stats
	//                                   |||||||||||||||--rate
	//                                   ||||||||||||||||--exact
	//                                   |||||||||||||||||--sort
	//                                   ||||||||||||||||||--json
	//                                   |||||||||||||||||||--dest-check
	//                                   ||||||||||||||||||||--daemon
	//                                   |||||||||||||||||||||--mcast-interface
	//                                   ||||||||||||||||||||||--syncid
	//                                   |||||||||||||||||||||||--sync-peer
	//                                   ||||||||||||||||||||||||--mcast-group
	//                                   |||||||||||||||||||||||||--mcast-port
	//                                   ||||||||||||||||||||||||||--mcast-ttl
	//                                   |||||||||||||||||||||||||||--sync-key-file
	//                                   ||||||||||||||||||||||||||||--sync-threshold
	//                                   |||||||||||||||||||||||||||||--peer
	{Cmd::AddService,  "add-service",    "xx+....xxxxxxxxxxxx.xxxxxxxxxx", {}},
	{Cmd::EditService, "edit-service",   "xx+....xxxxxxxxxxxx.xxxxxxxxxx", {}},
	{Cmd::DelService,  "delete-service", "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::Flush,       "flush",          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::List,        "list",           "...xxxxxxxxxx......x.xxxxxxxxx",
	 {bits(Opt::Connection, Opt::Service, Opt::Timeout, Opt::Daemon),
	  bits(Opt::Connection, Opt::Timeout, Opt::Stats, Opt::Rate)}},
	{Cmd::AddDest,     "add-server",     "xx+xxxx+....xxxxxxxxxxxxxxxxxx", {}},
	{Cmd::EditDest,    "edit-server",    "xx+xxxx+....xxxxxxxxxxxxxxxxxx", {}},
	{Cmd::DelDest,     "delete-server",  "xx+xxxx+xxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::SetTimeout,  "set",            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::Restore,     "restore",        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::Save,        "save",           ".xxxxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::Zero,        "zero",           "xx.xxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::AddLaddr,    "add-laddr",      "xx.xxxxxxxxx+xxxxxxxxxxxxxxxx.", {}},
	{Cmd::DelLaddr,    "del-laddr",      "xx.xxxxxxxxx+xxxxxxxxxxxxxxxxx", {}},
	{Cmd::GetLaddr,    "get-laddr",      ".x.xxxxxxxxxxxxxxx.xxxxxxxxxxx", {}},
	{Cmd::Prometheus,  "prometheus",     ".xxxxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
	{Cmd::StartDaemon, "start-daemon",   "xxxxxxxxxxxxxxxxxxxxx+.......x",
	 {bits(Opt::SyncPeer, Opt::McastGroup)}},
	{Cmd::StopDaemon,  "stop-daemon",    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", {}},
}};
// clang-format on

// The table is complete and in Cmd order: rule(cmd) is an index.
constexpr bool table_is_well_formed()
{
	for (std::size_t i = 0; i < kNumCmds; i++) {
		if (static_cast<std::size_t>(kCommandRules[i].cmd) != i)
			return false;
		if (kCommandRules[i].options.size() != kNumOpts)
			return false;
		for (char c : kCommandRules[i].options)
			if (c != '+' && c != 'x' && c != '.')
				return false;
	}
	return true;
}
static_assert(table_is_well_formed(), "kCommandRules: one row per Cmd, one column per Opt");

constexpr const CommandRule &rule(Cmd c) { return kCommandRules[static_cast<std::size_t>(c)]; }
constexpr char legality(Cmd c, Opt o) { return rule(c).options[static_cast<std::size_t>(o)]; }

std::string_view command_name(Cmd c);
std::string_view option_name(Opt o);

// The first violation of the table by the options given with cmd, in ipvsadm's words,
// or nothing when the combination is legal.
std::optional<std::string> check_options(Cmd cmd, OptMask given);

}  // namespace fnat
