#include "options.hpp"

#include <charconv>
#include <string_view>

#include "fnat/version.hpp"

namespace mirror {
namespace {

ParseResult error(std::string text)
{
	ParseResult r;
	r.what = ParseResult::What::Error;
	r.error = std::move(text);
	return r;
}

// A namespace name as `ip netns` makes them: a file name under /run/netns.
bool valid_netns(std::string_view n)
{
	return !n.empty() && n != "." && n != ".." && n.find('/') == std::string_view::npos && n.size() < 256;
}

// A number of milliseconds in min..max for option NAME: the value or the message.
std::optional<std::string> parse_ms(const std::string &name, const std::string &text, unsigned min, unsigned max,
				    unsigned &out)
{
	unsigned ms = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
	if (ec != std::errc() || end != text.data() + text.size() || text.empty())
		return "invalid " + name + " '" + text + "': not a number of milliseconds";
	if (ms < min || ms > max)
		return name + " " + text + " out of range (" + std::to_string(min) + ".." + std::to_string(max) + " ms)";
	out = ms;
	return std::nullopt;
}

}  // namespace

ParseResult parse_options(const std::vector<std::string> &args)
{
	ParseResult r;
	bool have_netns = false;
	for (std::size_t i = 0; i < args.size(); ++i) {
		std::string name = args[i];
		std::optional<std::string> inline_value;
		if (name.rfind("--", 0) == 0) {
			if (const auto eq = name.find('='); eq != std::string::npos) {
				inline_value = name.substr(eq + 1);
				name.resize(eq);
			}
		}
		// The value of an option that takes one: inline or the next argument.
		const auto value = [&](std::string &out) -> bool {
			if (inline_value) {
				out = *inline_value;
				return true;
			}
			if (i + 1 >= args.size())
				return false;
			out = args[++i];
			return true;
		};
		const auto flag = [&](bool &field) -> std::optional<ParseResult> {
			if (inline_value)
				return error("option " + name + " takes no value");
			field = true;
			return std::nullopt;
		};

		if (name == "-h" || name == "--help") {
			r.what = ParseResult::What::Help;
			return r;
		}
		if (name == "-v" || name == "--version") {
			r.what = ParseResult::What::Version;
			return r;
		}
		if (name == "--ipvs-netns") {
			if (!value(r.opts.ipvs_netns))
				return error("option --ipvs-netns needs a namespace name");
			if (!valid_netns(r.opts.ipvs_netns))
				return error("invalid namespace name '" + r.opts.ipvs_netns +
					     "' (a name under /run/netns, as ip netns makes)");
			have_netns = true;
		} else if (name == "--notify-fifo") {
			std::string path;
			if (!value(path) || path.empty())
				return error("option --notify-fifo needs a path");
			r.opts.notify_fifo = path;
		} else if (name == "--interval" || name == "--hold-down") {
			const bool interval = name == "--interval";
			std::string text;
			if (!value(text))
				return error("option " + name + " needs a number of milliseconds");
			if (auto e = parse_ms(name, text, interval ? kIntervalMin : 0, interval ? kIntervalMax : kHoldDownMax,
					      interval ? r.opts.interval_ms : r.opts.hold_down_ms))
				return error(*e);
		} else if (name == "--once") {
			if (auto e = flag(r.opts.once))
				return *e;
		} else if (name == "--dest-check") {
			if (auto e = flag(r.opts.dest_check))
				return *e;
		} else if (name == "--synproxy") {
			if (auto e = flag(r.opts.synproxy))
				return *e;
		} else if (name == "--verbose") {
			if (auto e = flag(r.opts.verbose))
				return *e;
		} else if (!name.empty() && name[0] == '-') {
			return error("unknown option " + name);
		} else {
			return error("unexpected argument '" + name + "'");
		}
	}
	if (!have_netns)
		return error("--ipvs-netns NAME is required (keepalived's net_namespace_ipvs)");
	return r;
}

std::string usage_text()
{
	return "Usage: ipvs-fnat-mirror --ipvs-netns NAME [--notify-fifo PATH] [--interval MS]\n"
	       "                        [--hold-down MS] [--once] [--dest-check] [--synproxy] [--verbose]\n"
	       "       ipvs-fnat-mirror -h|--help | -v|--version\n"
	       "\n"
	       "Mirrors the kernel IPVS services that keepalived programs in network namespace\n"
	       "NAME (net_namespace_ipvs) into IPVS_FNAT (FULLNAT) services of this namespace.\n"
	       "\n"
	       "  --ipvs-netns NAME   the namespace keepalived programs IPVS in (/run/netns/NAME)\n"
	       "  --notify-fifo PATH  keepalived's lvs_notify_fifo: reconcile on every line\n"
	       "                      (made with mode 0600 if missing)\n"
	       "  --interval MS       reconcile every MS milliseconds too (50..60000, default 500)\n"
	       "  --hold-down MS      delete a mirrored service only once it has been gone from\n"
	       "                      IPVS for MS milliseconds (0..600000, default 3000; 0: at\n"
	       "                      once): a restarting keepalived empties IPVS for a moment\n"
	       "  --once              reconcile once; exit 0 if applied cleanly, 1 otherwise\n"
	       "  --dest-check        services the mirror creates get the passive health check\n"
	       "  --synproxy          TCP services the mirror creates get the SYN proxy\n"
	       "  --verbose           log every reconcile, not only changes\n"
	       "  -h, --help          this text\n"
	       "  -v, --version       the release\n"
	       "\n"
	       "Signals: SIGHUP reconciles now and logs the notes again; SIGTERM and SIGINT exit,\n"
	       "leaving the FULLNAT services in place.\n";
}

std::string version_text() { return "ipvs-fnat-mirror v" + std::string(fnat::tool_version()) + "\n"; }

}  // namespace mirror
