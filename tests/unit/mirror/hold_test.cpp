// The hold-down of service deletions (hold.hpp) as tables: a sequence of reconciles,
// each with the time, what IPVS holds and what FULLNAT holds; out, at each step, the
// changes that go ahead, the hold events as logged, and the next deadline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hold.hpp"
#include "mirror_test_support.hpp"

using namespace mirror;
using namespace mirror::test;
using fnat::Proto;

namespace {

constexpr std::uint32_t M = IPVS_FNAT_OWNER_MIRROR;

IpvsService web() { return vs(IPPROTO_TCP, "192.0.2.10", 80, "rr", {rs("203.0.113.11", 80, 1)}); }
IpvsService dns() { return vs(IPPROTO_UDP, "192.0.2.53", 53, "rr", {rs("203.0.113.21", 53, 1)}); }
FnatServiceState web_f() { return fs(Proto::TCP, "192.0.2.10", 80, "rr", M, {fd("203.0.113.11", 80, 1)}); }
FnatServiceState dns_f() { return fs(Proto::UDP, "192.0.2.53", 53, "rr", M, {fd("203.0.113.21", 53, 1)}); }

struct Step {
	std::uint64_t now_ms;
	std::vector<IpvsService> ipvs;
	FnatSnapshot fnat;
	std::vector<std::string> actions;  // as describe() writes them, after the hold
	std::vector<std::string> events;   // as logged
	std::optional<std::uint64_t> deadline;
};

struct Case {
	const char *name;
	unsigned hold_ms;
	std::vector<Step> steps;
};

const std::vector<Case> &cases()
{
	static const std::vector<Case> c = {
		{"absent shorter than the hold-down: nothing deleted",
		 3000,
		 {
			 {1000, {}, {web_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 3000 ms unless it returns"}, 4000},
			 {1500, {}, {web_f()}, {}, {}, 4000},
			 {3999, {}, {web_f()}, {}, {}, 4000},
		 }},
		{"absent as long as the hold-down: deleted, the end said once",
		 3000,
		 {
			 {1000, {}, {web_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 3000 ms unless it returns"}, 4000},
			 {2000, {}, {web_f()}, {}, {}, 4000},
			 {4000,
			  {},
			  {web_f()},
			  {"delete service TCP 192.0.2.10:80"},
			  {"service TCP 192.0.2.10:80 still gone from IPVS after 3000 ms: hold ended, deleting"},
			  std::nullopt},
			 // The delete went through: forgotten silently.
			 {4500, {}, {}, {}, {}, std::nullopt},
		 }},
		{"a refused delete is planned again at once, the end not said again",
		 1000,
		 {
			 {0, {}, {web_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 1000 ms unless it returns"}, 1000},
			 {1200,
			  {},
			  {web_f()},
			  {"delete service TCP 192.0.2.10:80"},
			  {"service TCP 192.0.2.10:80 still gone from IPVS after 1200 ms: hold ended, deleting"},
			  std::nullopt},
			 {1700, {}, {web_f()}, {"delete service TCP 192.0.2.10:80"}, {}, std::nullopt},
		 }},
		{"it returns within the hold-down: nothing deleted, the timer forgotten",
		 3000,
		 {
			 {1000, {}, {web_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 3000 ms unless it returns"}, 4000},
			 {2200, {web()}, {web_f()}, {}, {"service TCP 192.0.2.10:80 back in IPVS after 1200 ms: hold ended, nothing deleted"}, std::nullopt},
			 // Gone again: a new hold of its own, from now, not from the first absence.
			 {3500, {}, {web_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 3000 ms unless it returns"}, 6500},
			 {4100, {}, {web_f()}, {}, {}, 6500},
		 }},
		{"it returns changed: the reconcile proceeds normally",
		 3000,
		 {
			 {0, {}, {web_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 3000 ms unless it returns"}, 3000},
			 {800,
			  {vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc", {rs("203.0.113.12", 80, 2)})},
			  {web_f()},
			  {"edit service TCP 192.0.2.10:80 sched wlc", "add dest TCP 192.0.2.10:80 -> 203.0.113.12:80 weight 2",
			   "delete dest TCP 192.0.2.10:80 -> 203.0.113.11:80"},
			  {"service TCP 192.0.2.10:80 back in IPVS after 800 ms: hold ended, nothing deleted"},
			  std::nullopt},
		 }},
		{"held services: the others are reconciled meanwhile; the deadline is the first to run out",
		 2000,
		 {
			 {100, {dns()}, {web_f(), dns_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 2000 ms unless it returns"}, 2100},
			 {900,
			  {vs(IPPROTO_TCP, "192.0.2.99", 80, "rr")},
			  {web_f(), dns_f()},
			  {"add service TCP 192.0.2.99:80 rr"},
			  {"service UDP 192.0.2.53:53 gone from IPVS: deleting in 2000 ms unless it returns"},
			  2100},
			 {2100,
			  {vs(IPPROTO_TCP, "192.0.2.99", 80, "rr")},
			  {web_f(), dns_f(), fs(Proto::TCP, "192.0.2.99", 80, "rr", M)},
			  {"delete service TCP 192.0.2.10:80"},
			  {"service TCP 192.0.2.10:80 still gone from IPVS after 2000 ms: hold ended, deleting"},
			  2900},
			 {2900,
			  {vs(IPPROTO_TCP, "192.0.2.99", 80, "rr")},
			  {dns_f(), fs(Proto::TCP, "192.0.2.99", 80, "rr", M)},
			  {"delete service UDP 192.0.2.53:53"},
			  {"service UDP 192.0.2.53:53 still gone from IPVS after 2000 ms: hold ended, deleting"},
			  std::nullopt},
		 }},
		{"a held service's dests are left as they were",
		 3000,
		 {
			 {0, {}, {fs(Proto::TCP, "192.0.2.10", 80, "rr", M, {fd("203.0.113.11", 80, 0)})}, {},
			  {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 3000 ms unless it returns"}, 3000},
		 }},
		{"deleted by hand while held: forgotten silently",
		 3000,
		 {
			 {0, {}, {web_f()}, {}, {"service TCP 192.0.2.10:80 gone from IPVS: deleting in 3000 ms unless it returns"}, 3000},
			 {500, {}, {}, {}, {}, std::nullopt},
		 }},
		{"hold-down 0: deleted at once, nothing said, nothing kept",
		 0,
		 {
			 {1000, {}, {web_f()}, {"delete service TCP 192.0.2.10:80"}, {}, std::nullopt},
		 }},
		{"only deletes are held: adds, edits and dest changes go ahead at once",
		 3000,
		 {
			 {0,
			  {vs(IPPROTO_TCP, "192.0.2.10", 80, "wlc", {rs("203.0.113.11", 80, 0)}), dns()},
			  {web_f(), fs(Proto::TCP, "192.0.2.99", 80, "rr", M)},
			  {"edit service TCP 192.0.2.10:80 sched wlc", "add service UDP 192.0.2.53:53 rr",
			   "edit dest TCP 192.0.2.10:80 -> 203.0.113.11:80 weight 0",
			   "add dest UDP 192.0.2.53:53 -> 203.0.113.21:53 weight 1"},
			  {"service TCP 192.0.2.99:80 gone from IPVS: deleting in 3000 ms unless it returns"},
			  3000},
		 }},
	};
	return c;
}

class HoldTable : public testing::TestWithParam<std::size_t> {};

TEST_P(HoldTable, Steps)
{
	const Case &c = cases()[GetParam()];
	SCOPED_TRACE(c.name);
	AbsentSince absent;
	for (std::size_t i = 0; i < c.steps.size(); ++i) {
		const Step &s = c.steps[i];
		SCOPED_TRACE("step " + std::to_string(i) + " at " + std::to_string(s.now_ms) + " ms");
		Held h = hold_down(plan(IpvsSnapshot{s.ipvs}, s.fnat, {}), s.fnat, absent, s.now_ms, c.hold_ms);
		std::vector<std::string> events;
		for (const HoldEvent &e : h.events)
			events.push_back(describe(e, c.hold_ms));
		EXPECT_EQ(lines(h.plan), s.actions);
		EXPECT_EQ(events, s.events);
		EXPECT_EQ(next_hold_deadline(h.absent, c.hold_ms), s.deadline);
		absent = std::move(h.absent);
	}
}

INSTANTIATE_TEST_SUITE_P(Cases, HoldTable, testing::Range<std::size_t>(0, cases().size()));

}  // namespace

TEST(Hold, NotesPassThrough)
{
	const IpvsSnapshot d{{vs(IPPROTO_TCP, "192.0.2.10", 80, "lblc")}};
	const Plan p = plan(d, {}, {});
	const Held h = hold_down(p, {}, {}, 0, 3000);
	EXPECT_EQ(h.plan.notes, p.notes);
	EXPECT_FALSE(p.notes.empty());
}

TEST(Hold, NextDeadline)
{
	const fnat::ServiceKey a{Proto::TCP, A("192.0.2.10"), 80}, b{Proto::UDP, A("192.0.2.53"), 53};
	EXPECT_EQ(next_hold_deadline({}, 3000), std::nullopt);
	EXPECT_EQ(next_hold_deadline({{a, 500, false}}, 3000), std::optional<std::uint64_t>(3500));
	EXPECT_EQ(next_hold_deadline({{a, 900, false}, {b, 200, false}}, 3000), std::optional<std::uint64_t>(3200));
	// An expired hold has its delete planned at every reconcile: nothing to wait for.
	EXPECT_EQ(next_hold_deadline({{a, 900, false}, {b, 200, true}}, 3000), std::optional<std::uint64_t>(3900));
	EXPECT_EQ(next_hold_deadline({{b, 200, true}}, 3000), std::nullopt);
}

TEST(Hold, TimerFromTheDeadline)
{
	EXPECT_EQ(hold_timer_ms(std::nullopt, 1000), std::nullopt);  // disarmed
	EXPECT_EQ(hold_timer_ms(4000, 1000), std::optional<std::uint64_t>(3000));
	EXPECT_EQ(hold_timer_ms(4000, 3999), std::optional<std::uint64_t>(1));
	// Due or overdue: fire at once (1 ms: 0 would disarm a timerfd).
	EXPECT_EQ(hold_timer_ms(4000, 4000), std::optional<std::uint64_t>(1));
	EXPECT_EQ(hold_timer_ms(4000, 9000), std::optional<std::uint64_t>(1));
}
