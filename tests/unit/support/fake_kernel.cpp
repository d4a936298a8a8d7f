#include "fake_kernel.hpp"

#include <algorithm>
#include <cerrno>

#include "fnat/uapi.hpp"

namespace fnat::test {
namespace {

bool known_scheduler(const std::string &s)
{
	for (const char *n : {"rr", "wrr", "lc", "wlc", "sh", "mh"})
		if (s == n)
			return true;
	return false;
}

void check_key(const ServiceKey &k, std::uint8_t cmd)
{
	if ((k.af() != AF_INET && k.af() != AF_INET6) || k.port == 0 ||
	    (k.proto != Proto::TCP && k.proto != Proto::UDP))
		throw KernelError(cmd, EINVAL, "bad service key");
}

// As the kernel, while parsing (before the service is looked up): the SYN proxy is
// for TCP services only.
void check_synproxy(const ServiceSpec &spec, std::uint8_t cmd)
{
	if (spec.flags && (*spec.flags & IPVS_FNAT_SVC_F_SYNPROXY) && spec.key.proto != Proto::TCP)
		throw KernelError(cmd, EINVAL, "the SYN proxy is for TCP services only");
}

// The settings of a NEW or SET_SERVICE, as the kernel's policy and range checks see
// them (the scheduler's name included, when given).
void check_settings(const ServiceSpec &spec, std::uint8_t cmd)
{
	if (spec.sched && !known_scheduler(*spec.sched))
		throw KernelError(cmd, ENOENT, "unknown scheduler");
	if (spec.flags && (*spec.flags & ~IPVS_FNAT_SVC_F_ALL))
		throw KernelError(cmd, EINVAL, "unknown flags");
	if (spec.timeout && (*spec.timeout < 1 || *spec.timeout > IPVS_FNAT_TIMEOUT_MAX))
		throw KernelError(cmd, EINVAL, "timeout out of range");
	if (spec.netmask && (*spec.netmask < 1 || *spec.netmask > full_prefix(spec.key.af())))
		throw KernelError(cmd, EINVAL, "netmask out of range");
	if (spec.owner && *spec.owner > IPVS_FNAT_OWNER_MAX)
		throw KernelError(cmd, EINVAL, "owner out of range");
}

}  // namespace

void FakeKernel::enter(const char *name, std::uint8_t cmd, bool mutating)
{
	calls.emplace_back(name);
	if (fail_next) {
		auto [err, extack] = *fail_next;
		fail_next.reset();
		throw KernelError(cmd, err, extack);
	}
	if (mutating && !privileged)
		throw KernelError(cmd, EPERM);
}

FakeKernel::Entry &FakeKernel::find(const ServiceKey &key, std::uint8_t cmd)
{
	check_key(key, cmd);
	for (Entry &e : table)
		if (e.svc.key == key)
			return e;
	throw KernelError(cmd, ESRCH);
}

void FakeKernel::add_service(const ServiceSpec &spec)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_NEW_SERVICE;
	enter("add_service", cmd, true);
	last_service_spec = spec;
	check_key(spec.key, cmd);
	check_synproxy(spec, cmd);
	for (const Entry &e : table)
		if (e.svc.key == spec.key)
			throw KernelError(cmd, EEXIST);
	if (!spec.sched)
		throw KernelError(cmd, ENOENT, "unknown scheduler");
	check_settings(spec, cmd);
	Entry e;
	e.svc.owner = spec.owner.value_or(0);
	e.svc.key = spec.key;
	e.svc.sched = *spec.sched;
	e.svc.flags = spec.flags.value_or(0);
	e.svc.timeout = spec.timeout.value_or(300);
	e.svc.netmask = spec.netmask.value_or(full_prefix(spec.key.af()));
	table.push_back(e);
}

void FakeKernel::edit_service(const ServiceSpec &spec)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_SET_SERVICE;
	enter("edit_service", cmd, true);
	last_service_spec = spec;
	check_key(spec.key, cmd);
	check_synproxy(spec, cmd);
	Entry &e = find(spec.key, cmd);
	check_settings(spec, cmd);
	if (spec.owner && *spec.owner != e.svc.owner)
		throw KernelError(cmd, EINVAL, "the owner of a service cannot change");
	if (spec.sched)
		e.svc.sched = *spec.sched;
	if (spec.flags) {
		e.svc.flags = *spec.flags;
		if (!(e.svc.flags & IPVS_FNAT_SVC_F_DEST_CHECK))
			for (Dest &d : e.dests)
				d.check_state = IPVS_FNAT_DEST_CHECK_OK, d.check_fails = 0, d.inhibit_left_ms = 0;
	}
	if (spec.timeout)
		e.svc.timeout = *spec.timeout;
	if (spec.netmask)
		e.svc.netmask = *spec.netmask;
}

void FakeKernel::del_service(const ServiceKey &key)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_DEL_SERVICE;
	enter("del_service", cmd, true);
	Entry &e = find(key, cmd);
	table.erase(table.begin() + (&e - table.data()));
}

Service FakeKernel::get_service(const ServiceKey &key)
{
	enter("get_service", IPVS_FNAT_CMD_GET_SERVICE, false);
	Entry &e = find(key, IPVS_FNAT_CMD_GET_SERVICE);
	Service s = e.svc;
	s.num_dests = static_cast<std::uint32_t>(e.dests.size());
	s.num_laddrs = static_cast<std::uint32_t>(e.laddrs.size());
	return s;
}

std::vector<Service> FakeKernel::services()
{
	enter("services", IPVS_FNAT_CMD_GET_SERVICE, false);
	std::vector<Service> out;
	for (const Entry &e : table) {
		Service s = e.svc;
		s.num_dests = static_cast<std::uint32_t>(e.dests.size());
		s.num_laddrs = static_cast<std::uint32_t>(e.laddrs.size());
		out.push_back(s);
	}
	return out;
}

void FakeKernel::add_dest(const ServiceKey &key, const DestSpec &d)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_NEW_DEST;
	enter("add_dest", cmd, true);
	last_dest_spec = d;
	Entry &e = find(key, cmd);
	if (d.addr.af != key.af())
		throw KernelError(cmd, EAFNOSUPPORT, "destination family differs from the service's");
	if (d.weight && *d.weight > 65535)
		throw KernelError(cmd, EINVAL, "weight out of range");
	const std::uint16_t port = d.port ? d.port : key.port;
	for (const Dest &x : e.dests)
		if (x.addr == d.addr && x.port == port)
			throw KernelError(cmd, EEXIST);
	Dest n;
	n.addr = d.addr;
	n.port = port;
	n.weight = d.weight.value_or(1);
	n.u_thresh = d.u_thresh.value_or(0);
	n.l_thresh = d.l_thresh.value_or(0);
	e.dests.push_back(n);
}

void FakeKernel::edit_dest(const ServiceKey &key, const DestSpec &d)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_SET_DEST;
	enter("edit_dest", cmd, true);
	last_dest_spec = d;
	Entry &e = find(key, cmd);
	const std::uint16_t port = d.port ? d.port : key.port;
	for (Dest &x : e.dests) {
		if (!(x.addr == d.addr && x.port == port))
			continue;
		if (d.weight && *d.weight > 65535)
			throw KernelError(cmd, EINVAL, "weight out of range");
		if (d.weight)
			x.weight = *d.weight;
		if (d.u_thresh)
			x.u_thresh = *d.u_thresh;
		if (d.l_thresh)
			x.l_thresh = *d.l_thresh;
		x.check_state = IPVS_FNAT_DEST_CHECK_OK;  // as the kernel: a SET restores
		x.check_fails = 0;
		x.inhibit_left_ms = 0;
		return;
	}
	throw KernelError(cmd, ENOENT);
}

void FakeKernel::del_dest(const ServiceKey &key, const Address &addr, std::uint16_t port)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_DEL_DEST;
	enter("del_dest", cmd, true);
	Entry &e = find(key, cmd);
	if (!port)
		port = key.port;
	auto it = std::find_if(e.dests.begin(), e.dests.end(),
			       [&](const Dest &x) { return x.addr == addr && x.port == port; });
	if (it == e.dests.end())
		throw KernelError(cmd, ENOENT);
	e.dests.erase(it);
}

std::vector<Dest> FakeKernel::dests(const ServiceKey &key)
{
	enter("dests", IPVS_FNAT_CMD_GET_DEST, false);
	return find(key, IPVS_FNAT_CMD_GET_DEST).dests;
}

void FakeKernel::add_laddr(const std::optional<ServiceKey> &key, const Address &addr, bool peer)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_NEW_LADDR;
	enter("add_laddr", cmd, true);
	std::vector<Laddr> &pool = key ? find(*key, cmd).laddrs : default_laddrs;
	if (key && addr.af != key->af())
		throw KernelError(cmd, EAFNOSUPPORT);
	for (const Laddr &l : pool)
		if (l.addr == addr)
			throw KernelError(cmd, EEXIST);
	pool.push_back(Laddr{addr, 0, 0, peer});
}

void FakeKernel::del_laddr(const std::optional<ServiceKey> &key, const Address &addr)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_DEL_LADDR;
	enter("del_laddr", cmd, true);
	std::vector<Laddr> &pool = key ? find(*key, cmd).laddrs : default_laddrs;
	if (key && addr.af != key->af())
		throw KernelError(cmd, EAFNOSUPPORT);
	auto it = std::find_if(pool.begin(), pool.end(), [&](const Laddr &l) { return l.addr == addr; });
	if (it == pool.end())
		throw KernelError(cmd, ENOENT);
	pool.erase(it);
}

std::vector<LaddrEntry> FakeKernel::laddrs(const std::optional<ServiceKey> &key)
{
	enter("laddrs", IPVS_FNAT_CMD_GET_LADDR, false);
	std::vector<LaddrEntry> out;
	if (key) {
		for (const Laddr &l : find(*key, IPVS_FNAT_CMD_GET_LADDR).laddrs)
			out.push_back(LaddrEntry{*key, l});
		return out;
	}
	for (const Entry &e : table)
		for (const Laddr &l : e.laddrs)
			out.push_back(LaddrEntry{e.svc.key, l});
	for (const Laddr &l : default_laddrs)
		out.push_back(LaddrEntry{std::nullopt, l});
	return out;
}

void FakeKernel::set_config(const Config &c)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_SET_CONFIG;
	enter("set_config", cmd, true);
	for (const auto *t : {&c.timeout_tcp, &c.timeout_tcp_fin, &c.timeout_udp, &c.timeout_syn})
		if (*t && **t > IPVS_FNAT_TIMEOUT_MAX)
			throw KernelError(cmd, EINVAL, "timeout out of range");
	// 0 means "unchanged", as with ipvsadm --set.
	auto apply = [](std::optional<std::uint32_t> &dst, const std::optional<std::uint32_t> &v) {
		if (v && *v)
			dst = *v;
	};
	apply(cfg.timeout_tcp, c.timeout_tcp);
	apply(cfg.timeout_tcp_fin, c.timeout_tcp_fin);
	apply(cfg.timeout_udp, c.timeout_udp);
	apply(cfg.timeout_syn, c.timeout_syn);
	const std::uint32_t fails = c.dc_fails.value_or(*cfg.dc_fails);
	const std::uint32_t lo = c.dc_inhibit_min.value_or(*cfg.dc_inhibit_min);
	const std::uint32_t hi = c.dc_inhibit_max.value_or(*cfg.dc_inhibit_max);
	if (fails < 1 || fails > 1000 || lo < 1 || hi > 86400 || lo > hi)
		throw KernelError(cmd, EINVAL, "passive check settings out of range");
	cfg.dc_fails = fails;
	cfg.dc_inhibit_min = lo;
	cfg.dc_inhibit_max = hi;
}

Config FakeKernel::config()
{
	enter("config", IPVS_FNAT_CMD_GET_CONFIG, false);
	return cfg;
}

Info FakeKernel::info()
{
	enter("info", IPVS_FNAT_CMD_GET_INFO, false);
	Info i = info_reply;
	i.service_count = static_cast<std::uint32_t>(table.size());
	i.conn_count = static_cast<std::uint32_t>(connections.size());
	return i;
}

void FakeKernel::zero(const std::optional<ServiceKey> &key)
{
	constexpr std::uint8_t cmd = IPVS_FNAT_CMD_ZERO;
	enter("zero", cmd, true);
	auto clear = [](Entry &e) {
		e.svc.stats = Stats{};
		for (Dest &d : e.dests)
			d.stats = Stats{};
	};
	if (key) {
		clear(find(*key, cmd));
		return;
	}
	for (Entry &e : table)
		clear(e);
}

void FakeKernel::flush()
{
	enter("flush", IPVS_FNAT_CMD_FLUSH, true);
	table.clear();
	default_laddrs.clear();  // as the kernel: FLUSH empties the default pool too
}

std::vector<Conn> FakeKernel::conns()
{
	enter("conns", IPVS_FNAT_CMD_GET_CONN, true);
	return connections;
}

void FakeKernel::start_daemon(const DaemonConfig &cfg)
{
	enter("start_daemon", IPVS_FNAT_CMD_NEW_DAEMON, true);
	if (cfg.state != IPVS_FNAT_DAEMON_MASTER && cfg.state != IPVS_FNAT_DAEMON_BACKUP)
		throw KernelError(IPVS_FNAT_CMD_NEW_DAEMON, EINVAL, "the daemon state must be master (1) or backup (2)");
	if (cfg.mcast_ifn.empty())
		throw KernelError(IPVS_FNAT_CMD_NEW_DAEMON, EINVAL, "missing the sync interface (MCAST_IFN)");
	if (cfg.group && !cfg.peers.empty())
		throw KernelError(IPVS_FNAT_CMD_NEW_DAEMON, EINVAL, "a multicast group and unicast peers exclude each other");
	if (!cfg.key.empty() && (cfg.key.size() < IPVS_FNAT_SYNC_KEY_MIN || cfg.key.size() > IPVS_FNAT_SYNC_KEY_MAX))
		throw KernelError(IPVS_FNAT_CMD_NEW_DAEMON, EINVAL, "the sync key must be 16..64 bytes");
	if (cfg.threshold && cfg.state != IPVS_FNAT_DAEMON_MASTER)
		throw KernelError(IPVS_FNAT_CMD_NEW_DAEMON, EINVAL, "the sync threshold is a master's setting");
	for (const Daemon &d : running)
		if (d.state == cfg.state)
			throw KernelError(IPVS_FNAT_CMD_NEW_DAEMON, EEXIST,
					  cfg.state == IPVS_FNAT_DAEMON_MASTER ? "a master sync daemon is already running"
									 : "a backup sync daemon is already running");
	Daemon d;
	d.state = cfg.state;
	d.mcast_ifn = cfg.mcast_ifn;
	d.syncid = cfg.syncid.value_or(0);
	d.peers = cfg.peers;
	if (cfg.peers.empty())
		d.group = cfg.group.value_or(*Address::parse("239.255.88.82"));
	d.port = cfg.port.value_or(IPVS_FNAT_SYNC_DEF_PORT);
	d.ttl = cfg.ttl.value_or(1);
	d.key_set = !cfg.key.empty();
	if (cfg.state == IPVS_FNAT_DAEMON_MASTER)
		d.threshold = cfg.threshold.value_or(IPVS_FNAT_SYNC_DEF_THRESHOLD);
	d.epoch = 1700000000000000000ull + running.size();
	last_daemon_key = cfg.key;
	running.push_back(d);
	// The kernel lists the master first.
	std::stable_sort(running.begin(), running.end(),
			 [](const Daemon &a, const Daemon &b) { return a.state < b.state; });
}

void FakeKernel::stop_daemon(std::uint32_t state)
{
	enter("stop_daemon", IPVS_FNAT_CMD_DEL_DAEMON, true);
	auto it = std::find_if(running.begin(), running.end(), [&](const Daemon &d) { return d.state == state; });
	if (it == running.end())
		throw KernelError(IPVS_FNAT_CMD_DEL_DAEMON, ESRCH,
				  state == IPVS_FNAT_DAEMON_MASTER ? "no master sync daemon is running"
								   : "no backup sync daemon is running");
	running.erase(it);
}

std::vector<Daemon> FakeKernel::daemons()
{
	enter("daemons", IPVS_FNAT_CMD_GET_DAEMON, true);
	return running;
}

}  // namespace fnat::test
