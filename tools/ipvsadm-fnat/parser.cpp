#include "parser.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>

#include "fnat/uapi.hpp"

namespace fnat {
namespace {

// Every option the command line knows, commands included.
enum class Tag {
	AddService, EditService, DelService, Clear, List, Zero, AddServer, EditServer,
	DelServer, Set, Restore, Save, AddLaddr, DelLaddr, GetLaddr, StartDaemon, StopDaemon, Prometheus,
	Help, Version, Daemon, McastIfn, Syncid, SyncPeer, McastGroup, McastPort, McastTtl, SyncKeyFile,
	SyncThreshold, Peer,
	Tcp, Udp, Scheduler, Persistent, Netmask, SynProxy, DestCheck, RealServer, Fullnat, Weight, UThreshold,
	LThreshold, Laddr, Numeric, Connection, Timeout, Stats, Rate, Exact, Sort, Json,
	Masquerading, Gatewaying, Ipip, Fwmark,
};

enum class Arg { None, Required, Optional };

struct OptionSpec {
	std::string_view long_name;  // empty: short only
	char short_name;             // 0: long only
	Arg arg;
	Tag tag;
};

constexpr OptionSpec kOptionSpecs[] = {
	{"add-service", 'A', Arg::None, Tag::AddService},
	{"edit-service", 'E', Arg::None, Tag::EditService},
	{"delete-service", 'D', Arg::None, Tag::DelService},
	{"clear", 'C', Arg::None, Tag::Clear},
	{"list", 'L', Arg::None, Tag::List},
	{"", 'l', Arg::None, Tag::List},
	{"zero", 'Z', Arg::None, Tag::Zero},
	{"add-server", 'a', Arg::None, Tag::AddServer},
	{"edit-server", 'e', Arg::None, Tag::EditServer},
	{"delete-server", 'd', Arg::None, Tag::DelServer},
	{"set", 0, Arg::None, Tag::Set},
	{"restore", 'R', Arg::None, Tag::Restore},
	{"save", 'S', Arg::None, Tag::Save},
	{"add-laddr", 'P', Arg::None, Tag::AddLaddr},
	{"del-laddr", 'Q', Arg::None, Tag::DelLaddr},
	{"get-laddr", 'G', Arg::None, Tag::GetLaddr},
	{"prometheus", 0, Arg::None, Tag::Prometheus},
	{"start-daemon", 0, Arg::Required, Tag::StartDaemon},
	{"stop-daemon", 0, Arg::Required, Tag::StopDaemon},
	{"daemon", 0, Arg::None, Tag::Daemon},
	{"mcast-interface", 0, Arg::Required, Tag::McastIfn},
	{"syncid", 0, Arg::Required, Tag::Syncid},
	{"sync-peer", 0, Arg::Required, Tag::SyncPeer},
	{"mcast-group", 0, Arg::Required, Tag::McastGroup},
	{"mcast-port", 0, Arg::Required, Tag::McastPort},
	{"mcast-ttl", 0, Arg::Required, Tag::McastTtl},
	{"sync-key-file", 0, Arg::Required, Tag::SyncKeyFile},
	{"sync-threshold", 0, Arg::Required, Tag::SyncThreshold},
	{"peer", 0, Arg::None, Tag::Peer},
	{"help", 'h', Arg::None, Tag::Help},
	{"version", 'v', Arg::None, Tag::Version},
	{"tcp-service", 't', Arg::Required, Tag::Tcp},
	{"udp-service", 'u', Arg::Required, Tag::Udp},
	{"scheduler", 's', Arg::Required, Tag::Scheduler},
	{"persistent", 'p', Arg::Optional, Tag::Persistent},
	{"netmask", 'M', Arg::Required, Tag::Netmask},
	{"synproxy", 'j', Arg::None, Tag::SynProxy},
	{"dest-check", 0, Arg::None, Tag::DestCheck},
	{"real-server", 'r', Arg::Required, Tag::RealServer},
	{"fullnat", 'b', Arg::None, Tag::Fullnat},
	{"weight", 'w', Arg::Required, Tag::Weight},
	{"u-threshold", 'x', Arg::Required, Tag::UThreshold},
	{"l-threshold", 'y', Arg::Required, Tag::LThreshold},
	{"laddr", 'z', Arg::Required, Tag::Laddr},
	{"numeric", 'n', Arg::None, Tag::Numeric},
	{"connection", 'c', Arg::None, Tag::Connection},
	{"timeout", 0, Arg::None, Tag::Timeout},
	{"stats", 0, Arg::None, Tag::Stats},
	{"rate", 0, Arg::None, Tag::Rate},
	{"exact", 'X', Arg::None, Tag::Exact},
	{"sort", 0, Arg::None, Tag::Sort},
	{"json", 0, Arg::None, Tag::Json},
	{"masquerading", 'm', Arg::None, Tag::Masquerading},
	{"gatewaying", 'g', Arg::None, Tag::Gatewaying},
	{"ipip", 'i', Arg::None, Tag::Ipip},
	{"fwmark-service", 'f', Arg::Required, Tag::Fwmark},
};

struct Token {
	const OptionSpec *spec;
	std::string shown;                // how the user wrote the option, for messages
	std::optional<std::string> value;
};

// Thrown inside the parser, turned into a ParseError at its edge.
struct Failure {
	std::string message;
	bool try_help = false;
};

[[noreturn]] void fail(std::string msg, bool try_help = false) { throw Failure{std::move(msg), try_help}; }

const OptionSpec *find_long(std::string_view name)
{
	for (const auto &s : kOptionSpecs)
		if (!s.long_name.empty() && s.long_name == name)
			return &s;
	return nullptr;
}

const OptionSpec *find_short(char c)
{
	for (const auto &s : kOptionSpecs)
		if (s.short_name == c)
			return &s;
	return nullptr;
}

// getopt-like: bundled short options (-Ln, -At VIP), attached values (-w3, --weight=3),
// optional values (-p [timeout]) taken from the next word unless it is an option.
void tokenize(const std::vector<std::string> &args, std::vector<Token> &tokens,
	      std::vector<std::string> &positional)
{
	bool options_done = false;
	for (std::size_t i = 0; i < args.size(); i++) {
		const std::string &a = args[i];
		auto next_value = [&](const OptionSpec &s, const std::string &shown) -> std::optional<std::string> {
			if (i + 1 < args.size() &&
			    (s.arg == Arg::Required || args[i + 1].empty() || args[i + 1][0] != '-'))
				return args[++i];
			if (s.arg == Arg::Required)
				fail("option `" + shown + "' requires an argument", true);
			return std::nullopt;
		};
		if (options_done || a.size() < 2 || a[0] != '-') {
			positional.push_back(a);
			continue;
		}
		if (a == "--") {
			options_done = true;
			continue;
		}
		if (a[1] == '-') {
			const std::string body = a.substr(2);
			const auto eq = body.find('=');
			const std::string name = body.substr(0, eq);
			const OptionSpec *s = find_long(name);
			if (!s)
				fail("invalid option `--" + name + "'", true);
			Token t{s, "--" + name, std::nullopt};
			if (eq != std::string::npos) {
				if (s->arg == Arg::None)
					fail("option `--" + name + "' doesn't allow an argument", true);
				t.value = body.substr(eq + 1);
			} else if (s->arg != Arg::None) {
				t.value = next_value(*s, t.shown);
			}
			tokens.push_back(std::move(t));
			continue;
		}
		for (std::size_t k = 1; k < a.size(); k++) {
			const OptionSpec *s = find_short(a[k]);
			if (!s)
				fail(std::string("invalid option `-") + a[k] + "'", true);
			Token t{s, std::string("-") + a[k], std::nullopt};
			if (s->arg != Arg::None) {
				if (k + 1 < a.size())
					t.value = a.substr(k + 1);
				else
					t.value = next_value(*s, t.shown);
				tokens.push_back(std::move(t));
				break;
			}
			tokens.push_back(std::move(t));
		}
	}
}

bool all_digits(std::string_view s)
{
	return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal number within [min, max], nothing else.
std::optional<std::uint64_t> number(std::string_view s, std::uint64_t min, std::uint64_t max)
{
	if (!all_digits(s))
		return std::nullopt;
	std::uint64_t v = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max)
		return std::nullopt;
	return v;
}

std::optional<std::uint16_t> parse_port(std::string_view s, Proto proto, const Resolver &resolver)
{
	if (auto n = number(s, 0, 65535))
		return static_cast<std::uint16_t>(*n);
	if (s.empty() || all_digits(s))
		return std::nullopt;
	return resolver.service_to_port(s, proto);
}

std::uint32_t parse_timeout(std::string_view s, std::uint32_t min)
{
	auto n = number(s, min, IPVS_FNAT_TIMEOUT_MAX);
	if (!n)
		fail("invalid timeout value `" + std::string(s) + "' specified");
	return static_cast<std::uint32_t>(*n);
}

std::optional<Address> parse_laddr(std::string_view s)
{
	if (s.size() > 2 && s.front() == '[' && s.back() == ']') {
		auto a = Address::parse(s.substr(1, s.size() - 2));
		if (a && a->af == AF_INET6)
			return a;
		return std::nullopt;
	}
	return Address::parse(s);
}

Cmd command_of(Tag t)
{
	switch (t) {
	case Tag::AddService: return Cmd::AddService;
	case Tag::EditService: return Cmd::EditService;
	case Tag::DelService: return Cmd::DelService;
	case Tag::Clear: return Cmd::Flush;
	case Tag::List: return Cmd::List;
	case Tag::Zero: return Cmd::Zero;
	case Tag::AddServer: return Cmd::AddDest;
	case Tag::EditServer: return Cmd::EditDest;
	case Tag::DelServer: return Cmd::DelDest;
	case Tag::Set: return Cmd::SetTimeout;
	case Tag::Restore: return Cmd::Restore;
	case Tag::Save: return Cmd::Save;
	case Tag::AddLaddr: return Cmd::AddLaddr;
	case Tag::DelLaddr: return Cmd::DelLaddr;
	case Tag::Prometheus: return Cmd::Prometheus;
	case Tag::StartDaemon: return Cmd::StartDaemon;
	case Tag::StopDaemon: return Cmd::StopDaemon;
	default: return Cmd::GetLaddr;
	}
}

bool is_command(Tag t) { return t <= Tag::Prometheus; }

Command parse(const std::vector<std::string> &args, const Resolver &resolver)
{
	Command c;
	if (args.empty())
		return c;  // ipvsadm with no argument lists the table

	std::vector<Token> tokens;
	std::vector<std::string> positional;
	tokenize(args, tokens, positional);

	// -h and -v win over everything else, as in ipvsadm.
	for (const auto &t : tokens) {
		if (t.spec->tag == Tag::Help || t.spec->tag == Tag::Version) {
			c.kind = t.spec->tag == Tag::Help ? Command::Kind::Help : Command::Kind::Version;
			return c;
		}
	}

	std::optional<Cmd> cmd;
	std::optional<std::string> rs_text, mask_text, laddr_text, synproxy_shown;
	auto set_option = [&](Opt o) {
		if (c.opts & bit(o))
			fail("multiple '" + std::string(option_name(o)) + "' options specified");
		c.opts |= bit(o);
	};
	for (const auto &t : tokens) {
		const Tag tag = t.spec->tag;
		if (is_command(tag)) {
			if (cmd)
				fail("multiple commands specified");
			cmd = command_of(tag);
			if (tag == Tag::StartDaemon || tag == Tag::StopDaemon) {
				const std::string &st = *t.value;
				if (st == "master")
					c.daemon_state = IPVS_FNAT_DAEMON_MASTER;
				else if (st == "backup")
					c.daemon_state = IPVS_FNAT_DAEMON_BACKUP;
				else
					fail("illegal " + std::string(t.spec->long_name) + " parameter `" + st +
					     "' specified: master or backup");
				c.daemon.state = c.daemon_state;
			}
			continue;
		}
		const std::string v = t.value.value_or("");
		switch (tag) {
		case Tag::Tcp:
		case Tag::Udp: {
			set_option(Opt::Service);
			c.svc.proto = tag == Tag::Tcp ? Proto::TCP : Proto::UDP;
			auto hp = parse_host_port(v, c.svc.proto, resolver);
			if (!hp)
				fail("illegal virtual server address[:port] specified");
			if (!hp->port || *hp->port == 0)
				fail("illegal virtual server address[:port] specified: "
				     "a FULLNAT service needs a port from 1 to 65535");
			c.svc.addr = hp->addr;
			c.svc.port = *hp->port;
			break;
		}
		case Tag::Scheduler:
			set_option(Opt::Scheduler);
			if (v.empty() || v.size() >= IPVS_FNAT_SCHED_NAME_MAX)
				fail("illegal scheduler `" + v + "' specified");
			c.sched = v;
			break;
		case Tag::Persistent:
			set_option(Opt::Persistent);
			c.persistence = t.value ? parse_timeout(*t.value, 1) : kDefaultPersistence;
			break;
		case Tag::Netmask:
			set_option(Opt::Netmask);
			mask_text = v;
			break;
		case Tag::SynProxy:
			set_option(Opt::SynProxy);
			synproxy_shown = t.shown;
			break;
		case Tag::DestCheck:
			set_option(Opt::DestCheck);
			break;
		case Tag::RealServer:
			set_option(Opt::RealServer);
			rs_text = v;
			break;
		case Tag::Fullnat:
			set_option(Opt::Forward);
			break;
		case Tag::Weight: {
			set_option(Opt::Weight);
			auto n = number(v, 0, 65535);
			if (!n)
				fail("illegal weight specified");
			c.weight = static_cast<std::uint32_t>(*n);
			break;
		}
		case Tag::UThreshold: {
			set_option(Opt::UThreshold);
			auto n = number(v, 0, INT_MAX);
			if (!n)
				fail("illegal u_threshold specified");
			c.u_thresh = static_cast<std::uint32_t>(*n);
			break;
		}
		case Tag::LThreshold: {
			set_option(Opt::LThreshold);
			auto n = number(v, 0, INT_MAX);
			if (!n)
				fail("illegal l_threshold specified");
			c.l_thresh = static_cast<std::uint32_t>(*n);
			break;
		}
		case Tag::Laddr:
			set_option(Opt::Laddr);
			laddr_text = v;
			break;
		case Tag::Numeric:
			set_option(Opt::Numeric);
			c.format |= FMT_NUMERIC;
			break;
		case Tag::Connection:
			set_option(Opt::Connection);
			break;
		case Tag::Timeout:
			set_option(Opt::Timeout);
			break;
		case Tag::Stats:
			set_option(Opt::Stats);
			c.format |= FMT_STATS;
			break;
		case Tag::Rate:
			set_option(Opt::Rate);
			c.format |= FMT_RATE;
			break;
		case Tag::Exact:
			set_option(Opt::Exact);
			c.format |= FMT_EXACT;
			break;
		case Tag::Sort:
			set_option(Opt::Sort);
			c.format |= FMT_SORT;
			break;
		case Tag::Json:
			set_option(Opt::Json);
			c.format |= FMT_JSON;
			break;
		case Tag::Daemon:
			set_option(Opt::Daemon);
			break;
		case Tag::McastIfn:
			set_option(Opt::McastIfn);
			if (v.empty() || v.size() >= IPVS_FNAT_SYNC_IFNAME_MAX || v.find('/') != std::string::npos)
				fail("illegal mcast-interface `" + v + "' specified");
			c.daemon.mcast_ifn = v;
			break;
		case Tag::Syncid: {
			set_option(Opt::Syncid);
			auto n = number(v, 0, 255);
			if (!n)
				fail("illegal syncid `" + v + "' specified: 0..255");
			c.daemon.syncid = static_cast<std::uint32_t>(*n);
			break;
		}
		case Tag::SyncPeer: {
			// Repeatable: up to IPVS_FNAT_SYNC_MAX_PEERS unicast addresses of one family.
			c.opts |= bit(Opt::SyncPeer);
			auto a = parse_laddr(v);
			if (!a || a->is_multicast() || a->is_any())
				fail("illegal sync-peer `" + v + "' specified: a unicast address");
			if (!c.daemon.peers.empty() && c.daemon.peers.front().af != a->af)
				fail("illegal sync-peer `" + v + "' specified: the peers must be of one family");
			if (std::find(c.daemon.peers.begin(), c.daemon.peers.end(), *a) != c.daemon.peers.end())
				fail("sync-peer `" + v + "' given twice");
			if (c.daemon.peers.size() == IPVS_FNAT_SYNC_MAX_PEERS)
				fail("too many sync-peer options (at most " + std::to_string(IPVS_FNAT_SYNC_MAX_PEERS) + ")");
			c.daemon.peers.push_back(*a);
			break;
		}
		case Tag::McastGroup: {
			set_option(Opt::McastGroup);
			auto a = parse_laddr(v);
			if (!a || !a->is_multicast())
				fail("illegal mcast-group `" + v + "' specified: a multicast address");
			c.daemon.group = *a;
			break;
		}
		case Tag::McastPort: {
			set_option(Opt::McastPort);
			auto n = number(v, 1, 65535);
			if (!n)
				fail("illegal mcast-port `" + v + "' specified: 1..65535");
			c.daemon.port = static_cast<std::uint16_t>(*n);
			break;
		}
		case Tag::McastTtl: {
			set_option(Opt::McastTtl);
			auto n = number(v, 1, 255);
			if (!n)
				fail("illegal mcast-ttl `" + v + "' specified: 1..255");
			c.daemon.ttl = static_cast<std::uint8_t>(*n);
			break;
		}
		case Tag::SyncKeyFile:
			set_option(Opt::SyncKeyFile);
			if (v.empty())
				fail("illegal sync-key-file `' specified");
			c.key_file = v;
			break;
		case Tag::Peer:
			set_option(Opt::Peer);
			c.peer = true;
			break;
		case Tag::SyncThreshold: {
			set_option(Opt::SyncThreshold);
			auto n = number(v, 1, 255);
			if (!n)
				fail("illegal sync-threshold `" + v + "' specified: 1..255");
			c.daemon.threshold = static_cast<std::uint32_t>(*n);
			break;
		}
		case Tag::Masquerading:
		case Tag::Gatewaying:
		case Tag::Ipip:
			fail("option `" + t.shown +
			     "': ipvsadm-fnat does FULLNAT only (-b|--fullnat); use ipvsadm for "
			     "NAT (-m), direct routing (-g) and tunnelling (-i)");
		case Tag::Fwmark:
			fail("option `" + t.shown +
			     "': firewall-mark services are not supported; name the service with -t or -u");
		default:
			fail("invalid option `" + t.shown + "'", true);
		}
	}
	if (!cmd)
		fail("no command specified", true);
	c.cmd = *cmd;

	if (c.cmd == Cmd::SetTimeout) {
		if (positional.size() < 3)
			fail("--set option requires 3 timeout values");
		for (std::size_t k = 0; k < 3; k++)
			c.timeouts[k] = parse_timeout(positional[k], 0);
		positional.erase(positional.begin(), positional.begin() + 3);
	}
	if (!positional.empty())
		fail("unexpected argument " + positional.front());

	if (auto err = check_options(c.cmd, c.opts))
		fail(*err);
	if (c.has(Opt::SyncThreshold) && c.daemon_state != IPVS_FNAT_DAEMON_MASTER)
		fail("option `--sync-threshold' is a master's setting, not a backup's");
	// The kernel refuses it too (EINVAL); said here in the tool's words, before asking.
	if (synproxy_shown && c.svc.proto != Proto::TCP)
		fail("option `" + *synproxy_shown + "': the SYN proxy is for TCP services only (-t), not UDP (-u)");

	if (mask_text) {
		auto m = parse_netmask(*mask_text, c.svc.af());
		if (!m)
			fail(c.svc.af() == AF_INET6 ? "illegal ipv6 netmask specified"
						    : "illegal virtual server persistent mask specified");
		c.netmask = m;
	}
	if (rs_text) {
		auto hp = parse_host_port(*rs_text, c.svc.proto, resolver);
		if (!hp)
			fail("illegal real server address[:port] specified");
		c.dest_addr = hp->addr;
		// No port (or 0): the service's, as ipvsadm does.
		c.dest_port = hp->port && *hp->port ? *hp->port : c.svc.port;
	}
	if (laddr_text) {
		auto a = parse_laddr(*laddr_text);
		if (!a)
			fail("illegal local address `" + *laddr_text + "' specified");
		c.laddr = *a;
	}
	if ((c.cmd == Cmd::AddService || c.cmd == Cmd::EditService) && c.sched.empty())
		c.sched = kDefaultScheduler;
	return c;
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view s, Proto proto, const Resolver &resolver)
{
	if (s.empty() || all_digits(s))
		return std::nullopt;
	HostPort hp;
	std::string_view host, port;
	bool has_port = false;
	if (s.front() == '[') {
		const auto close = s.find(']');
		if (close == std::string_view::npos)
			return std::nullopt;
		host = s.substr(1, close - 1);
		auto rest = s.substr(close + 1);
		if (!rest.empty()) {
			if (rest.front() != ':')
				return std::nullopt;
			port = rest.substr(1);
			has_port = true;
		}
		auto a = Address::parse(host);
		if (!a || a->af != AF_INET6)
			return std::nullopt;
		hp.addr = *a;
	} else if (auto a6 = Address::parse(s); a6 && a6->af == AF_INET6) {
		hp.addr = *a6;  // a bare IPv6 address: no port
	} else {
		const auto colon = s.rfind(':');
		host = s.substr(0, colon);
		if (colon != std::string_view::npos) {
			port = s.substr(colon + 1);
			has_port = true;
		}
		if (host.empty())
			return std::nullopt;
		auto a = Address::parse(host);
		if (a && a->af == AF_INET6)
			return std::nullopt;  // an IPv6 address with a port needs brackets
		if (!a)
			a = resolver.host_to_addr(host);
		if (!a)
			return std::nullopt;
		hp.addr = *a;
	}
	if (has_port) {
		auto p = parse_port(port, proto, resolver);
		if (!p)
			return std::nullopt;
		hp.port = p;
	}
	return hp;
}

std::optional<std::uint8_t> parse_netmask(std::string_view s, int af)
{
	const unsigned full = full_prefix(af);
	if (auto n = number(s, 1, full))
		return static_cast<std::uint8_t>(*n);
	if (af == AF_INET6)
		return std::nullopt;
	auto a = Address::parse(s);
	if (!a || a->af != AF_INET)
		return std::nullopt;
	std::uint32_t m;
	std::memcpy(&m, a->bytes.data(), 4);
	m = ntohl(m);
	// Contiguous ones from the top, at least one.
	const std::uint32_t inverted = ~m;
	if (m == 0 || (inverted & (inverted + 1)) != 0)
		return std::nullopt;
	return static_cast<std::uint8_t>(__builtin_popcount(m));
}

std::optional<std::vector<std::string>> split_rule_line(std::string_view line)
{
	std::vector<std::string> words;
	std::string cur;
	bool in_word = false;
	char quote = 0;
	for (char ch : line) {
		if (quote) {
			if (ch == quote)
				quote = 0;
			else
				cur += ch;
			continue;
		}
		if (ch == '#' && !in_word)
			break;
		if (ch == '\'' || ch == '"') {
			quote = ch;
			in_word = true;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			if (in_word)
				words.push_back(std::move(cur));
			cur.clear();
			in_word = false;
			continue;
		}
		cur += ch;
		in_word = true;
	}
	if (quote)
		return std::nullopt;
	if (in_word)
		words.push_back(std::move(cur));
	if (!words.empty()) {
		std::string_view first = words.front();
		const auto slash = first.rfind('/');
		if (slash != std::string_view::npos)
			first = first.substr(slash + 1);
		if (first == "ipvsadm" || first == "ipvsadm-fnat")
			words.erase(words.begin());
	}
	return words;
}

ParseResult parse_command_line(const std::vector<std::string> &args, const Resolver &resolver)
{
	try {
		return parse(args, resolver);
	} catch (const Failure &f) {
		return ParseError{f.message, f.try_help};
	}
}

}  // namespace fnat
