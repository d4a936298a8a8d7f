#include "commands.hpp"

namespace fnat {
namespace {

// Option names as ipvsadm prints them in its messages, in Opt order.
constexpr std::array<std::string_view, kNumOpts> kOptionNames = {
	"numeric", "connection", "service-address", "scheduler", "persistent", "netmask",
	"synproxy", "real-server", "forwarding-method", "weight", "u-threshold", "l-threshold", "laddr",
	"timeout", "stats", "rate", "exact", "sort", "json", "dest-check", "daemon",
	"mcast-interface", "syncid", "sync-peer", "mcast-group", "mcast-port", "mcast-ttl",
	"sync-key-file", "sync-threshold", "peer",
};

}  // namespace

std::string_view command_name(Cmd c) { return rule(c).name; }
std::string_view option_name(Opt o) { return kOptionNames[static_cast<std::size_t>(o)]; }

std::optional<std::string> check_options(Cmd cmd, OptMask given)
{
	const CommandRule &r = rule(cmd);
	for (std::size_t j = 0; j < kNumOpts; j++) {
		const Opt o = static_cast<Opt>(j);
		const bool has = given & bit(o);
		const char want = r.options[j];
		if (!has && want == '+')
			return "You need to supply the '" + std::string(option_name(o)) + "' option for the '" +
			       std::string(r.name) + "' command";
		if (has && want == 'x')
			return "Illegal '" + std::string(option_name(o)) + "' option with the '" +
			       std::string(r.name) + "' command";
	}
	for (OptMask group : r.exclusive) {
		std::optional<Opt> first;
		for (std::size_t j = 0; j < kNumOpts; j++) {
			const Opt o = static_cast<Opt>(j);
			if (!(group & bit(o)) || !(given & bit(o)))
				continue;
			if (!first) {
				first = o;
				continue;
			}
			return "The option '" + std::string(option_name(o)) + "' conflicts with the '" +
			       std::string(option_name(*first)) + "' option in the '" + std::string(r.name) +
			       "' command";
		}
	}
	return std::nullopt;
}

}  // namespace fnat
