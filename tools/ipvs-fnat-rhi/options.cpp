#include "options.hpp"

#include <charconv>
#include <optional>

#include "fnat/version.hpp"

namespace rhi {
namespace {

std::optional<unsigned> number(const std::string &s)
{
	unsigned v = 0;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || p != s.data() + s.size() || s.empty())
		return std::nullopt;
	return v;
}

ParseResult error(std::string text)
{
	ParseResult r;
	r.what = ParseResult::What::Error;
	r.error = std::move(text);
	return r;
}

}  // namespace

ParseResult parse_options(const std::vector<std::string> &args)
{
	ParseResult r;
	for (std::size_t i = 0; i < args.size(); i++) {
		std::string name = args[i], value;
		bool has_value = false;
		if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
			value = name.substr(eq + 1);
			name = name.substr(0, eq);
			has_value = true;
		}
		const bool takes = name == "--interface" || name == "--interval" || name == "--require" || name == "--vip" ||
				   name == "--sync-timeout";
		if (takes && !has_value) {
			if (i + 1 == args.size())
				return error("option " + name + " needs a value");
			value = args[++i];
		} else if (!takes && has_value) {
			return error("option " + name + " takes no value");
		}
		if (name == "--help" || name == "-h") {
			r.what = ParseResult::What::Help;
			return r;
		} else if (name == "--version" || name == "-v") {
			r.what = ParseResult::What::Version;
			return r;
		} else if (name == "--interface") {
			if (value.empty() || value.size() >= 16 || value.find('/') != std::string::npos)
				return error("illegal interface name `" + value + "'");
			r.opts.interface = value;
		} else if (name == "--interval") {
			const auto n = number(value);
			if (!n || *n < kIntervalMin || *n > kIntervalMax)
				return error("illegal interval `" + value + "': " + std::to_string(kIntervalMin) + ".." +
					     std::to_string(kIntervalMax) + " ms");
			r.opts.interval_ms = *n;
		} else if (name == "--require") {
			if (value == "any")
				r.opts.require = Require::Any;
			else if (value == "all")
				r.opts.require = Require::All;
			else
				return error("illegal --require `" + value + "': any or all");
		} else if (name == "--vip") {
			const auto a = fnat::Address::parse(value);
			if (!a || a->is_any() || a->is_multicast())
				return error("illegal VIP `" + value + "'");
			r.opts.vips.push_back(*a);
		} else if (name == "--lips") {
			r.opts.lips = true;
		} else if (name == "--sync-wait") {
			r.opts.sync_wait = true;
		} else if (name == "--sync-timeout") {
			const auto n = number(value);
			if (!n || *n > kSyncTimeoutMax)
				return error("illegal sync timeout `" + value + "': 0.." + std::to_string(kSyncTimeoutMax) +
					     " s");
			r.opts.sync_timeout_s = *n;
		} else if (name == "--once") {
			r.opts.once = true;
		} else if (name == "--keep-on-exit") {
			r.opts.keep_on_exit = true;
		} else if (name == "--verbose") {
			r.opts.verbose = true;
		} else {
			return error("unknown option `" + args[i] + "'");
		}
	}
	if (r.opts.sync_timeout_s && !r.opts.sync_wait)
		return error("--sync-timeout needs --sync-wait");
	return r;
}

std::string usage_text()
{
	return "Usage: ipvs-fnat-rhi [--interface NAME] [--interval MS] [--require any|all]\n"
	       "                     [--vip ADDR]... [--lips] [--sync-wait [--sync-timeout S]]\n"
	       "                     [--once] [--keep-on-exit] [--verbose]\n"
	       "       ipvs-fnat-rhi -h|--help | -v|--version\n"
	       "Route health injection: a VIP of this director's FULLNAT services is put on\n"
	       "the interface (default rhi0), whose addresses the routing daemon announces,\n"
	       "while its services can serve, and taken off when they cannot.\n"
	       "  --interface NAME  the interface the routing daemon exports (rhi0)\n"
	       "  --interval MS     how often the kernel is read (200; 20..10000)\n"
	       "  --require any|all a VIP is announced while any (default) or all of its\n"
	       "                    services have a usable real server\n"
	       "  --vip ADDR        manage this VIP only (repeatable; default: every VIP)\n"
	       "  --lips            announce this director's own LIPs too (not its peer LIPs)\n"
	       "  --sync-wait       announce nothing until the sync backup holds every live\n"
	       "                    master's connections (a director joining the cluster)\n"
	       "  --sync-timeout S  with --sync-wait: announce anyway after S seconds (0, the\n"
	       "                    default: wait as long as it takes)\n"
	       "  --once            one pass, then exit (1 if the kernel could not be read)\n"
	       "  --keep-on-exit    leave the addresses on the interface when stopped\n"
	       "  --verbose         log every pass\n"
	       "  -h, --help        this text\n"
	       "  -v, --version     the release\n";
}

std::string version_text() { return "ipvs-fnat-rhi v" + std::string(fnat::tool_version()) + "\n"; }

}  // namespace rhi
