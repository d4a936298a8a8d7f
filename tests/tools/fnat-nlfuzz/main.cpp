// fnat-nlfuzz: random and mutated IPVS_FNAT generic-netlink messages against the
// running ipvs_fnat.ko, built with fnat-nlcheck's message library (fnat_nlmsg).
//
//   fnat-nlfuzz [--count N] [--seed S] [--jobs J] [--unpriv] [--verbose]
//
// Every message is one of (chosen at random, reproducible from --seed):
//   - a request for any command (every IPVS_FNAT command, and unknown ones) built from
//     a grammar of plausible values — 80 % name one of four well-known services, with
//     destinations and local addresses of its family, so that creations succeed and
//     later commands find what they refer to — then, 60 % of them, mutated: attributes dropped (missing), unknown types added,
//     leaves with wrong payload sizes, nests sent as leaves and leaves as nests, the
//     NESTED flag cleared, lengths of 0, 1, 3, just short, just long and 0xffff,
//     duplicated attributes, deep nesting, junk after the attributes, the dump flag,
//     version and reserved bytes at random;
//   - a well-formed request whose bytes after the netlink header are then flipped,
//     cut or extended (the netlink header's length kept true, so the kernel answers);
//   - raw netlink junk: lying nlmsg_len, missing NLM_F_REQUEST, several messages in
//     one datagram, control message types. The kernel may answer nothing, so a
//     GET_INFO follows on the same socket and must be answered.
//
// What must hold (any violation is counted as a failure and printed):
//   - every request is answered (an ack, or a dump's DONE) with an errno from the
//     set the family documents; replies parse;
//   - privileged: every 500 messages the whole state can be dumped and parses
//     (fnat-nlcheck's snapshot), and GET_INFO's service count matches the dump;
//   - --unpriv (no CAP_NET_ADMIN over the namespace): every mutating command,
//     GET_CONN and GET_DAEMON are EPERM, unknown commands EOPNOTSUPP, and the state is byte for byte
//     the same at the end as at the start.
// Privileged runs flush the namespace every 5000 messages and at the end, and put its
// tunables back as they found them.
//
// Prints one summary line per process ("fnat-nlfuzz: N sent ... failures=N") and a
// histogram of answers; exits 1 on any failure.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <map>
#include <netinet/in.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "nlmsg.hpp"
#include "nlsock.hpp"
#include "state.hpp"
#include "uapi/ipvs_fnat.h"

using namespace nlc;

namespace {

class Rng {
public:
	explicit Rng(uint64_t seed) : g_(seed) {}
	uint64_t next() { return g_(); }
	// 0 .. n-1
	uint32_t below(uint32_t n) { return n ? static_cast<uint32_t>(g_() % n) : 0; }
	bool chance(uint32_t percent) { return below(100) < percent; }
	template <typename T> const T &pick(const std::vector<T> &v) { return v[below(v.size())]; }
	Bytes junk(size_t n)
	{
		Bytes b(n);
		for (auto &c : b)
			c = static_cast<uint8_t>(g_());
		return b;
	}

private:
	std::mt19937_64 g_;
};

bool mutating(uint8_t cmd)
{
	switch (cmd) {
	case IPVS_FNAT_CMD_NEW_SERVICE:
	case IPVS_FNAT_CMD_SET_SERVICE:
	case IPVS_FNAT_CMD_DEL_SERVICE:
	case IPVS_FNAT_CMD_NEW_DEST:
	case IPVS_FNAT_CMD_SET_DEST:
	case IPVS_FNAT_CMD_DEL_DEST:
	case IPVS_FNAT_CMD_NEW_LADDR:
	case IPVS_FNAT_CMD_DEL_LADDR:
	case IPVS_FNAT_CMD_SET_CONFIG:
	case IPVS_FNAT_CMD_ZERO:
	case IPVS_FNAT_CMD_FLUSH:
	case IPVS_FNAT_CMD_NEW_DAEMON:
	case IPVS_FNAT_CMD_DEL_DAEMON:
		return true;
	default:
		return false;
	}
}

// Commands an unprivileged process may not even read: the connections, and the
// daemons (their interfaces and peers).
bool admin_only(uint8_t cmd)
{
	return mutating(cmd) || cmd == IPVS_FNAT_CMD_GET_CONN || cmd == IPVS_FNAT_CMD_GET_DAEMON;
}

// Answers the family may give to a request it refuses (docs/netlink.md), and what
// genetlink and the netlink core themselves answer. Starting a sync daemon may also
// meet the socket layer's refusals (its interface, a port in use).
bool allowed_errno(int e, uint8_t cmd)
{
	if (cmd == IPVS_FNAT_CMD_NEW_DAEMON &&
	    (e == ENODEV || e == EADDRINUSE || e == EADDRNOTAVAIL || e == ENOBUFS))
		return true;
	switch (e) {
	case 0:
	case EINVAL:
	case ERANGE:
	case ENOENT:
	case ESRCH:
	case EEXIST:
	case EOPNOTSUPP:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case EMSGSIZE:
	case E2BIG:
		return true;
	default:
		return false;
	}
}

// --- the grammar ----------------------------------------------------------------------

class Gen {
public:
	explicit Gen(Rng &r) : r_(r) {}

	Bytes v4() { return addr(r_.pick(v4_)); }
	Bytes v6() { return addr(r_.pick(v6_)); }

	Bytes any_addr(uint16_t af)
	{
		switch (r_.below(10)) {
		case 0:
			return r_.junk(r_.pick(std::vector<size_t>{0, 1, 3, 5, 15, 17, 32}));
		case 1:
			return af == AF_INET ? v6() : v4();	// the other family's length
		default:
			return af == AF_INET6 ? v6() : v4();
		}
	}

	uint16_t af()
	{
		switch (r_.below(10)) {
		case 0:
			return static_cast<uint16_t>(r_.pick(std::vector<int>{0, 1, 3, 255, 0xffff}));
		case 1:
		case 2:
		case 3:
			return AF_INET6;
		default:
			return AF_INET;
		}
	}

	uint16_t port()
	{
		return static_cast<uint16_t>(
			r_.chance(85) ? r_.pick(std::vector<int>{80, 443, 53, 8080})
				      : r_.pick(std::vector<int>{0, 1, 65535, static_cast<int>(r_.below(65536))}));
	}

	uint32_t u32_edge()
	{
		return r_.pick(std::vector<uint32_t>{0, 1, 2, 100, 65535, 65536, 31536000, 31536001,
						     0x7fffffff, 0x80000000, 0xffffffff,
						     static_cast<uint32_t>(r_.next())});
	}

	// Most requests name one of four well-known services, so that creations succeed
	// and later commands (destinations, local addresses, changes, deletions) find
	// what they name; the rest are anything. The family of the last key built is
	// the one destinations and local addresses follow.
	std::vector<Attr> svc_key()
	{
		std::vector<Attr> k;
		if (r_.chance(80)) {
			static const struct {
				uint16_t af;
				uint8_t proto;
				const char *addr;
				uint16_t port;
			} known[] = {{AF_INET, IPPROTO_TCP, "192.0.2.10", 80},
				     {AF_INET, IPPROTO_UDP, "192.0.2.10", 53},
				     {AF_INET6, IPPROTO_TCP, "2001:db8:10::10", 80},
				     {AF_INET6, IPPROTO_TCP, "2001:db8:10::11", 443}};
			const auto &s = known[r_.below(4)];
			fam_ = s.af;
			k.push_back(u16(IPVS_FNAT_SVC_ATTR_AF, s.af));
			k.push_back(u8(IPVS_FNAT_SVC_ATTR_PROTOCOL, s.proto));
			k.push_back(bytes(IPVS_FNAT_SVC_ATTR_ADDR, addr(s.addr)));
			k.push_back(be16(IPVS_FNAT_SVC_ATTR_PORT, s.port));
			return k;
		}
		uint16_t a = af();
		fam_ = a == AF_INET6 ? AF_INET6 : AF_INET;
		k.push_back(u16(IPVS_FNAT_SVC_ATTR_AF, a));
		k.push_back(u8(IPVS_FNAT_SVC_ATTR_PROTOCOL,
			       r_.chance(90) ? static_cast<uint8_t>(r_.chance(60) ? IPPROTO_TCP : IPPROTO_UDP)
					     : static_cast<uint8_t>(r_.next())));
		k.push_back(bytes(IPVS_FNAT_SVC_ATTR_ADDR, any_addr(a)));
		k.push_back(be16(IPVS_FNAT_SVC_ATTR_PORT, port()));
		return k;
	}

	Attr service(bool full)
	{
		auto k = svc_key();
		if (full || r_.chance(30)) {
			std::string s = r_.pick(scheds_);
			if (r_.chance(5))
				k.push_back(bytes(IPVS_FNAT_SVC_ATTR_SCHED_NAME, r_.junk(r_.below(40))));
			else
				k.push_back(str(IPVS_FNAT_SVC_ATTR_SCHED_NAME, s));
		}
		if (r_.chance(30))
			k.push_back(u32(IPVS_FNAT_SVC_ATTR_FLAGS, r_.chance(70) ? r_.below(2) : u32_edge()));
		if (r_.chance(30))
			k.push_back(u32(IPVS_FNAT_SVC_ATTR_TIMEOUT, u32_edge()));
		if (r_.chance(30))
			k.push_back(u8(IPVS_FNAT_SVC_ATTR_NETMASK, static_cast<uint8_t>(
						       r_.pick(std::vector<int>{0, 1, 24, 32, 64, 128, 129, 255}))));
		if (r_.chance(5))	// replies-only attributes in a request
			k.push_back(u32(IPVS_FNAT_SVC_ATTR_NUM_DESTS, u32_edge()));
		if (r_.chance(3))
			k.push_back(nest(IPVS_FNAT_SVC_ATTR_STATS, {u64(IPVS_FNAT_STATS_ATTR_CONNS, 1)}));
		return nest(IPVS_FNAT_ATTR_SERVICE, std::move(k));
	}

	Attr dest(bool full)
	{
		std::vector<Attr> d;
		uint16_t a = r_.chance(90) ? fam_ : (fam_ == AF_INET ? AF_INET6 : AF_INET);
		d.push_back(bytes(IPVS_FNAT_DEST_ATTR_ADDR, r_.chance(90) ? (a == AF_INET ? rs4() : rs6())
									: any_addr(a)));
		d.push_back(be16(IPVS_FNAT_DEST_ATTR_PORT, port()));
		if (r_.chance(30))
			d.push_back(u16(IPVS_FNAT_DEST_ATTR_ADDR_FAMILY, r_.chance(80) ? a : this->af()));
		if (full || r_.chance(40))
			d.push_back(u32(IPVS_FNAT_DEST_ATTR_WEIGHT, r_.chance(70) ? r_.below(10) : u32_edge()));
		if (r_.chance(20))
			d.push_back(u32(IPVS_FNAT_DEST_ATTR_U_THRESH, u32_edge()));
		if (r_.chance(20))
			d.push_back(u32(IPVS_FNAT_DEST_ATTR_L_THRESH, u32_edge()));
		if (r_.chance(5))
			d.push_back(u32(IPVS_FNAT_DEST_ATTR_ACTIVE_CONNS, u32_edge()));
		return nest(IPVS_FNAT_ATTR_DEST, std::move(d));
	}

	Attr laddr()
	{
		std::vector<Attr> l;
		uint16_t a = r_.chance(90) ? fam_ : (fam_ == AF_INET ? AF_INET6 : AF_INET);
		if (r_.chance(50))
			l.push_back(u16(IPVS_FNAT_LADDR_ATTR_AF, r_.chance(80) ? a : af()));
		l.push_back(bytes(IPVS_FNAT_LADDR_ATTR_ADDR,
				  r_.chance(90) ? (a == AF_INET ? lip4() : lip6()) : any_addr(a)));
		if (r_.chance(5))
			l.push_back(u64(IPVS_FNAT_LADDR_ATTR_PORT_CONFLICTS, r_.next()));
		return nest(IPVS_FNAT_ATTR_LADDR, std::move(l));
	}

	Attr config()
	{
		std::vector<Attr> c;
		for (uint16_t t = IPVS_FNAT_CFG_ATTR_TIMEOUT_TCP; t <= IPVS_FNAT_CFG_ATTR_CONN_MAX; t++)
			if (r_.chance(30))
				c.push_back(u32(t, r_.chance(60) ? 1 + r_.below(1000) : u32_edge()));
		if (r_.chance(30))
			c.push_back(u16(IPVS_FNAT_CFG_ATTR_PORT_MIN, static_cast<uint16_t>(r_.next())));
		if (r_.chance(30))
			c.push_back(u16(IPVS_FNAT_CFG_ATTR_PORT_MAX, static_cast<uint16_t>(r_.next())));
		for (uint16_t t = IPVS_FNAT_CFG_ATTR_TOA; t <= IPVS_FNAT_CFG_ATTR_EXPIRE_RST; t++)
			if (r_.chance(30))
				c.push_back(u8(t, static_cast<uint8_t>(r_.chance(80) ? r_.below(2) : r_.next())));
		return nest(IPVS_FNAT_ATTR_CONFIG, std::move(c));
	}

	// A sync daemon on lo (the namespace's one interface) with unicast peers, so that
	// starts succeed and stops find it; or a group, anything else.
	Attr daemon(bool full)
	{
		std::vector<Attr> d;
		d.push_back(u32(IPVS_FNAT_DAEMON_ATTR_STATE,
				r_.chance(90) ? 1 + r_.below(2) : u32_edge()));
		if (!full)
			return nest(IPVS_FNAT_ATTR_DAEMON, std::move(d));
		if (r_.chance(95))
			d.push_back(r_.chance(85) ? str(IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, "lo")
						  : bytes(IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, r_.junk(r_.below(20))));
		if (r_.chance(30))
			d.push_back(u32(IPVS_FNAT_DAEMON_ATTR_SYNCID, r_.chance(70) ? r_.below(256) : u32_edge()));
		if (r_.chance(80)) {
			std::vector<Attr> p;
			for (uint32_t n = r_.chance(90) ? 1 + r_.below(3) : r_.below(20); n > 0; n--)
				p.push_back(bytes(IPVS_FNAT_DAEMON_ATTR_PEER,
						  r_.chance(85) ? addr("127.0.0." + std::to_string(2 + r_.below(3)))
								: any_addr(af())));
			d.push_back(nest(IPVS_FNAT_DAEMON_ATTR_PEERS, std::move(p)));
		}
		if (r_.chance(20))
			d.push_back(bytes(IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP,
					  r_.chance(50) ? addr(r_.chance(50) ? "239.255.88.82" : "ff02::8850")
							: any_addr(af())));
		if (r_.chance(30))
			d.push_back(be16(IPVS_FNAT_DAEMON_ATTR_MCAST_PORT, port()));
		if (r_.chance(20))
			d.push_back(u8(IPVS_FNAT_DAEMON_ATTR_MCAST_TTL, static_cast<uint8_t>(r_.next())));
		if (r_.chance(30))
			d.push_back(bytes(IPVS_FNAT_DAEMON_ATTR_KEY,
					  r_.junk(r_.pick(std::vector<size_t>{0, 15, 16, 32, 64, 65, 200}))));
		if (r_.chance(30))
			d.push_back(u32(IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD,
					r_.chance(70) ? r_.below(300) : u32_edge()));
		if (r_.chance(5))	// replies-only attributes in a request
			d.push_back(u8(IPVS_FNAT_DAEMON_ATTR_KEY_SET, 1));
		return nest(IPVS_FNAT_ATTR_DAEMON, std::move(d));
	}

	// The attributes a command takes, as a plausible client would send them.
	std::vector<Attr> for_cmd(uint8_t cmd)
	{
		switch (cmd) {
		case IPVS_FNAT_CMD_NEW_SERVICE:
			return {service(true)};
		case IPVS_FNAT_CMD_SET_SERVICE:
		case IPVS_FNAT_CMD_DEL_SERVICE:
		case IPVS_FNAT_CMD_GET_SERVICE:
		case IPVS_FNAT_CMD_ZERO:
			return {service(false)};
		case IPVS_FNAT_CMD_NEW_DEST:
		case IPVS_FNAT_CMD_SET_DEST:
			return {service(false), dest(true)};
		case IPVS_FNAT_CMD_DEL_DEST:
			return {service(false), dest(false)};
		case IPVS_FNAT_CMD_GET_DEST:
			return {service(false)};
		case IPVS_FNAT_CMD_NEW_LADDR:
		case IPVS_FNAT_CMD_DEL_LADDR:
			return {service(false), laddr()};
		case IPVS_FNAT_CMD_GET_LADDR:
			return r_.chance(50) ? std::vector<Attr>{service(false)} : std::vector<Attr>{};
		case IPVS_FNAT_CMD_SET_CONFIG:
			return {config()};
		case IPVS_FNAT_CMD_NEW_DAEMON:
			return {daemon(true)};
		case IPVS_FNAT_CMD_DEL_DAEMON:
			return {daemon(false)};
		default:
			return {};
		}
	}

	// Any attribute at all: a type near or beyond the maximum, any payload.
	Attr random_attr(int depth = 0)
	{
		uint16_t type = static_cast<uint16_t>(
			r_.chance(80) ? r_.below(20) : r_.pick(std::vector<int>{0, 0x3fff, 0x7fff, 0xffff}));
		if (depth < 3 && r_.chance(20)) {
			std::vector<Attr> kids;
			for (uint32_t i = r_.below(4); i > 0; i--)
				kids.push_back(random_attr(depth + 1));
			return r_.chance(50) ? nest(type & ~NLA_F_NESTED, std::move(kids))
					     : nest_noflag(type & ~NLA_F_NESTED, std::move(kids));
		}
		size_t len = r_.pick(std::vector<size_t>{0, 1, 2, 3, 4, 5, 8, 16, 17, 64, r_.below(600)});
		return bytes(type, r_.junk(len));
	}

	// Mutations of an attribute tree, in place.
	void mutate(std::vector<Attr> &attrs, int depth = 0)
	{
		uint32_t rounds = 1 + r_.below(3);
		for (uint32_t n = 0; n < rounds; n++) {
			switch (r_.below(13)) {
			case 0:	// a missing attribute
				if (!attrs.empty())
					attrs.erase(attrs.begin() + r_.below(attrs.size()));
				break;
			case 1:	// an unknown or random one
				attrs.insert(attrs.begin() + r_.below(attrs.size() + 1), random_attr());
				break;
			case 2: {	// a leaf with the wrong size
				Attr *a = pick_leaf(attrs);
				if (a)
					a->payload.resize(r_.pick(std::vector<size_t>{0, 1, 2, 3, 5, 7, 9, 15, 17, 300}),
							  static_cast<uint8_t>(r_.next()));
				break;
			}
			case 3: {	// a nest sent as a leaf, with junk
				if (attrs.empty())
					break;
				Attr &a = attrs[r_.below(attrs.size())];
				a.is_nest = false;
				a.kids.clear();
				a.payload = r_.junk(r_.below(64));
				break;
			}
			case 4: {	// a leaf sent as a nest
				Attr *a = pick_leaf(attrs);
				if (a) {
					a->is_nest = true;
					a->kids = {random_attr(2)};
					a->payload.clear();
				}
				break;
			}
			case 5:	// the NESTED flag cleared or set where it does not belong
				if (!attrs.empty())
					attrs[r_.below(attrs.size())].type ^= NLA_F_NESTED;
				break;
			case 6:	// lying lengths
				if (!attrs.empty()) {
					Attr &a = attrs[r_.below(attrs.size())];
					a.raw_len = static_cast<uint16_t>(r_.pick(std::vector<int>{
						0, 1, 3, 4, 5, 0xffff, 0x8000, static_cast<int>(a.payload.size()) + 3,
						static_cast<int>(a.payload.size()) + 8}));
				}
				break;
			case 7:	// NLA_F_NET_BYTEORDER
				if (!attrs.empty())
					attrs[r_.below(attrs.size())].type |= NLA_F_NET_BYTEORDER;
				break;
			case 8:	// a duplicate
				if (!attrs.empty())
					attrs.push_back(attrs[r_.below(attrs.size())]);
				break;
			case 9: {	// deep nesting
				Attr a = random_attr(3);
				for (uint32_t d = 1 + r_.below(30); d > 0; d--)
					a = nest(static_cast<uint16_t>(1 + r_.below(6)), {a});
				attrs.push_back(a);
				break;
			}
			case 10:	// another command's attributes
				for (auto &a : for_cmd(static_cast<uint8_t>(1 + r_.below(IPVS_FNAT_CMD_MAX))))
					attrs.push_back(a);
				break;
			case 11:	// a type beyond the maximum at the top
				attrs.push_back(bytes(static_cast<uint16_t>(IPVS_FNAT_ATTR_MAX + 1 + r_.below(4)),
						      r_.junk(r_.below(16))));
				break;
			default:	// recurse into a nest
				if (depth < 4)
					for (auto &a : attrs)
						if (a.is_nest && r_.chance(50))
							mutate(a.kids, depth + 1);
				break;
			}
		}
	}

private:
	Attr *pick_leaf(std::vector<Attr> &attrs)
	{
		std::vector<Attr *> leaves;
		collect(attrs, leaves);
		return leaves.empty() ? nullptr : leaves[r_.below(leaves.size())];
	}
	void collect(std::vector<Attr> &attrs, std::vector<Attr *> &out)
	{
		for (auto &a : attrs) {
			if (a.is_nest)
				collect(a.kids, out);
			else
				out.push_back(&a);
		}
	}
	Bytes rs4() { return addr(r_.pick(std::vector<std::string>{"203.0.113.11", "203.0.113.12"})); }
	Bytes rs6() { return addr(r_.pick(std::vector<std::string>{"2001:db8:5::11", "2001:db8:5::12"})); }
	Bytes lip4() { return addr(r_.pick(std::vector<std::string>{"203.0.113.100", "203.0.113.101"})); }
	Bytes lip6() { return addr(r_.pick(std::vector<std::string>{"2001:db8:5::100", "2001:db8:5::101"})); }

	Rng &r_;
	uint16_t fam_ = AF_INET;
	const std::vector<std::string> v4_{"192.0.2.10", "192.0.2.11", "192.0.2.12"};
	const std::vector<std::string> v6_{"2001:db8:10::10", "2001:db8:10::11"};
	const std::vector<std::string> scheds_{"rr", "wrr", "lc", "wlc", "sh", "mh", "",
					       "none", "rrrrrrrrrrrrrrrrrrrrrrrrr"};
};

// --- the run ---------------------------------------------------------------------------

struct Totals {
	long sent = 0, grammar = 0, bytes_mut = 0, raw = 0, snapshots = 0, failures = 0;
	std::map<std::string, long> answers;	// "CMD errno" -> count
};

class Fuzzer {
public:
	Fuzzer(uint64_t seed, bool unpriv, bool verbose, bool alone)
		: r_(seed), g_(r_), unpriv_(unpriv), verbose_(verbose), alone_(alone), seed_(seed) {}

	Totals run(long count)
	{
		if (unpriv_)
			before_ = snapshot(s_);
		for (long i = 0; i < count; i++) {
			uint32_t kind = r_.below(100);
			if (kind < 70)
				one_grammar();
			else if (kind < 92)
				one_bytes();
			else
				one_raw();
			t_.sent++;
			if (!unpriv_ && (i + 1) % 500 == 0)
				consistency();
			if (!unpriv_ && (i + 1) % 5000 == 0)
				flush();
		}
		if (unpriv_) {
			std::string after = snapshot(s_);
			if (after != before_)
				failure("the state changed under an unprivileged fuzzer:\n--- before\n" + before_ +
					"--- after\n" + after);
		} else {
			consistency();
			flush();
		}
		return t_;
	}

private:
	void failure(const std::string &what)
	{
		t_.failures++;
		if (t_.failures <= 20)
			std::fprintf(stderr, "fnat-nlfuzz[seed %llu, message %ld]: %s\n",
				     static_cast<unsigned long long>(seed_), t_.sent, what.c_str());
	}

	static std::string cmd_name(uint8_t cmd)
	{
		static const char *const n[] = {"UNSPEC", "NEW_SERVICE", "SET_SERVICE", "DEL_SERVICE",
						"GET_SERVICE", "NEW_DEST", "SET_DEST", "DEL_DEST",
						"GET_DEST", "NEW_LADDR", "DEL_LADDR", "GET_LADDR",
						"SET_CONFIG", "GET_CONFIG", "GET_INFO", "ZERO", "FLUSH",
						"GET_CONN", "NEW_DAEMON", "DEL_DAEMON", "GET_DAEMON"};
		static_assert(sizeof(n) / sizeof(n[0]) == IPVS_FNAT_CMD_MAX + 1, "a name per command");
		return cmd <= IPVS_FNAT_CMD_MAX ? n[cmd] : "unknown";
	}

	// Judge the kernel's answer to msg (whose netlink header is true).
	void judge(const Bytes &msg, const Reply &rep)
	{
		bool has_genl = msg.size() >= NLMSG_HDRLEN + GENL_HDRLEN;
		uint8_t cmd = has_genl ? msg[NLMSG_HDRLEN] : 0;
		std::string name = has_genl ? cmd_name(cmd) : "short";
		t_.answers[name + " " + errno_name(rep.error)]++;
		if (verbose_)
			std::printf("%s -> %s %s\n", name.c_str(), errno_name(rep.error).c_str(),
				    rep.extack.c_str());
		if (!allowed_errno(rep.error, cmd) && !(unpriv_ && rep.error == EPERM))
			failure(name + ": unexpected answer " + errno_name(rep.error) + " " + rep.extack);
		if (!has_genl) {
			if (rep.error != EINVAL)
				failure("a message without a full genl header: " + errno_name(rep.error));
			return;
		}
		// genetlink checks the header before it looks the command up or checks
		// permissions: a reserved field that is not 0 is EINVAL, for anyone.
		uint16_t reserved;
		std::memcpy(&reserved, msg.data() + NLMSG_HDRLEN + 2, sizeof(reserved));
		if (reserved) {
			if (rep.error != EINVAL)
				failure(name + " with genlmsghdr.reserved set answered " + errno_name(rep.error));
			return;
		}
		bool known = cmd >= 1 && cmd <= IPVS_FNAT_CMD_MAX;
		if (!known && rep.error != EOPNOTSUPP)
			failure("command " + std::to_string(cmd) + ": an unknown command answered " + errno_name(rep.error));
		if (unpriv_ && known && admin_only(cmd) &&
		    rep.error != EPERM)
			failure(name + " without CAP_NET_ADMIN answered " + errno_name(rep.error) +
				" instead of EPERM");
		if (!unpriv_ && rep.error == EPERM)
			failure(name + ": EPERM for a privileged process");
	}

	Request grammar_request()
	{
		Request q;
		uint32_t c = r_.below(100);
		q.cmd = static_cast<uint8_t>(c < 94 ? 1 + r_.below(IPVS_FNAT_CMD_MAX)
						    : r_.pick(std::vector<int>{0, IPVS_FNAT_CMD_MAX + 1, 0x7f, 0xff}));
		// FLUSH wipes everything the grammar built: rarely.
		if (q.cmd == IPVS_FNAT_CMD_FLUSH && !r_.chance(10))
			q.cmd = IPVS_FNAT_CMD_GET_INFO;
		q.attrs = g_.for_cmd(q.cmd);
		bool is_get = q.cmd == IPVS_FNAT_CMD_GET_SERVICE || q.cmd == IPVS_FNAT_CMD_GET_DEST ||
			      q.cmd == IPVS_FNAT_CMD_GET_LADDR || q.cmd == IPVS_FNAT_CMD_GET_CONN ||
			      q.cmd == IPVS_FNAT_CMD_GET_DAEMON;
		q.dump = is_get ? r_.chance(80) : r_.chance(5);
		return q;
	}

	void one_grammar()
	{
		t_.grammar++;
		Request q = grammar_request();
		if (r_.chance(60))
			g_.mutate(q.attrs);
		if (r_.chance(5))
			q.version = static_cast<uint8_t>(r_.next());
		if (r_.chance(5))
			q.reserved = static_cast<uint16_t>(r_.next());
		if (r_.chance(5))
			q.trailer = r_.junk(1 + r_.below(20));
		Bytes msg = encode_request(q, s_.family(), s_.next_seq());
		send_judged(msg);
	}

	void one_bytes()
	{
		t_.bytes_mut++;
		Request q = grammar_request();
		Bytes msg = encode_request(q, s_.family(), s_.next_seq());
		switch (r_.below(4)) {
		case 0:	// cut
			msg.resize(NLMSG_HDRLEN + r_.below(msg.size() - NLMSG_HDRLEN + 1));
			break;
		case 1: {	// extend
			Bytes j = r_.junk(1 + r_.below(64));
			msg.insert(msg.end(), j.begin(), j.end());
			break;
		}
		default:	// flip bytes (the genl header included)
			for (uint32_t n = 1 + r_.below(8); n > 0 && msg.size() > NLMSG_HDRLEN; n--)
				msg[NLMSG_HDRLEN + r_.below(msg.size() - NLMSG_HDRLEN)] ^=
					static_cast<uint8_t>(1 + r_.below(255));
			break;
		}
		uint32_t len = static_cast<uint32_t>(msg.size());
		std::memcpy(msg.data(), &len, sizeof(len));
		send_judged(msg);
	}

	void send_judged(const Bytes &msg)
	{
		try {
			Reply rep = s_.call_raw(msg);
			judge(msg, rep);
		} catch (const ParseError &e) {
			failure(std::string("a reply does not parse: ") + e.what());
		}
	}

	// Netlink-level junk; then a GET_INFO on the same socket must be answered.
	void one_raw()
	{
		t_.raw++;
		// No dumps here: a dump left half read on the socket would make the next
		// dump request EBUSY.
		Request q = grammar_request();
		q.dump = false;
		Bytes msg = encode_request(q, s_.family(), s_.next_seq());
		nlmsghdr nh;
		std::memcpy(&nh, msg.data(), sizeof(nh));
		switch (r_.below(6)) {
		case 0:	// a length shorter than the header, or than the message
			nh.nlmsg_len = r_.below(static_cast<uint32_t>(msg.size()));
			break;
		case 1:	// longer than the datagram
			nh.nlmsg_len = static_cast<uint32_t>(msg.size()) + 1 + r_.below(100000);
			break;
		case 2:	// not a request
			nh.nlmsg_flags &= static_cast<uint16_t>(~NLM_F_REQUEST);
			break;
		case 3:	// a control message type, or random flags
			if (r_.chance(50))
				nh.nlmsg_type = static_cast<uint16_t>(r_.below(NLMSG_MIN_TYPE));
			else
				nh.nlmsg_flags = (static_cast<uint16_t>(r_.next()) | NLM_F_REQUEST) &
						 static_cast<uint16_t>(~NLM_F_ROOT);
			break;
		case 4: {	// several messages in one datagram, the last one cut
			Request q2 = grammar_request(), q3 = grammar_request();
			q2.dump = q3.dump = false;
			Bytes more = encode_request(q2, s_.family(), s_.next_seq());
			while (msg.size() % NLMSG_ALIGNTO)
				msg.push_back(0);
			msg.insert(msg.end(), more.begin(), more.end());
			Bytes last = encode_request(q3, s_.family(), s_.next_seq());
			msg.insert(msg.end(), last.begin(), last.begin() + r_.below(last.size()));
			break;
		}
		default:	// a bare header, or less
			msg.resize(r_.below(NLMSG_HDRLEN + 1));
			break;
		}
		if (msg.size() >= sizeof(nh))
			std::memcpy(msg.data(), &nh, sizeof(nh));
		if (msg.empty())
			msg.push_back(0);
		try {
			s_.send_raw(msg);
		} catch (const std::exception &e) {
			// sendto() may refuse a datagram outright (EINVAL for a short one).
		}
		try {
			Reply rep = s_.call(req(IPVS_FNAT_CMD_GET_INFO));
			if (rep.error || rep.msgs.size() != 1)
				failure("GET_INFO after raw junk: " + errno_name(rep.error));
		} catch (const std::exception &e) {
			failure(std::string("GET_INFO after raw junk: ") + e.what());
		}
	}

	// The whole state dumps and parses; GET_INFO agrees with the dump. With other jobs
	// changing the namespace meanwhile, only the dumps themselves are checked (a
	// service may go between the dump and the request for its destinations).
	void consistency()
	{
		t_.snapshots++;
		try {
			if (!alone_) {
				Reply a = s_.call(req(IPVS_FNAT_CMD_GET_SERVICE, {}, true));
				Reply b = s_.call(req(IPVS_FNAT_CMD_GET_LADDR, {}, true));
				Reply c = s_.call(req(IPVS_FNAT_CMD_GET_CONN, {}, true));
				if (a.error || b.error || c.error)
					failure("a dump failed");
				return;
			}
			std::string snap = snapshot(s_);
			Reply info = s_.call(req(IPVS_FNAT_CMD_GET_INFO));
			Reply svcs = s_.call(req(IPVS_FNAT_CMD_GET_SERVICE, {}, true));
			if (info.error || svcs.error || info.msgs.size() != 1) {
				failure("GET_INFO or the service dump failed");
				return;
			}
			uint32_t n = info.msgs[0].nested(IPVS_FNAT_ATTR_INFO).get_u32(IPVS_FNAT_INFO_ATTR_SERVICE_COUNT);
			if (n != svcs.msgs.size())
				failure("GET_INFO counts " + std::to_string(n) + " services, the dump " +
					std::to_string(svcs.msgs.size()));
		} catch (const std::exception &e) {
			failure(std::string("state dump: ") + e.what());
		}
	}

	// FLUSH, and the daemons the grammar started stopped (FLUSH leaves them).
	void flush()
	{
		Reply rep = s_.call(req(IPVS_FNAT_CMD_FLUSH));
		if (rep.error)
			failure("FLUSH: " + errno_name(rep.error));
		for (uint32_t state : {IPVS_FNAT_DAEMON_MASTER, IPVS_FNAT_DAEMON_BACKUP}) {
			rep = s_.call(req(IPVS_FNAT_CMD_DEL_DAEMON,
					  {nest(IPVS_FNAT_ATTR_DAEMON, {u32(IPVS_FNAT_DAEMON_ATTR_STATE, state)})}));
			if (rep.error && rep.error != ESRCH)
				failure("DEL_DAEMON: " + errno_name(rep.error));
		}
	}

	Rng r_;
	Gen g_;
	Socket s_;
	bool unpriv_, verbose_;
	bool alone_;	// no other job changes the namespace meanwhile
	uint64_t seed_;
	std::string before_;
	Totals t_;
};

// The namespace's tunables, to be put back after the run (FLUSH leaves them).
std::vector<Attr> save_config()
{
	Socket s;
	Reply rep = s.call(req(IPVS_FNAT_CMD_GET_CONFIG));
	if (rep.error || rep.msgs.size() != 1)
		throw std::runtime_error("GET_CONFIG: " + errno_name(rep.error));
	AttrSet cfg = rep.msgs[0].nested(IPVS_FNAT_ATTR_CONFIG);
	std::vector<Attr> out;
	for (uint16_t t : cfg.types())
		out.push_back(bytes(t, cfg.raw(t)));
	return out;
}

bool restore_config(const std::vector<Attr> &cfg)
{
	Socket s;
	Reply rep = s.call(req(IPVS_FNAT_CMD_SET_CONFIG, {nest(IPVS_FNAT_ATTR_CONFIG, cfg)}));
	if (rep.error)
		std::fprintf(stderr, "fnat-nlfuzz: restoring the configuration: %s %s\n",
			     errno_name(rep.error).c_str(), rep.extack.c_str());
	return rep.error == 0;
}

void print_totals(const Totals &t, uint64_t seed, bool unpriv)
{
	std::printf("fnat-nlfuzz: seed=%llu %s sent=%ld grammar=%ld bytes=%ld raw=%ld snapshots=%ld failures=%ld\n",
		    static_cast<unsigned long long>(seed), unpriv ? "unpriv" : "priv", t.sent, t.grammar,
		    t.bytes_mut, t.raw, t.snapshots, t.failures);
	for (const auto &[k, v] : t.answers)
		std::printf("  %-28s %ld\n", k.c_str(), v);
	std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
	long count = 10000;
	uint64_t seed = 1;
	int jobs = 1;
	bool unpriv = false, verbose = false;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--count" && i + 1 < argc)
			count = std::atol(argv[++i]);
		else if (a == "--seed" && i + 1 < argc)
			seed = std::strtoull(argv[++i], nullptr, 0);
		else if (a == "--jobs" && i + 1 < argc)
			jobs = std::max(1, std::atoi(argv[++i]));
		else if (a == "--unpriv")
			unpriv = true;
		else if (a == "--verbose")
			verbose = true;
		else {
			std::fprintf(stderr, "usage: fnat-nlfuzz [--count N] [--seed S] [--jobs J] [--unpriv] [--verbose]\n");
			return 2;
		}
	}
	std::vector<Attr> config;
	if (!unpriv) {
		try {
			config = save_config();
		} catch (const std::exception &e) {
			std::fprintf(stderr, "fnat-nlfuzz: %s\n", e.what());
			return 1;
		}
	}
	// Jobs run at once in the same namespace (races between configuration changes);
	// each its own seed (seed + job) and its share of the count.
	std::vector<pid_t> kids;
	for (int j = 1; j < jobs; j++) {
		pid_t p = fork();
		if (p < 0) {
			perror("fork");
			return 1;
		}
		if (p == 0) {
			seed += j;
			count = count / jobs;
			kids.clear();
			jobs = 0;	// marks a child
			break;
		}
		kids.push_back(p);
	}
	bool child = jobs == 0;
	if (!child)
		count -= (count / jobs) * (jobs - 1);
	int rc = 0;
	try {
		Fuzzer f(seed, unpriv, verbose, kids.empty() && !child);
		Totals t = f.run(count);
		print_totals(t, seed, unpriv);
		rc = t.failures ? 1 : 0;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "fnat-nlfuzz[seed %llu]: %s\n", static_cast<unsigned long long>(seed), e.what());
		rc = 1;
	}
	if (child)
		return rc;
	for (pid_t p : kids) {
		int st = 0;
		if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	}
	if (!unpriv) {
		try {
			if (!restore_config(config))
				rc = 1;
		} catch (const std::exception &e) {
			std::fprintf(stderr, "fnat-nlfuzz: %s\n", e.what());
			rc = 1;
		}
	}
	return rc;
}
