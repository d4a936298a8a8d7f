// TCP option editing shared with the kernel (kernel/include/fnat_tcpopt.h): tables of
// option bytes in -> result and option bytes out.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fnat_tcpopt.h"

using Bytes = std::vector<uint8_t>;

namespace {

// Options as Linux sends them on a SYN: MSS 1460, SACK-permitted, TS, NOP, WS 7.
const Bytes linux_syn = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};

struct StripCase {
	std::string name;
	Bytes in;
	int result;
	Bytes out;
};

} // namespace

TEST(TcpOptWalk, VisitsEveryOptionAndSkipsNops)
{
	unsigned pos = 0, off;
	uint8_t kind, len;
	std::vector<std::pair<unsigned, unsigned>> seen;
	while (fnat_tcpopt_next(linux_syn.data(), linux_syn.size(), &pos, &off, &kind, &len) == FNAT_TCPOPT_ONE)
		seen.push_back({kind, off});
	EXPECT_EQ(seen, (std::vector<std::pair<unsigned, unsigned>>{{2, 0}, {4, 4}, {8, 6}, {3, 17}}));
}

TEST(TcpOptWalk, MalformedNeverReadsPastTheEnd)
{
	const std::vector<Bytes> bad = {
		{2},		// kind without length
		{2, 0},		// length 0
		{2, 1},		// length 1
		{2, 5, 0, 0},	// length past the end
		{1, 1, 8, 11, 0, 0, 0, 0, 0, 0, 0, 0}, // TS claiming 11 of 10 remaining
	};
	for (const auto &b : bad) {
		unsigned pos = 0, off;
		uint8_t kind, len;
		int r;
		while ((r = fnat_tcpopt_next(b.data(), b.size(), &pos, &off, &kind, &len)) == FNAT_TCPOPT_ONE)
			;
		EXPECT_EQ(r, FNAT_TCPOPT_BAD) << "case of " << b.size() << " bytes";
		EXPECT_LE(pos, b.size());
	}
}

TEST(TcpOptWalk, EolEndsTheList)
{
	Bytes b = {0, 2, 4, 5, 0xb4};
	unsigned pos = 0, off;
	uint8_t kind, len;
	EXPECT_EQ(fnat_tcpopt_next(b.data(), b.size(), &pos, &off, &kind, &len), FNAT_TCPOPT_END);
}

TEST(TcpOptStripTimestamp, Table)
{
	const std::vector<StripCase> cases = {
		{"linux SYN", linux_syn, 1,
		 {2, 4, 0x05, 0xb4, 4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 7}},
		{"no timestamp", {2, 4, 0x05, 0xb4, 1, 1, 4, 2}, 0, {2, 4, 0x05, 0xb4, 1, 1, 4, 2}},
		{"empty", {}, 0, {}},
		{"wrong TS length", {8, 6, 0, 0, 0, 0}, -1, {8, 6, 0, 0, 0, 0}},
		{"truncated TS", {1, 8, 10, 0, 0}, -1, {1, 8, 10, 0, 0}},
		{"garbage before TS", {2, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0}, -1,
		 {2, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0}},
	};
	for (auto c : cases) {
		EXPECT_EQ(fnat_tcpopt_strip_timestamp(c.in.data(), c.in.size()), c.result) << c.name;
		EXPECT_EQ(c.in, c.out) << c.name;
	}
}

TEST(TcpOptLowerMss, LowersByTheToaLength)
{
	Bytes b = linux_syn;
	uint16_t old_mss = 0, new_mss = 0;
	EXPECT_EQ(fnat_tcpopt_lower_mss(b.data(), b.size(), 8, 536, &old_mss, &new_mss), 1);
	EXPECT_EQ(old_mss, 1460);
	EXPECT_EQ(new_mss, 1452);
	EXPECT_EQ(b[2], 0x05);
	EXPECT_EQ(b[3], 0xac);
	Bytes rest(b.begin() + 4, b.end()), orig(linux_syn.begin() + 4, linux_syn.end());
	EXPECT_EQ(rest, orig);
}

TEST(TcpOptLowerMss, FloorAndTinyMss)
{
	struct {
		uint16_t mss, by, floor, expect;
	} cases[] = {
		{1460, 20, 536, 1440}, {540, 8, 536, 536}, {536, 8, 536, 536},
		{100, 8, 536, 100}, // already below the floor: unchanged, never raised
		{8, 8, 0, 0},
	};
	for (auto c : cases) {
		Bytes b = {2, 4, static_cast<uint8_t>(c.mss >> 8), static_cast<uint8_t>(c.mss)};
		uint16_t o, n;
		EXPECT_EQ(fnat_tcpopt_lower_mss(b.data(), b.size(), c.by, c.floor, &o, &n), 1);
		EXPECT_EQ(n, c.expect) << c.mss << " - " << c.by;
		EXPECT_EQ(((b[2] << 8) | b[3]), c.expect);
	}
}

TEST(TcpOptLowerMss, MissingOrMalformed)
{
	uint16_t o, n;
	Bytes none = {1, 1, 4, 2};
	EXPECT_EQ(fnat_tcpopt_lower_mss(none.data(), none.size(), 8, 536, &o, &n), 0);
	Bytes bad = {2, 3, 5};
	EXPECT_EQ(fnat_tcpopt_lower_mss(bad.data(), bad.size(), 8, 536, &o, &n), -1);
	EXPECT_EQ(bad, (Bytes{2, 3, 5}));
}

TEST(TcpOptShiftSack, EveryEdgeOfEveryBlock)
{
	// NOP NOP SACK with two blocks: [1000, 2000) and [0x00000010, 0x00000020) (wraps).
	Bytes b = {1, 1, 5, 18, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 0xd0, 0, 0, 0, 0x10, 0, 0, 0, 0x20};
	EXPECT_EQ(fnat_tcpopt_shift_sack(b.data(), b.size(), 0x100), 2);
	Bytes want = {1, 1, 5, 18, 0, 0, 0x02, 0xe8, 0, 0, 0x06, 0xd0,
		      0xff, 0xff, 0xff, 0x10, 0xff, 0xff, 0xff, 0x20};
	EXPECT_EQ(b, want);
}

TEST(TcpOptShiftSack, MalformedSackWritesNothing)
{
	// A good SACK followed by one of length 9 (not 2 + 8n): nothing may change.
	Bytes b = {5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 5, 9, 0, 0, 0, 0, 0, 0, 0};
	Bytes orig = b;
	EXPECT_EQ(fnat_tcpopt_shift_sack(b.data(), b.size(), 1), -1);
	EXPECT_EQ(b, orig);
	Bytes no_sack = {2, 4, 5, 0xb4};
	EXPECT_EQ(fnat_tcpopt_shift_sack(no_sack.data(), no_sack.size(), 1), 0);
}

TEST(TcpOptUsed, TrailingPaddingIsFree)
{
	Bytes b = {2, 4, 5, 0xb4, 1, 1, 1, 0};
	EXPECT_EQ(fnat_tcpopt_used(b.data(), b.size()), 4);
	EXPECT_EQ(fnat_tcpopt_used(linux_syn.data(), linux_syn.size()), 20);
	Bytes bad = {2, 4, 5, 0xb4, 8, 30};
	EXPECT_EQ(fnat_tcpopt_used(bad.data(), bad.size()), -1);
	EXPECT_EQ(fnat_tcpopt_used(nullptr, 0), 0);
}
