// apply() and the whole cycle (Mirror::reconcile) against the shared fake kernel:
// what it changes, what it never touches, how failures and unavailable sides behave,
// and that a restart of either side plans nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <sstream>

#include "fake_kernel.hpp"

#include "apply.hpp"
#include "fnat_state.hpp"
#include "mirror.hpp"
#include "mirror_test_support.hpp"

using namespace mirror;
using namespace mirror::test;
using fnat::Proto;
using fnat::test::FakeKernel;

namespace {

// The IPVS side, scripted: nullopt reads as unavailable.
class ScriptedSource final : public IpvsSource {
public:
	std::optional<IpvsSnapshot> snap;
	IpvsSnapshot snapshot() override
	{
		if (!snap)
			throw IpvsUnavailable("the IPVS family is not registered in namespace fnat-shadow");
		return *snap;
	}
};

IpvsSnapshot keepalived_config()
{
	return IpvsSnapshot{{
		vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc", {rs("203.0.113.11", 80, 1), rs("203.0.113.12", 80, 2)}),
		persistent(vs(IPPROTO_TCP, "192.0.2.10", 443, "sh", {rs("203.0.113.11", 443, 1, IP_VS_CONN_F_DROUTE)}), 600,
			   24),
		vs(IPPROTO_UDP, "2001:db8::53", 53, "rr", {rs("2001:db8::1:1", 53, 1)}),
	}};
}

std::size_t count(const std::vector<std::string> &calls, const std::string &name)
{
	return static_cast<std::size_t>(std::count(calls.begin(), calls.end(), name));
}

std::size_t mutations(const std::vector<std::string> &calls)
{
	std::size_t n = 0;
	for (const std::string &c : calls)
		if (c != "services" && c != "dests" && c != "get_service")
			++n;
	return n;
}

std::size_t occurrences(const std::string &text, const std::string &what)
{
	std::size_t n = 0;
	for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
		++n;
	return n;
}

struct Cycle {
	ScriptedSource source;
	std::shared_ptr<FakeKernel> kernel = std::make_shared<FakeKernel>();
	std::ostringstream out;
	Log log{out};
	bool module_loaded = true;
	PlanOptions opts{};
	unsigned hold_down_ms = 0;
	std::uint64_t now_ms = 0;  // the scripted clock
	std::unique_ptr<Mirror> mirror;

	Cycle() { make(); }
	// A (re)started daemon: no memory of earlier cycles.
	void make()
	{
		mirror = std::make_unique<Mirror>(
			source,
			[this]() -> std::shared_ptr<fnat::Kernel> {
				if (!module_loaded)
					throw fnat::ModuleNotLoaded();
				return kernel;
			},
			opts, log, hold_down_ms, [this] { return now_ms; });
	}
};

}  // namespace

TEST(Apply, ExecutesAndLogsEveryChange)
{
	FakeKernel k;
	std::ostringstream out;
	Log log(out);
	const Plan p = plan(keepalived_config(), {}, {});
	const ApplyResult r = apply(p, k, log);
	EXPECT_TRUE(r.clean());
	EXPECT_EQ(r.applied, p.actions.size());
	ASSERT_EQ(k.table.size(), 3u);
	EXPECT_EQ(k.table[0].svc.owner, IPVS_FNAT_OWNER_MIRROR);
	EXPECT_EQ(k.table[0].dests.size(), 2u);
	EXPECT_TRUE(k.table[1].svc.persistent());
	EXPECT_EQ(k.table[1].svc.timeout, 600u);
	EXPECT_EQ(k.table[1].svc.netmask, 24u);
	EXPECT_NE(out.str().find("ipvs-fnat-mirror: add service TCP 192.0.2.10:80 wlc\n"), std::string::npos);
	EXPECT_NE(out.str().find("ipvs-fnat-mirror: add dest TCP 192.0.2.10:80 -> 203.0.113.12:80 weight 2\n"),
		  std::string::npos);
}

TEST(Apply, InSyncAfterApplyingAndAfterARestartOfEitherSide)
{
	FakeKernel k;
	std::ostringstream out;
	Log log(out);
	ASSERT_TRUE(apply(plan(keepalived_config(), {}, {}), k, log).clean());
	// The mirror restarted (reads everything back) and keepalived restarted (the
	// same configuration, a fresh snapshot): nothing to do.
	const Plan again = plan(keepalived_config(), read_fnat(k), {});
	EXPECT_TRUE(again.actions.empty()) << testing::PrintToString(lines(again));
	// With --dest-check --synproxy too: those were creation-time only.
	EXPECT_TRUE(plan(keepalived_config(), read_fnat(k), {true, true}).actions.empty());
}

TEST(Apply, FailedServiceAddSkipsItsDestsNotTheOthers)
{
	FakeKernel k;
	std::ostringstream out;
	Log log(out);
	k.fail_next = std::make_pair(ENOMEM, std::string());
	const ApplyResult r = apply(plan(keepalived_config(), {}, {}), k, log);
	EXPECT_FALSE(r.clean());
	EXPECT_EQ(r.failed, 1u);
	EXPECT_EQ(r.skipped, 2u);  // the two real servers of TCP 192.0.2.10:80
	ASSERT_EQ(k.table.size(), 2u);
	EXPECT_EQ(k.table[0].dests.size(), 1u);
	EXPECT_NE(out.str().find("failed: add service TCP 192.0.2.10:80 wlc: "), std::string::npos);
	EXPECT_NE(out.str().find("skipped: add dest TCP 192.0.2.10:80 -> 203.0.113.11:80 weight 1"), std::string::npos);
	// The next reconcile does the rest.
	EXPECT_TRUE(apply(plan(keepalived_config(), read_fnat(k), {}), k, log).clean());
	EXPECT_EQ(k.table.size(), 3u);
	EXPECT_TRUE(plan(keepalived_config(), read_fnat(k), {}).actions.empty());
}

TEST(Apply, FailedDestChangeDoesNotStopTheOthers)
{
	FakeKernel k;
	std::ostringstream out;
	Log log(out);
	k.add_service(fnat::ServiceSpec{fnat::ServiceKey{Proto::TCP, A("192.0.2.10"), 80}, "wlc", 0u, std::nullopt,
					std::nullopt, IPVS_FNAT_OWNER_MIRROR});
	const IpvsSnapshot want{{vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc",
				    {rs("203.0.113.11", 80, 1), rs("203.0.113.12", 80, 1)})}};
	const Plan p = plan(want, read_fnat(k), {});
	k.fail_next = std::make_pair(EINVAL, std::string("nope"));
	const ApplyResult r = apply(p, k, log);
	EXPECT_EQ(r.failed, 1u);
	EXPECT_EQ(r.applied, 1u);
	EXPECT_EQ(k.table[0].dests.size(), 1u);
	EXPECT_NE(out.str().find("nope"), std::string::npos);  // the kernel's extack text
}

TEST(Cycle, HandMadeServiceLeftUntouched)
{
	Cycle c;
	const fnat::ServiceKey key{Proto::TCP, A("192.0.2.10"), 80};
	c.kernel->add_service(fnat::ServiceSpec{key, "rr", IPVS_FNAT_SVC_F_SYNPROXY, std::nullopt, std::nullopt, 0u});
	c.kernel->add_dest(key, fnat::DestSpec{A("198.51.100.1"), 80, 7u, std::nullopt, std::nullopt});
	const auto before = c.kernel->table;
	c.source.snap = keepalived_config();
	c.kernel->calls.clear();
	EXPECT_TRUE(c.mirror->reconcile());
	ASSERT_EQ(c.kernel->table.size(), 3u);
	EXPECT_EQ(c.kernel->table[0].svc, before[0].svc);
	EXPECT_EQ(c.kernel->table[0].dests, before[0].dests);
	EXPECT_EQ(occurrences(c.out.str(), "made by hand"), 1u);
	// Not on every poll; and the service is still never touched.
	c.kernel->calls.clear();
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(mutations(c.kernel->calls), 0u);
	EXPECT_EQ(occurrences(c.out.str(), "made by hand"), 1u);
	// SIGHUP: the notes once more.
	c.mirror->renote();
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(occurrences(c.out.str(), "made by hand"), 2u);
}

TEST(Cycle, UnreadableIpvsSideIsNotAnEmptyOne)
{
	Cycle c;
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	ASSERT_EQ(c.kernel->table.size(), 3u);
	c.source.snap.reset();  // keepalived restarting: ip_vs gone from the namespace
	c.kernel->calls.clear();
	EXPECT_FALSE(c.mirror->reconcile());
	EXPECT_FALSE(c.mirror->reconcile());
	EXPECT_TRUE(c.kernel->calls.empty());  // IPVS_FNAT not even read
	EXPECT_EQ(c.kernel->table.size(), 3u);
	EXPECT_EQ(occurrences(c.out.str(), "IPVS side unavailable"), 1u);  // logged once
	// keepalived back with the same configuration: nothing flaps.
	c.source.snap = keepalived_config();
	c.kernel->calls.clear();
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(mutations(c.kernel->calls), 0u);
	EXPECT_EQ(occurrences(c.out.str(), "IPVS side readable again"), 1u);
}

TEST(Cycle, EmptyIpvsSideDeletesOnlyMirroredServices)
{
	Cycle c;
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	c.kernel->add_service(fnat::ServiceSpec{fnat::ServiceKey{Proto::UDP, A("192.0.2.99"), 53}, "rr", std::nullopt,
						std::nullopt, std::nullopt, std::nullopt});
	c.source.snap = IpvsSnapshot{};  // readable and empty: keepalived removed everything
	EXPECT_TRUE(c.mirror->reconcile());
	ASSERT_EQ(c.kernel->table.size(), 1u);
	EXPECT_EQ(c.kernel->table[0].svc.key.port, 53);
	EXPECT_EQ(c.kernel->table[0].svc.owner, 0u);
}

// keepalived stopped without --dont-release-ipvs and started again: its IPVS table is
// empty for a moment. Within the hold-down nothing is deleted, nothing re-created.
TEST(Cycle, KeepalivedRestartWithinTheHoldDownChangesNothing)
{
	Cycle c;
	c.hold_down_ms = 3000;
	c.make();
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	const auto before = c.kernel->table;
	c.kernel->calls.clear();
	c.source.snap = IpvsSnapshot{};
	c.now_ms = 1000;
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(c.mirror->next_deadline(), std::optional<std::uint64_t>(4000));
	c.now_ms = 3500;
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(occurrences(c.out.str(), "gone from IPVS: deleting in 3000 ms unless it returns"), 3u);  // once each
	// Back, the same: nothing changed at all.
	c.source.snap = keepalived_config();
	c.now_ms = 3900;
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(mutations(c.kernel->calls), 0u);
	ASSERT_EQ(c.kernel->table.size(), before.size());
	for (std::size_t i = 0; i < before.size(); ++i) {
		EXPECT_EQ(c.kernel->table[i].svc, before[i].svc);
		EXPECT_EQ(c.kernel->table[i].dests, before[i].dests);
	}
	EXPECT_EQ(c.mirror->next_deadline(), std::nullopt);
	EXPECT_EQ(occurrences(c.out.str(), "back in IPVS after 2900 ms: hold ended, nothing deleted"), 3u);
	EXPECT_EQ(occurrences(c.out.str(), "delete service"), 0u);
}

TEST(Cycle, GoneForTheWholeHoldDownIsDeletedAtTheDeadline)
{
	Cycle c;
	c.hold_down_ms = 3000;
	c.make();
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	c.source.snap->services.erase(c.source.snap->services.begin());  // TCP 192.0.2.10:80 removed
	c.now_ms = 100;
	EXPECT_TRUE(c.mirror->reconcile());
	ASSERT_EQ(c.kernel->table.size(), 3u);
	// An unreadable snapshot in between neither deletes nor restarts the hold.
	const auto snap = c.source.snap;
	c.source.snap.reset();
	c.now_ms = 1500;
	EXPECT_FALSE(c.mirror->reconcile());
	c.source.snap = snap;
	c.now_ms = 3099;
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(c.kernel->table.size(), 3u);
	ASSERT_EQ(c.mirror->next_deadline(), std::optional<std::uint64_t>(3100));
	c.now_ms = 3100;  // what the daemon's hold timer wakes it for
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(c.kernel->table.size(), 2u);
	EXPECT_EQ(occurrences(c.out.str(), "delete service TCP 192.0.2.10:80"), 1u);
	EXPECT_EQ(occurrences(c.out.str(), "still gone from IPVS after 3000 ms: hold ended, deleting"), 1u);
	EXPECT_EQ(c.mirror->next_deadline(), std::nullopt);
	c.now_ms = 3600;
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(occurrences(c.out.str(), "hold ended"), 1u);  // nothing more said
}

TEST(Cycle, ModuleNotLoadedIsLoggedOnceAndRetried)
{
	Cycle c;
	c.source.snap = keepalived_config();
	c.module_loaded = false;
	EXPECT_FALSE(c.mirror->reconcile());
	EXPECT_FALSE(c.mirror->reconcile());
	EXPECT_EQ(occurrences(c.out.str(), "IPVS_FNAT unavailable"), 1u);
	c.module_loaded = true;
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(c.kernel->table.size(), 3u);
	EXPECT_EQ(occurrences(c.out.str(), "IPVS_FNAT reachable again"), 1u);
}

TEST(Cycle, RestartedMirrorChangesNothing)
{
	Cycle c;
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	c.make();
	c.kernel->calls.clear();
	EXPECT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(mutations(c.kernel->calls), 0u);
}

TEST(Cycle, OperatorFlagsSurviveKeepalivedChanges)
{
	Cycle c;
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	// ipvsadm-fnat -E ... --dest-check on a mirrored service, then keepalived turns
	// persistence on and changes the scheduler.
	const fnat::ServiceKey key{Proto::TCP, A("192.0.2.10"), 80};
	c.kernel->edit_service(fnat::ServiceSpec{key, std::nullopt, IPVS_FNAT_SVC_F_DEST_CHECK | IPVS_FNAT_SVC_F_SYNPROXY,
						 std::nullopt, std::nullopt, std::nullopt});
	c.source.snap->services[0] = persistent(c.source.snap->services[0], 300, 32);
	c.source.snap->services[0].sched = "lc";
	EXPECT_TRUE(c.mirror->reconcile());
	const fnat::Service s = c.kernel->get_service(key);
	EXPECT_EQ(s.flags, IPVS_FNAT_SVC_F_DEST_CHECK | IPVS_FNAT_SVC_F_SYNPROXY | IPVS_FNAT_SVC_F_PERSISTENT);
	EXPECT_EQ(s.sched, "lc");
}

TEST(Cycle, OptionsApplyToCreatedServices)
{
	Cycle c;
	c.opts = PlanOptions{true, true};
	c.make();
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(c.kernel->table[0].svc.flags, IPVS_FNAT_SVC_F_DEST_CHECK | IPVS_FNAT_SVC_F_SYNPROXY);
	EXPECT_EQ(c.kernel->table[2].svc.flags, static_cast<std::uint32_t>(IPVS_FNAT_SVC_F_DEST_CHECK));  // UDP
}

TEST(Cycle, NotesOncePerServiceAndReason)
{
	Cycle c;
	c.source.snap = keepalived_config();
	ASSERT_TRUE(c.mirror->reconcile());
	ASSERT_TRUE(c.mirror->reconcile());
	EXPECT_EQ(occurrences(c.out.str(), "note: TCP 192.0.2.10:443: forwarding method route mirrored as FULLNAT"), 1u);
	EXPECT_EQ(count(c.kernel->calls, "del_service"), 0u);
}
