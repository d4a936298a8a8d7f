#include "app.hpp"

#include <cerrno>
#include <fstream>
#include <istream>
#include <sstream>
#include <new>
#include <ostream>

#include "fnat/errors.hpp"
#include "fnat/uapi.hpp"
#include "fnat/version.hpp"

#include "format.hpp"
#include "keyfile.hpp"
#include "prometheus.hpp"

namespace fnat {
namespace {

ServiceSpec service_spec(const Command &c)
{
	ServiceSpec s;
	s.key = c.svc;
	s.sched = c.sched;
	// As ipvsadm, -A and -E give the whole definition: the flag word is sent whole, so
	// -E without -p ends persistence, -E without -j turns the SYN proxy off and -E
	// without --dest-check the passive health check.
	s.flags = (c.has(Opt::Persistent) ? IPVS_FNAT_SVC_F_PERSISTENT : 0u) |
		  (c.has(Opt::SynProxy) ? IPVS_FNAT_SVC_F_SYNPROXY : 0u) |
		  (c.has(Opt::DestCheck) ? IPVS_FNAT_SVC_F_DEST_CHECK : 0u);
	if (c.has(Opt::Persistent)) {
		s.timeout = c.persistence;
		s.netmask = c.netmask.value_or(full_prefix(c.svc.af()));
	} else if (c.netmask) {
		s.netmask = c.netmask;
	}
	return s;
}

DestSpec dest_spec(const Command &c)
{
	// As ipvsadm, -a and -e give the whole definition: weight 1 and no thresholds by default.
	return DestSpec{c.dest_addr, c.dest_port, c.weight, c.u_thresh, c.l_thresh};
}

// A destination of the other family cannot exist: say so without asking the kernel
// (SET_DEST and DEL_DEST carry no family of their own).
void check_dest_family(const Command &c, std::uint8_t cmd)
{
	if (c.dest_addr.af != c.svc.af())
		throw KernelError(cmd, EAFNOSUPPORT);
}

// The GET_LADDR dump's entries without a service: the namespace's default pool.
std::vector<Laddr> default_pool(const std::vector<LaddrEntry> &laddrs)
{
	std::vector<Laddr> pool;
	for (const LaddrEntry &e : laddrs)
		if (!e.service)
			pool.push_back(e.laddr);
	return pool;
}

// Every service with its destinations (with_dests) and local addresses, in the
// kernel's order, then the default LIP pool.
Listing collect(Kernel &k, bool with_info, bool with_dests = true)
{
	Listing l;
	if (with_info)
		l.info = k.info();
	const std::vector<Service> services = k.services();
	const std::vector<LaddrEntry> laddrs = k.laddrs(std::nullopt);
	for (const Service &s : services) {
		ServiceView v{s, {}, {}};
		if (with_dests) {
			try {
				v.dests = k.dests(s.key);
			} catch (const KernelError &e) {
				if (e.err() == ESRCH)
					continue;  // deleted since the service dump
				throw;
			}
		}
		for (const LaddrEntry &e : laddrs)
			if (e.service == s.key)
				v.laddrs.push_back(e.laddr);
		l.services.push_back(std::move(v));
	}
	l.default_laddrs = default_pool(laddrs);
	return l;
}

Listing collect_one(Kernel &k, const ServiceKey &key, bool with_dests)
{
	Listing l;
	ServiceView v{k.get_service(key), {}, {}};
	if (with_dests)
		v.dests = k.dests(key);
	for (LaddrEntry &e : k.laddrs(key))
		v.laddrs.push_back(e.laddr);
	l.services.push_back(std::move(v));
	return l;
}

void list(const Command &c, Env &env)
{
	Kernel &k = env.kernel();
	const unsigned fmt = c.format;
	const bool json = fmt & FMT_JSON;
	if (c.has(Opt::Daemon)) {
		const std::vector<Daemon> d = k.daemons();
		env.out << (json ? json_daemons(d) : format_daemons(d, fmt));
		return;
	}
	if (c.has(Opt::Connection)) {
		const std::vector<Conn> conns = k.conns();
		env.out << (json ? json_conns(conns) : format_conns(conns, fmt, env.resolver));
		return;
	}
	if (c.has(Opt::Timeout)) {
		const Config cfg = k.config();
		env.out << (json ? json_timeout(cfg) : format_timeout(cfg));
		return;
	}
	Listing l = c.has(Opt::Service) ? collect_one(k, c.svc, true) : collect(k, true);
	if (fmt & FMT_SORT)
		sort_listing(l);
	env.out << (json ? json_list(l) : format_list(l, fmt, env.resolver));
}

void get_laddrs(const Command &c, Env &env)
{
	Kernel &k = env.kernel();
	const bool one = c.has(Opt::Service);
	const Listing l = one ? collect_one(k, c.svc, false) : collect(k, false, false);
	env.out << (c.format & FMT_JSON ? json_laddrs(l, !one) : format_laddrs(l, c.format, env.resolver));
}

// --prometheus: the whole listing and, when the file is there, the datapath counters.
void prometheus(Env &env)
{
	const Listing l = collect(env.kernel(), false);
	std::vector<ProcCounter> counters;
	if (std::ifstream f(env.stats_path); f) {
		std::ostringstream text;
		text << f.rdbuf();
		counters = parse_proc_counters(text.str());
	}
	env.out << format_prometheus(l, counters);
}

// --start-daemon: the settings, and the key read from its file; every copy of the key
// is wiped whatever happens.
void start_daemon(const Command &c, Env &env)
{
	struct Request {
		DaemonConfig cfg;
		~Request() { SecretBytes::wipe(cfg.key); }
	} r{c.daemon};
	if (!c.key_file.empty()) {
		const SecretBytes key = read_sync_key(c.key_file);
		r.cfg.key = key.bytes();
	}
	env.kernel().start_daemon(r.cfg);
}

// -P / -Q: the service's pool, or the namespace's default pool without -t|-u.
std::optional<ServiceKey> laddr_pool(const Command &c)
{
	return c.has(Opt::Service) ? std::optional<ServiceKey>(c.svc) : std::nullopt;
}

void print_error(Env &env, std::string_view prefix, std::string_view msg)
{
	env.err << prefix << msg << '\n';
}

std::string try_help(std::string_view prog)
{
	return "Try `" + std::string(prog) + " -h' or '" + std::string(prog) + " --help' for more information.";
}

// Runs fn, printing what it throws; returns the exit status.
template <typename Fn> int guarded(Env &env, std::string_view prefix, Fn &&fn)
{
	try {
		fn();
		return kExitOk;
	} catch (const std::bad_alloc &) {
		print_error(env, prefix, "Memory allocation problem");
	} catch (const std::exception &e) {
		// KernelError, ModuleNotLoaded, TransportError and the tool's own refusals.
		print_error(env, prefix, e.what());
	}
	return kExitFailure;
}

}  // namespace

void execute(const Command &c, Env &env, bool restoring)
{
	if (c.kind == Command::Kind::Help) {
		env.out << usage_text(env.prog);
		return;
	}
	if (c.kind == Command::Kind::Version) {
		env.out << version_text();
		return;
	}
	switch (c.cmd) {
	case Cmd::AddService:
		env.kernel().add_service(service_spec(c));
		break;
	case Cmd::EditService:
		env.kernel().edit_service(service_spec(c));
		break;
	case Cmd::DelService:
		env.kernel().del_service(c.svc);
		break;
	case Cmd::Flush:
		env.kernel().flush();
		break;
	case Cmd::List:
		list(c, env);
		break;
	case Cmd::AddDest:
		env.kernel().add_dest(c.svc, dest_spec(c));
		break;
	case Cmd::EditDest:
		check_dest_family(c, IPVS_FNAT_CMD_SET_DEST);
		env.kernel().edit_dest(c.svc, dest_spec(c));
		break;
	case Cmd::DelDest:
		check_dest_family(c, IPVS_FNAT_CMD_DEL_DEST);
		env.kernel().del_dest(c.svc, c.dest_addr, c.dest_port);
		break;
	case Cmd::SetTimeout: {
		Config cfg;
		cfg.timeout_tcp = c.timeouts[0];
		cfg.timeout_tcp_fin = c.timeouts[1];
		cfg.timeout_udp = c.timeouts[2];
		env.kernel().set_config(cfg);
		break;
	}
	case Cmd::Restore:
		if (restoring)
			throw std::runtime_error("-R cannot be used in the rules that -R reads");
		if (restore(env) != kExitOk)
			throw std::runtime_error("restore stopped");
		break;
	case Cmd::Save: {
		Listing l = collect(env.kernel(), false);
		env.out << format_rules(l, c.format, env.resolver);
		break;
	}
	case Cmd::Zero:
		env.kernel().zero(c.has(Opt::Service) ? std::optional<ServiceKey>(c.svc) : std::nullopt);
		break;
	case Cmd::AddLaddr:
		env.kernel().add_laddr(laddr_pool(c), c.laddr, c.peer);
		break;
	case Cmd::DelLaddr:
		env.kernel().del_laddr(laddr_pool(c), c.laddr);
		break;
	case Cmd::GetLaddr:
		get_laddrs(c, env);
		break;
	case Cmd::Prometheus:
		prometheus(env);
		break;
	case Cmd::StartDaemon:
		start_daemon(c, env);
		break;
	case Cmd::StopDaemon:
		env.kernel().stop_daemon(c.daemon_state);
		break;
	case Cmd::Count:
		break;
	}
}

int restore(Env &env)
{
	std::string line;
	for (unsigned n = 1; std::getline(env.in, line); n++) {
		const std::string prefix = "line " + std::to_string(n) + ": ";
		auto words = split_rule_line(line);
		if (!words) {
			print_error(env, prefix, "unterminated quote");
			return kExitUsage;
		}
		if (words->empty())
			continue;
		ParseResult r = parse_command_line(*words, env.resolver);
		if (auto *pe = std::get_if<ParseError>(&r)) {
			print_error(env, prefix, pe->message);
			return kExitUsage;
		}
		const Command &c = std::get<Command>(r);
		const int rc = guarded(env, prefix, [&] { execute(c, env, true); });
		if (rc != kExitOk)
			return rc;
	}
	return kExitOk;
}

int run(const std::vector<std::string> &args, Env &env)
{
	ParseResult r = parse_command_line(args, env.resolver);
	if (auto *pe = std::get_if<ParseError>(&r)) {
		env.err << pe->message << '\n';
		if (pe->try_help)
			env.err << try_help(env.prog) << '\n';
		return kExitUsage;
	}
	const Command &c = std::get<Command>(r);
	if (c.kind == Command::Kind::Run && c.cmd == Cmd::Restore) {
		// restore() names the failing line itself.
		try {
			return restore(env);
		} catch (const std::exception &e) {
			print_error(env, "", e.what());
			return kExitFailure;
		}
	}
	return guarded(env, "", [&] { execute(c, env); });
}

std::string version_text()
{
	return "ipvsadm-fnat v" + std::string(tool_version()) + " (FULLNAT; generic netlink family " +
	       IPVS_FNAT_GENL_NAME + " version " + std::to_string(IPVS_FNAT_GENL_VERSION) + ")\n";
}

std::string usage_text(std::string_view prog_view)
{
	const std::string p(prog_view);
	std::string u = version_text();
	u += "Usage:\n"
	     "  " + p + " -A|E -t|u service-address [-s scheduler] [-p [timeout]] [-M netmask] [-j]\n"
	     "        [--dest-check]\n"
	     "  " + p + " -D -t|u service-address\n"
	     "  " + p + " -C\n"
	     "  " + p + " -R\n"
	     "  " + p + " -S [-n]\n"
	     "  " + p + " -a|e -t|u service-address -r server-address [-b] [-w weight] [-x upper] [-y lower]\n"
	     "  " + p + " -d -t|u service-address -r server-address\n"
	     "  " + p + " -P|Q [-t|u service-address] -z local-address\n"
	     "  " + p + " -G [-t|u service-address] [-n] [--json]\n"
	     "  " + p + " -L|l [-t|u service-address] [options]\n"
	     "  " + p + " -Z [-t|u service-address]\n"
	     "  " + p + " --set tcp tcpfin udp\n"
	     "  " + p + " --prometheus\n"
	     "  " + p + " --start-daemon master|backup --mcast-interface interface [--syncid id]\n"
	     "        [--sync-peer address]... [--mcast-group address] [--mcast-port port]\n"
	     "        [--mcast-ttl ttl] [--sync-key-file file] [--sync-threshold packets]\n"
	     "  " + p + " --stop-daemon master|backup\n"
	     "  " + p + " -h\n\n";
	u += "Commands:\n"
	     "Either long or short options are allowed.\n"
	     "  --add-service     -A        add virtual service with options\n"
	     "  --edit-service    -E        edit virtual service with options\n"
	     "  --delete-service  -D        delete virtual service\n"
	     "  --clear           -C        clear the whole table\n"
	     "  --restore         -R        restore rules from stdin\n"
	     "  --save            -S        save rules to stdout\n"
	     "  --add-server      -a        add real server with options\n"
	     "  --edit-server     -e        edit real server with options\n"
	     "  --delete-server   -d        delete real server\n"
	     "  --add-laddr       -P        add local address (LIP) to a service, or to the\n"
	     "                              default pool without -t|-u\n"
	     "  --del-laddr       -Q        delete local address from a service (or the pool)\n"
	     "  --get-laddr       -G        list local addresses\n"
	     "  --list            -L|-l     list the table\n"
	     "  --zero            -Z        zero counters in a service or all services\n"
	     "  --set tcp tcpfin udp        set connection timeout values (0: unchanged)\n"
	     "  --prometheus                print the metrics in the Prometheus text format\n"
	     "  --start-daemon state        start a connection sync daemon (master|backup)\n"
	     "  --stop-daemon state         stop a connection sync daemon\n"
	     "  --help            -h        display this help message\n"
	     "  --version         -v        display the version\n\n";
	u += "Options:\n"
	     "  --tcp-service  -t service-address   service-address is host:port, [IPv6]:port\n"
	     "  --udp-service  -u service-address   service-address is host:port, [IPv6]:port\n"
	     "  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|sh|mh,\n"
	     "                                      the default scheduler is " +
	     std::string(kDefaultScheduler) + ".\n"
	     "  --persistent   -p [timeout]         persistent service (default timeout " +
	     std::to_string(kDefaultPersistence) + ")\n"
	     "  --netmask      -M netmask           persistent granularity mask (IPv6: prefix length)\n"
	     "  --synproxy     -j                   SYN proxy: answer SYNs with cookies (TCP only;\n"
	     "                                      -E without -j turns it off)\n"
	     "  --dest-check                        passive health checks of the real servers\n"
	     "                                      (-E without --dest-check turns them off)\n"
	     "  --real-server  -r server-address    server-address is host (and port)\n"
	     "  --fullnat      -b                   full NAT (the one forwarding method, default)\n"
	     "  --weight       -w weight            capacity of real server (0-65535, default 1)\n"
	     "  --u-threshold  -x uthreshold        upper threshold of connections\n"
	     "  --l-threshold  -y lthreshold        lower threshold of connections\n"
	     "  --laddr        -z local-address     local address (LIP) of the service or pool\n"
	     "  --peer                              -P: another director's LIP (synced connections only)\n"
	     "  --connection   -c                   output of current IPVS connections\n"
	     "  --timeout                           output of timeout (tcp tcpfin udp)\n"
	     "  --stats                             output of statistics information\n"
	     "  --rate                              output of rate information\n"
	     "  --exact        -X                   expand numbers (display exact values)\n"
	     "  --sort                              sort services, servers and local addresses\n"
	     "  --json                              machine-readable output of any listing\n"
	     "  --numeric      -n                   numeric output of addresses and ports\n"
	     "  --daemon                            output of the sync daemons (-L; --stats: counters)\n"
	     "  --mcast-interface interface         the sync daemon's interface\n"
	     "  --syncid id                         the sync id (0-255); a backup's 0 takes all\n"
	     "  --sync-peer address                 a unicast peer instead of the group (repeatable)\n"
	     "  --mcast-group address               the multicast group (default 239.255.88.82)\n"
	     "  --mcast-port port                   the sync port (default 8850)\n"
	     "  --mcast-ttl ttl                     the multicast TTL (default 1)\n"
	     "  --sync-key-file file                HMAC-SHA256 key, 16-64 bytes, mode 600\n"
	     "  --sync-threshold packets            client packets before a connection is synced\n"
	     "                                      (master, default 3)\n\n"
	     "This tool does FULLNAT only: -m (NAT), -g (direct routing) and -i (tunnelling)\n"
	     "belong to ipvsadm.\n";
	return u;
}

}  // namespace fnat
