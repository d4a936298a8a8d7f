// The reconcile plan as tables: IPVS snapshot (what keepalived made) and IPVS_FNAT
// snapshot (what is there) in, the changes (as the log lines read) and notes out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mirror_test_support.hpp"

using namespace mirror;
using namespace mirror::test;
using fnat::Proto;

namespace {

constexpr std::uint32_t M = IPVS_FNAT_OWNER_MIRROR;
constexpr std::uint32_t HAND = IPVS_FNAT_OWNER_NONE;

struct Case {
	const char *name;
	std::vector<IpvsService> ipvs;
	FnatSnapshot fnat;
	PlanOptions opts;
	std::vector<std::string> actions;
	std::vector<std::string> notes;  // each expected note, in full
};

const std::vector<Case> &cases()
{
	static const std::vector<Case> c = {
		{"empty both", {}, {}, {}, {}, {}},
		{"new service with two real servers",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc",
		     {rs("203.0.113.11", 80, 1), rs("203.0.113.12", 80, 3, IP_VS_CONN_F_MASQ, 100, 10)})},
		 {},
		 {},
		 {"add service TCP 192.0.2.10:80 wlc", "add dest TCP 192.0.2.10:80 -> 203.0.113.11:80 weight 1",
		  "add dest TCP 192.0.2.10:80 -> 203.0.113.12:80 weight 3 u_thresh 100 l_thresh 10"},
		 {"TCP 192.0.2.10:80: forwarding method masq mirrored as FULLNAT"}},
		{"in sync: nothing to do",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc", {rs("203.0.113.11", 80, 1)})},
		 {fs(Proto::TCP, "192.0.2.10", 80, "wlc", M, {fd("203.0.113.11", 80, 1)})},
		 {},
		 {},
		 {"TCP 192.0.2.10:80: forwarding method masq mirrored as FULLNAT"}},
		{"inhibit_on_failure: weight 0 is an edit, not a delete",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc", {rs("203.0.113.11", 80, 0), rs("203.0.113.12", 80, 1)})},
		 {fs(Proto::TCP, "192.0.2.10", 80, "wlc", M, {fd("203.0.113.11", 80, 1), fd("203.0.113.12", 80, 1)})},
		 {},
		 {"edit dest TCP 192.0.2.10:80 -> 203.0.113.11:80 weight 0"},
		 {"TCP 192.0.2.10:80: forwarding method masq mirrored as FULLNAT"}},
		{"real server removed by the checker, another added: add first, delete after",
		 {vs(IPPROTO_UDP, "192.0.2.53", 53, "rr", {rs("203.0.113.22", 53, 1, IP_VS_CONN_F_DROUTE)})},
		 {fs(Proto::UDP, "192.0.2.53", 53, "rr", M, {fd("203.0.113.21", 53, 1)})},
		 {},
		 {"add dest UDP 192.0.2.53:53 -> 203.0.113.22:53 weight 1", "delete dest UDP 192.0.2.53:53 -> 203.0.113.21:53"},
		 {"UDP 192.0.2.53:53: forwarding method route mirrored as FULLNAT"}},
		{"threshold changes are edits",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc", {rs("203.0.113.11", 80, 1, IP_VS_CONN_F_TUNNEL, 50, 5)})},
		 {fs(Proto::TCP, "192.0.2.10", 80, "wlc", M, {fd("203.0.113.11", 80, 1)})},
		 {},
		 {"edit dest TCP 192.0.2.10:80 -> 203.0.113.11:80 weight 1 u_thresh 50 l_thresh 5"},
		 {"TCP 192.0.2.10:80: forwarding method tunnel mirrored as FULLNAT"}},
		{"service gone from IPVS: deleted, after the other changes",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "rr")},
		 {fs(Proto::TCP, "192.0.2.99", 80, "rr", M, {fd("203.0.113.11", 80, 1)}),
		  fs(Proto::TCP, "192.0.2.10", 80, "wlc", M)},
		 {},
		 {"edit service TCP 192.0.2.10:80 sched rr", "delete service TCP 192.0.2.99:80"},
		 {}},
		{"a hand-made service with the same key is left completely alone",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "rr", {rs("203.0.113.11", 80, 5)})},
		 {fs(Proto::TCP, "192.0.2.10", 80, "wlc", HAND, {fd("203.0.113.99", 80, 1)})},
		 {},
		 {},
		 {"TCP 192.0.2.10:80: a FULLNAT service with this key was made by hand (owner 0): left untouched"}},
		{"a hand-made service IPVS does not have is not deleted",
		 {},
		 {fs(Proto::TCP, "192.0.2.77", 443, "wlc", HAND, {fd("203.0.113.99", 443, 1)}),
		  fs(Proto::TCP, "192.0.2.78", 443, "wlc", 7)},
		 {},
		 {},
		 {}},
		{"unsupported scheduler: the whole service skipped, never half-applied",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "lblc", {rs("203.0.113.11", 80, 1)})},
		 {},
		 {},
		 {},
		 {"TCP 192.0.2.10:80: scheduler lblc has no FULLNAT equivalent (rr wrr lc wlc sh mh): not mirrored"}},
		{"scheduler changed to an unsupported one: the mirrored service is kept as it is",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "sed", {rs("203.0.113.12", 80, 1)})},
		 {fs(Proto::TCP, "192.0.2.10", 80, "wlc", M, {fd("203.0.113.11", 80, 1)})},
		 {},
		 {},
		 {"TCP 192.0.2.10:80: scheduler sed has no FULLNAT equivalent (rr wrr lc wlc sh mh): not mirrored; "
		  "the FULLNAT service mirrored earlier is kept as it is"}},
		{"fwmark and SCTP services skipped, the others mirrored",
		 {[] {
			  IpvsService s;
			  s.af = AF_INET;
			  s.fwmark = 7;
			  s.sched = "wlc";
			  return s;
		  }(),
		  vs(IPPROTO_SCTP, "192.0.2.10", 3868, "rr", {rs("203.0.113.11", 3868, 1)}),
		  vs(IPPROTO_TCP, "192.0.2.10", 22, "sh")},
		 {},
		 {},
		 {"add service TCP 192.0.2.10:22 sh"},
		 {"FWM 7: firewall-mark services have no FULLNAT equivalent: not mirrored",
		  "SCTP 192.0.2.10:3868: FULLNAT serves TCP and UDP only: not mirrored"}},
		{"persistence mapped",
		 {persistent(vs(IPPROTO_TCP, "192.0.2.10", 443, "wrr"), 600, 24)},
		 {},
		 {},
		 {"add service TCP 192.0.2.10:443 wrr flags persistent timeout 600 netmask /24"},
		 {}},
		{"IPv6 persistence, prefix length as is",
		 {persistent(vs(IPPROTO_UDP, "2001:db8::10", 53, "mh", {rs("2001:db8::1:11", 53, 2)}), 120, 64)},
		 {},
		 {},
		 {"add service UDP [2001:db8::10]:53 mh flags persistent timeout 120 netmask /64",
		  "add dest UDP [2001:db8::10]:53 -> [2001:db8::1:11]:53 weight 2"},
		 {"UDP [2001:db8::10]:53: forwarding method masq mirrored as FULLNAT"}},
		{"persistence turned on: only the persistent flag and what differs; other flags kept",
		 {persistent(vs(IPPROTO_TCP, "192.0.2.10", 443, "wlc"), 300, 32)},
		 {fs(Proto::TCP, "192.0.2.10", 443, "wlc", M, {}, IPVS_FNAT_SVC_F_SYNPROXY | IPVS_FNAT_SVC_F_DEST_CHECK, 300,
		     32)},
		 {},
		 {"edit service TCP 192.0.2.10:443 flags persistent|synproxy|dest-check"},
		 {}},
		{"persistence turned off: the other flags kept",
		 {vs(IPPROTO_TCP, "192.0.2.10", 443, "wlc")},
		 {fs(Proto::TCP, "192.0.2.10", 443, "wlc", M, {}, IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_DEST_CHECK, 600,
		     24)},
		 {},
		 {"edit service TCP 192.0.2.10:443 flags dest-check"},
		 {}},
		{"persistence timeout and netmask changed",
		 {persistent(vs(IPPROTO_TCP, "192.0.2.10", 443, "wlc"), 900, 16)},
		 {fs(Proto::TCP, "192.0.2.10", 443, "wlc", M, {}, IPVS_FNAT_SVC_F_PERSISTENT, 600, 24)},
		 {},
		 {"edit service TCP 192.0.2.10:443 timeout 900 netmask /16"},
		 {}},
		{"not persistent: the timeout and netmask are not compared",
		 {[] {
			  IpvsService s = vs(IPPROTO_TCP, "192.0.2.10", 80, "rr");
			  s.timeout = 0;
			  s.netmask = 32;
			  return s;
		  }()},
		 {fs(Proto::TCP, "192.0.2.10", 80, "rr", M, {}, 0, 300, 24)},
		 {},
		 {},
		 {}},
		{"--dest-check --synproxy at creation; no SYN proxy on UDP",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "rr"), vs(IPPROTO_UDP, "192.0.2.10", 53, "rr")},
		 {},
		 {true, true},
		 {"add service TCP 192.0.2.10:80 rr flags synproxy|dest-check", "add service UDP 192.0.2.10:53 rr flags dest-check"},
		 {}},
		{"--dest-check is not forced onto an existing service",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "rr")},
		 {fs(Proto::TCP, "192.0.2.10", 80, "rr", M)},
		 {true, true},
		 {},
		 {}},
		{"every forwarding method, one note",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "rr",
		     {rs("203.0.113.11", 80, 1, IP_VS_CONN_F_DROUTE), rs("203.0.113.12", 80, 1, IP_VS_CONN_F_TUNNEL),
		      rs("203.0.113.13", 80, 1, IP_VS_CONN_F_MASQ)})},
		 {fs(Proto::TCP, "192.0.2.10", 80, "rr", M,
		     {fd("203.0.113.11", 80, 1), fd("203.0.113.12", 80, 1), fd("203.0.113.13", 80, 1)})},
		 {},
		 {},
		 {"TCP 192.0.2.10:80: forwarding method masq, route, tunnel mirrored as FULLNAT"}},
		{"a real server of another family: the whole service skipped",
		 {vs(IPPROTO_TCP, "192.0.2.10", 80, "rr", {rs("203.0.113.11", 80, 1), rs("2001:db8::11", 80, 1)})},
		 {},
		 {},
		 {},
		 {"TCP 192.0.2.10:80: real server [2001:db8::11]:80 is of another address family than the service: not "
		  "mirrored"}},
		{"one-packet scheduling ignored with a note",
		 {[] {
			  IpvsService s = vs(IPPROTO_UDP, "192.0.2.10", 53, "rr");
			  s.flags |= IP_VS_SVC_F_ONEPACKET;
			  return s;
		  }()},
		 {},
		 {},
		 {"add service UDP 192.0.2.10:53 rr"},
		 {"UDP 192.0.2.10:53: IPVS service flags 0x4 (one-packet, scheduler flags) have no FULLNAT equivalent: "
		  "ignored"}},
		{"persistence timeout out of range: skipped",
		 {persistent(vs(IPPROTO_TCP, "192.0.2.10", 80, "rr"), 0, 32)},
		 {},
		 {},
		 {},
		 {"TCP 192.0.2.10:80: persistence timeout 0 out of FULLNAT's range: not mirrored"}},
		{"port 0 service: skipped",
		 {persistent(vs(IPPROTO_TCP, "192.0.2.10", 0, "rr"), 300, 32)},
		 {},
		 {},
		 {},
		 {"TCP 192.0.2.10:0: a port-0 (every port) service has no FULLNAT equivalent: not mirrored"}},
		{"real server port 0 means the service's",
		 {vs(IPPROTO_TCP, "192.0.2.10", 8080, "rr", {rs("203.0.113.11", 0, 1)})},
		 {fs(Proto::TCP, "192.0.2.10", 8080, "rr", M, {fd("203.0.113.11", 8080, 1)})},
		 {},
		 {},
		 {"TCP 192.0.2.10:8080: forwarding method masq mirrored as FULLNAT"}},
		{"ordering: service adds and edits, then dest changes, then deletes",
		 {vs(IPPROTO_TCP, "192.0.2.20", 80, "rr", {rs("203.0.113.11", 80, 1)}),
		  vs(IPPROTO_TCP, "192.0.2.10", 80, "lc", {rs("203.0.113.12", 80, 1)})},
		 {fs(Proto::TCP, "192.0.2.30", 80, "rr", M), fs(Proto::TCP, "192.0.2.10", 80, "rr", M)},
		 {},
		 {"add service TCP 192.0.2.20:80 rr", "edit service TCP 192.0.2.10:80 sched lc",
		  "add dest TCP 192.0.2.20:80 -> 203.0.113.11:80 weight 1",
		  "add dest TCP 192.0.2.10:80 -> 203.0.113.12:80 weight 1", "delete service TCP 192.0.2.30:80"},
		 {"TCP 192.0.2.20:80: forwarding method masq mirrored as FULLNAT",
		  "TCP 192.0.2.10:80: forwarding method masq mirrored as FULLNAT"}},
	};
	return c;
}

class ReconcileTable : public testing::TestWithParam<std::size_t> {};

TEST_P(ReconcileTable, Plan)
{
	const Case &c = cases()[GetParam()];
	SCOPED_TRACE(c.name);
	const Plan p = plan(IpvsSnapshot{c.ipvs}, c.fnat, c.opts);
	EXPECT_EQ(lines(p), c.actions);
	EXPECT_EQ(note_lines(p), c.notes);
}

INSTANTIATE_TEST_SUITE_P(Cases, ReconcileTable, testing::Range<std::size_t>(0, cases().size()));

}  // namespace

TEST(Reconcile, CreatesWithTheMirrorsOwnerAndEditsNeverSendOne)
{
	const Plan add = plan(IpvsSnapshot{{vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc")}}, {}, {});
	ASSERT_EQ(add.actions.size(), 1u);
	EXPECT_EQ(add.actions[0].kind, Action::Kind::AddService);
	EXPECT_EQ(add.actions[0].svc.owner, std::optional<std::uint32_t>(IPVS_FNAT_OWNER_MIRROR));
	EXPECT_EQ(add.actions[0].svc.flags, std::optional<std::uint32_t>(0));

	const Plan edit = plan(IpvsSnapshot{{vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc")}},
			       {fs(Proto::TCP, "192.0.2.10", 80, "rr", M)}, {});
	ASSERT_EQ(edit.actions.size(), 1u);
	EXPECT_FALSE(edit.actions[0].svc.owner);
	EXPECT_FALSE(edit.actions[0].svc.flags);  // only what differs
	EXPECT_FALSE(edit.actions[0].svc.timeout);
}

TEST(Reconcile, DestDeleteCarriesOnlyTheAddress)
{
	const Plan p = plan(IpvsSnapshot{{vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc")}},
			    {fs(Proto::TCP, "192.0.2.10", 80, "wlc", M, {fd("203.0.113.11", 80, 4)})}, {});
	ASSERT_EQ(p.actions.size(), 1u);
	EXPECT_EQ(p.actions[0].kind, Action::Kind::DelDest);
	EXPECT_EQ(p.actions[0].dest, (fnat::DestSpec{A("203.0.113.11"), 80, std::nullopt, std::nullopt, std::nullopt}));
}
