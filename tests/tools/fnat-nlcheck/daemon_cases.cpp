// The sync daemon commands (NEW_DAEMON, DEL_DAEMON, GET_DAEMON; docs/sync.md): bad
// requests refused with their errno and an extack message, after each of which no
// daemon runs; a master and a backup started on lo with unicast peers, listed as
// started (the key only as KEY_SET), refused a second time, stopped, and refused a
// second stop. Unicast peers on lo need no multicast-capable device.
#include <cerrno>
#include <string>
#include <vector>

#include "cases.hpp"
#include "nlmsg.hpp"
#include "state.hpp"
#include "uapi/ipvs_fnat.h"

namespace nlc {

namespace {

constexpr uint16_t DMN = IPVS_FNAT_ATTR_DAEMON;
constexpr uint8_t NEW = IPVS_FNAT_CMD_NEW_DAEMON, DEL = IPVS_FNAT_CMD_DEL_DAEMON,
		  GET = IPVS_FNAT_CMD_GET_DAEMON;

Attr st(uint32_t s) { return u32(IPVS_FNAT_DAEMON_ATTR_STATE, s); }
Attr ifn(const std::string &n) { return str(IPVS_FNAT_DAEMON_ATTR_MCAST_IFN, n); }
Attr peer(const std::string &a) { return bytes(IPVS_FNAT_DAEMON_ATTR_PEER, addr(a)); }
Attr peers(std::vector<Attr> p) { return nest(IPVS_FNAT_DAEMON_ATTR_PEERS, std::move(p)); }
Attr daemon(std::vector<Attr> kids) { return nest(DMN, std::move(kids)); }
const Bytes KEY(32, 0xa5);

// A master on lo sending to 127.0.0.2, plus extra attributes.
Attr master(std::vector<Attr> extra = {})
{
	std::vector<Attr> k{st(IPVS_FNAT_DAEMON_MASTER), ifn("lo"), peers({peer("127.0.0.2")})};
	k.insert(k.end(), extra.begin(), extra.end());
	return daemon(std::move(k));
}

struct DaemonCase {
	std::string name;
	Request rq;
	int expect;
};

std::vector<DaemonCase> daemon_error_table()
{
	const Attr lo = ifn("lo");
	const Attr m = st(IPVS_FNAT_DAEMON_MASTER), b = st(IPVS_FNAT_DAEMON_BACKUP);
	const Attr p1 = peers({peer("127.0.0.2")});
	std::vector<Attr> seventeen;
	for (int i = 1; i <= 17; i++)
		seventeen.push_back(peer("198.51.100." + std::to_string(i)));
	return {
		{"NEW_DAEMON without DAEMON", req(NEW, {}), EINVAL},
		{"NEW_DAEMON without STATE", req(NEW, {daemon({lo, p1})}), EINVAL},
		{"NEW_DAEMON STATE 3", req(NEW, {daemon({st(3), lo, p1})}), EINVAL},
		{"NEW_DAEMON without MCAST_IFN", req(NEW, {daemon({m, p1})}), EINVAL},
		{"NEW_DAEMON interface name of 16 characters",
		 req(NEW, {daemon({m, ifn("abcdefghijklmnop"), p1})}), EINVAL},
		{"NEW_DAEMON no such interface", req(NEW, {daemon({m, ifn("nosuch0"), p1})}), ENODEV},
		{"NEW_DAEMON SYNCID 256", req(NEW, {master({u32(IPVS_FNAT_DAEMON_ATTR_SYNCID, 256)})}), EINVAL},
		{"NEW_DAEMON port 0", req(NEW, {master({be16(IPVS_FNAT_DAEMON_ATTR_MCAST_PORT, 0)})}), EINVAL},
		{"NEW_DAEMON TTL 0", req(NEW, {master({u8(IPVS_FNAT_DAEMON_ATTR_MCAST_TTL, 0)})}), EINVAL},
		{"NEW_DAEMON a unicast group",
		 req(NEW, {daemon({m, lo, bytes(IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, addr("192.0.2.1"))})}), EINVAL},
		{"NEW_DAEMON a group of 5 bytes",
		 req(NEW, {daemon({m, lo, bytes(IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, {239, 1, 1, 1, 0})})}), EINVAL},
		{"NEW_DAEMON a group and peers",
		 req(NEW, {master({bytes(IPVS_FNAT_DAEMON_ATTR_MCAST_GROUP, addr("239.255.88.82"))})}), EINVAL},
		{"NEW_DAEMON a multicast peer", req(NEW, {daemon({m, lo, peers({peer("239.1.1.1")})})}), EINVAL},
		{"NEW_DAEMON peers of two families",
		 req(NEW, {daemon({m, lo, peers({peer("127.0.0.2"), peer("2001:db8::2")})})}), EINVAL},
		{"NEW_DAEMON a peer twice", req(NEW, {daemon({m, lo, peers({peer("127.0.0.2"), peer("127.0.0.2")})})}),
		 EINVAL},
		{"NEW_DAEMON 17 peers", req(NEW, {daemon({m, lo, peers(seventeen)})}), EINVAL},
		{"NEW_DAEMON empty PEERS", req(NEW, {daemon({m, lo, peers({})})}), EINVAL},
		{"NEW_DAEMON PEER outside PEERS", req(NEW, {daemon({m, lo, peer("127.0.0.2")})}), EINVAL},
		{"NEW_DAEMON key of 15 bytes", req(NEW, {master({bytes(IPVS_FNAT_DAEMON_ATTR_KEY, Bytes(15, 1))})}), EINVAL},
		// A binary longer than its policy allows is ERANGE in the 6.1 policy code.
		{"NEW_DAEMON key of 65 bytes", req(NEW, {master({bytes(IPVS_FNAT_DAEMON_ATTR_KEY, Bytes(65, 1))})}), ERANGE},
		{"NEW_DAEMON threshold 0", req(NEW, {master({u32(IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD, 0)})}), EINVAL},
		{"NEW_DAEMON threshold 256", req(NEW, {master({u32(IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD, 256)})}), EINVAL},
		{"NEW_DAEMON a backup with a threshold",
		 req(NEW, {daemon({b, lo, p1, u32(IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD, 3)})}), EINVAL},
		{"NEW_DAEMON reply-only KEY_SET", req(NEW, {master({u8(IPVS_FNAT_DAEMON_ATTR_KEY_SET, 1)})}), EINVAL},
		{"NEW_DAEMON reply-only EPOCH", req(NEW, {master({u64(IPVS_FNAT_DAEMON_ATTR_EPOCH, 1)})}), EINVAL},
		{"NEW_DAEMON STATE as u8", req(NEW, {daemon({u8(IPVS_FNAT_DAEMON_ATTR_STATE, 1), lo, p1})}), EINVAL},
		{"NEW_DAEMON unknown daemon attribute", req(NEW, {master({u32(IPVS_FNAT_DAEMON_ATTR_MAX + 1, 0)})}),
		 EINVAL},
		{"NEW_DAEMON with a SERVICE nest", req(NEW, {master(), nest(IPVS_FNAT_ATTR_SERVICE, {})}), EINVAL},
		{"DEL_DAEMON without DAEMON", req(DEL, {}), EINVAL},
		{"DEL_DAEMON with an interface", req(DEL, {daemon({m, lo})}), EINVAL},
		{"DEL_DAEMON no master running", req(DEL, {daemon({m})}), ESRCH},
		{"DEL_DAEMON no backup running", req(DEL, {daemon({b})}), ESRCH},
		{"GET_DAEMON dump with an attribute", req(GET, {daemon({m})}, true), EINVAL},
		{"SET_SERVICE with a DAEMON nest", req(IPVS_FNAT_CMD_SET_SERVICE, {master()}), EINVAL},
	};
}

// The running daemons as "master lo syncid=0 port=8850 ttl=1 peers=127.0.0.2 key=1
// threshold=3" lines.
std::string daemons(Socket &s)
{
	Reply r = s.call(req(GET, {}, true));
	if (r.error)
		return "error " + errno_name(r.error);
	std::string out;
	for (const auto &msg : r.msgs) {
		AttrSet d = msg.nested(DMN);
		std::string line = d.get_u32(IPVS_FNAT_DAEMON_ATTR_STATE) == IPVS_FNAT_DAEMON_MASTER ? "master" : "backup";
		line += " " + d.get_str(IPVS_FNAT_DAEMON_ATTR_MCAST_IFN);
		line += " syncid=" + std::to_string(d.get_u32(IPVS_FNAT_DAEMON_ATTR_SYNCID));
		line += " port=" + std::to_string(d.get_be16(IPVS_FNAT_DAEMON_ATTR_MCAST_PORT));
		line += " ttl=" + std::to_string(d.get_u8(IPVS_FNAT_DAEMON_ATTR_MCAST_TTL));
		if (d.has(IPVS_FNAT_DAEMON_ATTR_PEERS)) {
			AttrSet p = d.nested(IPVS_FNAT_DAEMON_ATTR_PEERS);
			const Bytes &a = p.raw(IPVS_FNAT_DAEMON_ATTR_PEER);
			line += " peers=" + addr_str(a.data(), a.size());
		}
		line += " key=" + std::to_string(d.get_u8(IPVS_FNAT_DAEMON_ATTR_KEY_SET));
		if (d.has(IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD))
			line += " threshold=" + std::to_string(d.get_u32(IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD));
		if (d.has(IPVS_FNAT_DAEMON_ATTR_KEY))
			line += " KEY-IN-REPLY";
		if (!d.has(IPVS_FNAT_DAEMON_ATTR_EPOCH) || !d.has(IPVS_FNAT_DAEMON_ATTR_STATS))
			line += " no-epoch-or-stats";
		out += line + "\n";
	}
	return out;
}

void expect(Runner &r, const std::string &name, const Request &rq, int want)
{
	Reply rep = r.sock().call(rq);
	r.record(name, rep.error == want,
		 "expected " + errno_name(want) + ", got " + errno_name(rep.error) +
			 (rep.extack.empty() ? "" : " (" + rep.extack + ")"));
}

void expect_text(Runner &r, const std::string &name, const std::string &want, const std::string &got)
{
	r.record(name, want == got, want == got ? "" : "\n  expected: " + want + "  actual:   " + got);
}

} // namespace

void run_daemon_cases(Runner &r)
{
	Socket &s = r.sock();
	s.call(req(DEL, {daemon({st(IPVS_FNAT_DAEMON_MASTER)})}));
	s.call(req(DEL, {daemon({st(IPVS_FNAT_DAEMON_BACKUP)})}));
	for (const auto &c : daemon_error_table()) {
		Reply rep = s.call(c.rq);
		bool ok = rep.error == c.expect;
		std::string detail = "expected " + errno_name(c.expect) + ", got " + errno_name(rep.error);
		if (!rep.extack.empty())
			detail += " (" + rep.extack + ")";
		if (ok && c.expect == EINVAL && rep.extack.empty() && !c.rq.dump) {
			ok = false;
			detail += "; EINVAL without an extack message";
		}
		std::string left = daemons(s);
		if (!left.empty()) {
			ok = false;
			detail += "; A DAEMON IS RUNNING: " + left;
			s.call(req(DEL, {daemon({st(IPVS_FNAT_DAEMON_MASTER)})}));
			s.call(req(DEL, {daemon({st(IPVS_FNAT_DAEMON_BACKUP)})}));
		}
		r.record(c.name, ok, detail);
	}

	expect(r, "NEW_DAEMON a keyed master on lo, unicast peer, threshold 5",
	       req(NEW, {master({bytes(IPVS_FNAT_DAEMON_ATTR_KEY, KEY),
				 u32(IPVS_FNAT_DAEMON_ATTR_SYNC_THRESHOLD, 5)})}),
	       0);
	expect(r, "NEW_DAEMON a backup beside it (active-active), syncid 7, port 9000",
	       req(NEW, {daemon({st(IPVS_FNAT_DAEMON_BACKUP), ifn("lo"), peers({peer("127.0.0.3")}),
				 u32(IPVS_FNAT_DAEMON_ATTR_SYNCID, 7),
				 be16(IPVS_FNAT_DAEMON_ATTR_MCAST_PORT, 9000)})}),
	       0);
	expect_text(r, "GET_DAEMON lists both, the key only as KEY_SET",
		    "master lo syncid=0 port=8850 ttl=1 peers=127.0.0.2 key=1 threshold=5\n"
		    "backup lo syncid=7 port=9000 ttl=1 peers=127.0.0.3 key=0\n",
		    daemons(s));
	expect(r, "NEW_DAEMON a second master", req(NEW, {master()}), EEXIST);
	expect(r, "NEW_DAEMON a second backup",
	       req(NEW, {daemon({st(IPVS_FNAT_DAEMON_BACKUP), ifn("lo"), peers({peer("127.0.0.4")})})}), EEXIST);
	expect_text(r, "the refused requests changed neither",
		    "master lo syncid=0 port=8850 ttl=1 peers=127.0.0.2 key=1 threshold=5\n"
		    "backup lo syncid=7 port=9000 ttl=1 peers=127.0.0.3 key=0\n",
		    daemons(s));
	expect(r, "DEL_DAEMON master", req(DEL, {daemon({st(IPVS_FNAT_DAEMON_MASTER)})}), 0);
	expect(r, "DEL_DAEMON master again", req(DEL, {daemon({st(IPVS_FNAT_DAEMON_MASTER)})}), ESRCH);
	expect_text(r, "GET_DAEMON lists the backup alone", "backup lo syncid=7 port=9000 ttl=1 peers=127.0.0.3 key=0\n",
		    daemons(s));
	expect(r, "DEL_DAEMON backup", req(DEL, {daemon({st(IPVS_FNAT_DAEMON_BACKUP)})}), 0);
	expect_text(r, "GET_DAEMON lists nothing", "", daemons(s));
}

} // namespace nlc
