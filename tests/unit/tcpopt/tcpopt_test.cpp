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

// --- the SYN proxy's helpers ---------------------------------------------------------

TEST(TcpOptParse, LinuxSyn)
{
	fnat_tcpopts o;
	ASSERT_EQ(fnat_tcpopt_parse(linux_syn.data(), linux_syn.size(), &o), 0);
	EXPECT_EQ(o.mss, 1460);
	EXPECT_EQ(o.wscale, 7);
	EXPECT_EQ(o.sack_ok, 1);
	EXPECT_EQ(o.ts_ok, 1);
	EXPECT_EQ(o.tsval, 1u);
	EXPECT_EQ(o.tsecr, 0u);
}

TEST(TcpOptParse, Table)
{
	struct Case {
		std::string name;
		Bytes in;
		int result;
		uint16_t mss;
		uint8_t wscale, sack, ts;
	};
	const std::vector<Case> cases = {
		{"nothing", {}, 0, 0, FNAT_WSCALE_NONE, 0, 0},
		{"MSS only", {2, 4, 0x02, 0x18}, 0, 536, FNAT_WSCALE_NONE, 0, 0},
		{"window scale above 14 reads as 14", {1, 3, 3, 15}, 0, 0, 14, 0, 0},
		{"window scale 0 is a scale", {1, 3, 3, 0}, 0, 0, 0, 0, 0},
		{"MSS of length 3", {2, 3, 5, 0}, -1, 0, 0, 0, 0},
		{"window scale of length 4", {3, 4, 7, 0}, -1, 0, 0, 0, 0},
		{"SACK-permitted of length 3", {4, 3, 0, 0}, -1, 0, 0, 0, 0},
		{"timestamps of length 8", {8, 8, 0, 0, 0, 1, 0, 0}, -1, 0, 0, 0, 0},
		{"truncated option", {1, 1, 8, 10, 0}, -1, 0, 0, 0, 0},
		{"unknown options are skipped", {30, 4, 0, 0, 4, 2}, 0, 0, FNAT_WSCALE_NONE, 1, 0},
		{"EOL ends the list", {0, 2, 4, 5, 0xb4}, 0, 0, FNAT_WSCALE_NONE, 0, 0},
	};
	for (const auto &c : cases) {
		fnat_tcpopts o;
		int r = fnat_tcpopt_parse(c.in.data(), c.in.size(), &o);
		EXPECT_EQ(r, c.result) << c.name;
		if (r || c.result)
			continue;
		EXPECT_EQ(o.mss, c.mss) << c.name;
		EXPECT_EQ(o.wscale, c.wscale) << c.name;
		EXPECT_EQ(o.sack_ok, c.sack) << c.name;
		EXPECT_EQ(o.ts_ok, c.ts) << c.name;
	}
}

TEST(TcpOptWriteSyn, EveryCombinationParsesBack)
{
	for (int mss = 0; mss < 2; mss++)
		for (int ws = 0; ws < 2; ws++)
			for (int sack = 0; sack < 2; sack++)
				for (int ts = 0; ts < 2; ts++) {
					fnat_tcpopts o = {}, back;
					o.mss = mss ? 1440 : 0;
					o.wscale = ws ? 9 : FNAT_WSCALE_NONE;
					o.sack_ok = sack;
					o.ts_ok = ts;
					o.tsval = ts ? 0x01020304 : 0;
					o.tsecr = ts ? 0xa0b0c0d0 : 0;
					uint8_t buf[40];
					unsigned n = fnat_tcpopt_write_syn(buf, &o);
					std::string what = "mss " + std::to_string(mss) + " ws " +
							   std::to_string(ws) + " sack " +
							   std::to_string(sack) + " ts " + std::to_string(ts);
					EXPECT_EQ(n, fnat_tcpopt_syn_len(&o)) << what;
					EXPECT_EQ(n % 4, 0u) << what;
					EXPECT_LE(n, 20u) << what;
					ASSERT_EQ(fnat_tcpopt_parse(buf, n, &back), 0) << what;
					EXPECT_EQ(back.mss, o.mss) << what;
					EXPECT_EQ(back.wscale, o.wscale) << what;
					EXPECT_EQ(back.sack_ok, o.sack_ok) << what;
					EXPECT_EQ(back.ts_ok, o.ts_ok) << what;
					EXPECT_EQ(back.tsval, o.tsval) << what;
					EXPECT_EQ(back.tsecr, o.tsecr) << what;
				}
}

TEST(TcpOptWriteSyn, LinuxLayout)
{
	fnat_tcpopts o = {1460, 7, 1, 1, 1, 0};
	uint8_t buf[40];
	unsigned n = fnat_tcpopt_write_syn(buf, &o);
	EXPECT_EQ(Bytes(buf, buf + n), linux_syn);
}

TEST(TcpOptShiftTs, BothFieldsAndZeroEcho)
{
	// NOP NOP TS(val 100, ecr 50)
	Bytes b = {1, 1, 8, 10, 0, 0, 0, 100, 0, 0, 0, 50};
	EXPECT_EQ(fnat_tcpopt_shift_ts(b.data(), b.size(), 0xffffff00, 20), 1);
	EXPECT_EQ(b, (Bytes{1, 1, 8, 10, 0xff, 0xff, 0xff, 100, 0, 0, 0, 30}));
	Bytes syn = {8, 10, 0, 0, 0, 7, 0, 0, 0, 0};
	EXPECT_EQ(fnat_tcpopt_shift_ts(syn.data(), syn.size(), 1, 5), 1);
	EXPECT_EQ(syn, (Bytes{8, 10, 0, 0, 0, 8, 0, 0, 0, 0}));
	Bytes none = {2, 4, 5, 0xb4};
	EXPECT_EQ(fnat_tcpopt_shift_ts(none.data(), none.size(), 1, 1), 0);
	Bytes bad = {8, 9, 0, 0, 0, 1, 0, 0, 0};
	Bytes orig = bad;
	EXPECT_EQ(fnat_tcpopt_shift_ts(bad.data(), bad.size(), 1, 1), -1);
	EXPECT_EQ(bad, orig);
}

TEST(TcpOptStripSynOnly, KeepsTimestampsAndSack)
{
	// A Linux SYN-ACK's options: MSS, SACK-permitted, TS, NOP, WS.
	Bytes b = linux_syn;
	EXPECT_EQ(fnat_tcpopt_strip_syn_only(b.data(), b.size()), 3);
	EXPECT_EQ(b, (Bytes{1, 1, 1, 1, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1}));
	Bytes bad = {2, 4, 5, 0xb4, 3, 9};
	Bytes orig = bad;
	EXPECT_EQ(fnat_tcpopt_strip_syn_only(bad.data(), bad.size()), -1);
	EXPECT_EQ(bad, orig);
}

TEST(CookieTimestamp, LowBitsCarryTheOptionsAndNeverRunAhead)
{
	struct Case {
		uint32_t now;
		uint8_t wscale;
		int sack, ecn;
		uint32_t want;
	};
	const std::vector<Case> cases = {
		{0x12345678, 7, 1, 0, 0x12345640 | 7 | 16},	// 0x..78 & ~63 = 0x..40
		{0x12345640, 7, 1, 1, 0x12345600 | 7 | 16 | 32}, // 0x..40|0x37 > now: back 64
		{1000, FNAT_WSCALE_NONE, 0, 0, 960 | 15},
		{1000, 20, 0, 0, 960 | 15},			// an impossible scale: none
	};
	for (const auto &c : cases) {
		uint32_t ts = fnat_cookie_ts_encode(c.now, c.wscale, c.sack, c.ecn);
		EXPECT_EQ(ts, c.want) << c.now;
		EXPECT_LE(ts, c.now) << c.now;
	}
}

TEST(WindowRescale, Table)
{
	EXPECT_EQ(fnat_window_rescale(1000, 7, 7), 1000);
	EXPECT_EQ(fnat_window_rescale(1000, 9, 7), 4000);	// RS scales more: larger field
	EXPECT_EQ(fnat_window_rescale(40000, 9, 7), 0xffff);	// clamped, never more
	EXPECT_EQ(fnat_window_rescale(1000, 2, 7), 31);		// 4000 bytes / 128, down
	EXPECT_EQ(fnat_window_rescale(65535, 0, 7), 511);	// RS without scaling
	EXPECT_EQ(fnat_window_rescale(100, 0, 7), 0);		// less than one unit
	EXPECT_EQ(fnat_window_rescale(512, 7, 0), 0xffff);	// client unscaled
}
