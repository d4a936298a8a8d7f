// The scheduling algorithms shared with the kernel (kernel/include/fnat_sched_core.h),
// checked for what an operator relies on: shares follow the weights, unavailable
// destinations get nothing, source hashing is stable, and Maglev barely moves flows
// when a destination goes.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <arpa/inet.h>
#include <vector>

#include "fnat_sched_core.h"

namespace {

std::vector<int> wrr_picks(std::vector<__u32> weight, std::vector<__u8> avail, int count)
{
	fnat_wrr_cursor c;
	fnat_wrr_reset(&c);
	std::vector<int> picks;
	for (int i = 0; i < count; i++)
		picks.push_back(fnat_wrr_next(&c, weight.data(), avail.data(), static_cast<int>(weight.size())));
	return picks;
}

std::map<int, int> histogram(const std::vector<int> &v)
{
	std::map<int, int> h;
	for (int x : v)
		h[x]++;
	return h;
}

} // namespace

TEST(Wrr, OneCycleGivesEachDestinationItsWeight)
{
	// gcd 1, max 5: one cycle is 5 + 3 + 1 = 9 picks.
	auto h = histogram(wrr_picks({5, 3, 1}, {1, 1, 1}, 9 * 100));
	EXPECT_EQ(h[0], 500);
	EXPECT_EQ(h[1], 300);
	EXPECT_EQ(h[2], 100);
}

TEST(Wrr, InterleavesInsteadOfBursting)
{
	// 2:1 must not be "0 0 1" bursts of the heavier one longer than its weight.
	auto picks = wrr_picks({2, 1}, {1, 1}, 6);
	EXPECT_EQ(picks, (std::vector<int>{0, 0, 1, 0, 0, 1}));
	picks = wrr_picks({4, 4, 2}, {1, 1, 1}, 5);
	EXPECT_EQ(picks, (std::vector<int>{0, 1, 0, 1, 2}));
}

TEST(Wrr, EqualWeightsAreRoundRobin)
{
	EXPECT_EQ(wrr_picks({7, 7, 7}, {1, 1, 1}, 6), (std::vector<int>{0, 1, 2, 0, 1, 2}));
}

TEST(Wrr, SkipsZeroWeightAndUnavailable)
{
	auto h = histogram(wrr_picks({3, 0, 2, 5}, {1, 1, 1, 0}, 500));
	EXPECT_EQ(h[0], 300);
	EXPECT_EQ(h[2], 200);
	EXPECT_EQ(h.count(1), 0u);
	EXPECT_EQ(h.count(3), 0u);
}

TEST(Wrr, NothingAvailableGivesMinusOne)
{
	EXPECT_EQ(wrr_picks({0, 0}, {1, 1}, 1), (std::vector<int>{-1}));
	EXPECT_EQ(wrr_picks({3, 4}, {0, 0}, 1), (std::vector<int>{-1}));
	EXPECT_EQ(wrr_picks({}, {}, 1), (std::vector<int>{-1}));
}

TEST(Wrr, HeavyDestinationGoingUnavailableLeavesTheOthersPickable)
{
	// rs0 reaches its upper threshold after two picks: the cursor is at a weight
	// level only rs0 had; rs1 must be picked at once, every time, not after dozens
	// of "nothing available" answers. Back below the threshold, rs0 is picked again.
	fnat_wrr_cursor c;
	fnat_wrr_reset(&c);
	std::array<__u32, 2> w{100, 1};
	std::array<__u8, 2> a{1, 1};
	EXPECT_EQ(fnat_wrr_next(&c, w.data(), a.data(), 2), 0);
	EXPECT_EQ(fnat_wrr_next(&c, w.data(), a.data(), 2), 0);
	a[0] = 0;
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(fnat_wrr_next(&c, w.data(), a.data(), 2), 1) << "pick " << i;
	a[0] = 1;
	EXPECT_EQ(fnat_wrr_next(&c, w.data(), a.data(), 2), 0);
}

TEST(Wrr, CursorPastTheEndAfterRemovalRecovers)
{
	fnat_wrr_cursor c{5, 3};
	std::array<__u32, 2> w{1, 1};
	std::array<__u8, 2> a{1, 1};
	int first = fnat_wrr_next(&c, w.data(), a.data(), 2);
	EXPECT_TRUE(first == 0 || first == 1);
}

TEST(Wlc, PicksLowestOverheadPerWeight)
{
	// overheads: 0: 2*256=512/1, 1: 3*256=768/2=384, 2: 1*256+10=266/1
	std::array<__u32, 3> act{2, 3, 1}, inact{0, 0, 10}, w{1, 2, 1};
	std::array<__u8, 3> a{1, 1, 1};
	EXPECT_EQ(fnat_wlc_pick(act.data(), inact.data(), w.data(), a.data(), 3), 2);
	a[2] = 0;
	EXPECT_EQ(fnat_wlc_pick(act.data(), inact.data(), w.data(), a.data(), 3), 1);
}

TEST(Wlc, ActiveCountsMoreThanInactive)
{
	std::array<__u32, 2> act{1, 0}, inact{0, 255}, w{1, 1};
	std::array<__u8, 2> a{1, 1};
	EXPECT_EQ(fnat_wlc_pick(act.data(), inact.data(), w.data(), a.data(), 2), 1);
	inact[1] = 257;
	EXPECT_EQ(fnat_wlc_pick(act.data(), inact.data(), w.data(), a.data(), 2), 0);
}

TEST(Wlc, TiesGoToTheFirstAndZeroWeightIsSkipped)
{
	std::array<__u32, 3> act{0, 0, 0}, inact{0, 0, 0}, w{0, 1, 1};
	std::array<__u8, 3> a{1, 1, 1};
	EXPECT_EQ(fnat_wlc_pick(act.data(), inact.data(), w.data(), a.data(), 3), 1);
	w = {0, 0, 0};
	EXPECT_EQ(fnat_wlc_pick(act.data(), inact.data(), w.data(), a.data(), 3), -1);
}

TEST(Sh, TableFollowsWeights)
{
	std::array<__s16, FNAT_SH_TAB_SIZE> tab{};
	std::array<__u32, 3> w{1, 2, 1};
	fnat_sh_build(tab.data(), w.data(), 3);
	std::map<int, int> h;
	for (auto d : tab)
		h[d]++;
	EXPECT_EQ(h[0], 64);
	EXPECT_EQ(h[1], 128);
	EXPECT_EQ(h[2], 64);
}

TEST(Sh, NoWeightedDestinationGivesEmptyTable)
{
	std::array<__s16, FNAT_SH_TAB_SIZE> tab{};
	std::array<__u32, 2> w{0, 0};
	fnat_sh_build(tab.data(), w.data(), 2);
	for (auto d : tab)
		EXPECT_EQ(d, -1);
}

TEST(Sh, SameClientSameBucketAndClientsSpread)
{
	std::map<unsigned, int> h;
	for (__u32 host = 0; host < 4096; host++) {
		__u32 addr = htonl(0xc6336400u + host); // 198.51.100.0 + host (wraps past /24: only hashed)
		unsigned b = fnat_sh_bucket(&addr, 1, 42);
		EXPECT_EQ(b, fnat_sh_bucket(&addr, 1, 42));
		h[b]++;
	}
	EXPECT_EQ(h.size(), FNAT_SH_TAB_SIZE); // every bucket used by 4096 clients
	for (auto &[b, n] : h)
		EXPECT_LT(n, 40) << "bucket " << b; // mean 16
}

namespace {

struct Maglev {
	std::vector<std::array<__u32, 2>> keys; // address, port
	std::vector<__u32> weight;
	std::vector<__s16> tab = std::vector<__s16>(FNAT_MH_TAB_SIZE);

	void build()
	{
		std::vector<const __u32 *> k;
		for (auto &key : keys)
			k.push_back(key.data());
		std::vector<__u32> scratch(2 * keys.size() + 1);
		fnat_mh_build(tab.data(), scratch.data(), k.data(), 2, weight.data(), static_cast<int>(keys.size()));
	}
	std::map<int, double> shares() const
	{
		std::map<int, double> s;
		for (auto d : tab)
			s[d] += 1.0 / FNAT_MH_TAB_SIZE;
		return s;
	}
};

Maglev five_servers()
{
	Maglev m;
	for (__u32 i = 0; i < 5; i++) {
		m.keys.push_back({htonl(0xcb00710bu + i), htons(80)}); // 203.0.113.11 + i
		m.weight.push_back(1);
	}
	m.build();
	return m;
}

} // namespace

TEST(Maglev, EqualWeightsGiveEqualShares)
{
	auto s = five_servers().shares();
	ASSERT_EQ(s.size(), 5u);
	for (auto &[d, share] : s)
		EXPECT_NEAR(share, 0.2, 0.01) << "destination " << d;
}

TEST(Maglev, SharesFollowWeights)
{
	Maglev m = five_servers();
	m.weight = {1, 2, 1, 4, 0};
	m.build();
	auto s = m.shares();
	EXPECT_EQ(s.count(4), 0u);
	EXPECT_NEAR(s[0], 0.125, 0.01);
	EXPECT_NEAR(s[1], 0.25, 0.01);
	EXPECT_NEAR(s[2], 0.125, 0.01);
	EXPECT_NEAR(s[3], 0.5, 0.01);
}

TEST(Maglev, SameInputSameTable)
{
	EXPECT_EQ(five_servers().tab, five_servers().tab);
}

TEST(Maglev, RemovingOneMovesLittleBesidesItsOwnShare)
{
	Maglev before = five_servers();
	Maglev after = before;
	after.keys.erase(after.keys.begin() + 2);
	after.weight.erase(after.weight.begin() + 2);
	after.build();
	auto renumber = [](int d) { return d >= 2 ? d + 1 : d; }; // indexes after removal
	size_t kept = 0, moved = 0;
	for (size_t slot = 0; slot < FNAT_MH_TAB_SIZE; slot++) {
		if (before.tab[slot] == 2)
			continue; // the removed destination's own share must move
		if (renumber(after.tab[slot]) == before.tab[slot])
			kept++;
		else
			moved++;
	}
	// Maglev moves a little of the others too (measured 0.1 % with five); we hold it under 1 %.
	EXPECT_LT(static_cast<double>(moved) / (kept + moved), 0.01);
}

TEST(Maglev, NoWeightedDestinationGivesEmptyTable)
{
	Maglev m = five_servers();
	m.weight = {0, 0, 0, 0, 0};
	m.build();
	for (auto d : m.tab)
		ASSERT_EQ(d, -1);
}

TEST(Maglev, FlowSlotIsStable)
{
	std::array<__u32, 2> flow{htonl(0xc6336402u), 12345};
	EXPECT_EQ(fnat_mh_slot(flow.data(), 2, 7), fnat_mh_slot(flow.data(), 2, 7));
	EXPECT_LT(fnat_mh_slot(flow.data(), 2, 7), FNAT_MH_TAB_SIZE);
}
