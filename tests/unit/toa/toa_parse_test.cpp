// Unit tests of the TOA option parser shared with toa.ko (kernel/include/toa.h).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <random>
#include <vector>

#include <gtest/gtest.h>

extern "C" {
#include "toa.h"
}

namespace {

using Bytes = std::vector<std::uint8_t>;

// The options are copied into a heap block of exactly their size, so that ASan
// reports any read past the end.
struct Parsed {
	toa_parse_result result;
	toa_data toa;
};

Parsed parse(const Bytes &opts, bool syn = false, const toa_kinds *kinds = nullptr)
{
	toa_kinds def;
	toa_kinds_default(&def);
	auto buf = std::make_unique<std::uint8_t[]>(opts.size() ? opts.size() : 1);
	if (!opts.empty())
		std::memcpy(buf.get(), opts.data(), opts.size());
	Parsed p{};
	std::memset(&p.toa, 0xa5, sizeof(p.toa));  // the parser must overwrite it all
	p.result = toa_parse_options(buf.get(), static_cast<unsigned int>(opts.size()), syn,
				     kinds ? kinds : &def, &p.toa);
	return p;
}

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

// 254/8: port 0x1f90 (8080), 198.51.100.7
const Bytes toa4 = {254, 8, 0x1f, 0x90, 198, 51, 100, 7};
// kind/20: port 0x3039 (12345), 2001:db8:c::7
Bytes toa6(std::uint8_t kind = 254)
{
	Bytes b = {kind, 20, 0x30, 0x39, 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c};
	b.resize(19, 0);
	b.push_back(7);
	return b;
}
const Bytes nop = {1};
const Bytes eol = {0};
const Bytes mss = {2, 4, 0x05, 0xb4};
const Bytes sack_perm = {4, 2};
const Bytes ts = {8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
const Bytes wscale = {3, 3, 7};

bool cleared(const toa_data &t)
{
	toa_data zero{};
	return t.family == TOA_FAMILY_NONE && t.kind == 0 && t.port == 0 &&
	       std::memcmp(t.addr, zero.addr, sizeof(zero.addr)) == 0;
}

void expect_v4(const Parsed &p, std::uint16_t port, const char *addr, std::uint8_t kind = 254)
{
	ASSERT_EQ(p.result, TOA_PARSE_FOUND);
	EXPECT_EQ(p.toa.family, TOA_FAMILY_IPV4);
	EXPECT_EQ(p.toa.kind, kind);
	EXPECT_EQ(ntohs(p.toa.port), port);
	in_addr a{};
	ASSERT_EQ(inet_pton(AF_INET, addr, &a), 1);
	EXPECT_EQ(std::memcmp(p.toa.addr, &a, 4), 0);
	for (int i = 4; i < 16; i++)
		EXPECT_EQ(p.toa.addr[i], 0) << "byte " << i;
}

void expect_v6(const Parsed &p, std::uint16_t port, const char *addr, std::uint8_t kind)
{
	ASSERT_EQ(p.result, TOA_PARSE_FOUND);
	EXPECT_EQ(p.toa.family, TOA_FAMILY_IPV6);
	EXPECT_EQ(p.toa.kind, kind);
	EXPECT_EQ(ntohs(p.toa.port), port);
	in6_addr a{};
	ASSERT_EQ(inet_pton(AF_INET6, addr, &a), 1);
	EXPECT_EQ(std::memcmp(p.toa.addr, &a, 16), 0);
}

void expect_result(const Parsed &p, toa_parse_result r)
{
	EXPECT_EQ(p.result, r);
	EXPECT_TRUE(cleared(p.toa)) << "no TOA may be returned unless one is found";
}

toa_kinds kinds_of(std::initializer_list<int> ks)
{
	toa_kinds k;
	toa_kinds_clear(&k);
	for (int x : ks)
		toa_kinds_add(&k, static_cast<std::uint8_t>(x));
	return k;
}

// --- well-formed ---------------------------------------------------------------------

TEST(ToaParse, NoOptions)
{
	expect_result(parse({}), TOA_PARSE_NONE);
}

TEST(ToaParse, OnlyPaddingAndOrdinaryOptions)
{
	expect_result(parse({1, 1, 1, 1}), TOA_PARSE_NONE);
	expect_result(parse({0, 0, 0, 0}), TOA_PARSE_NONE);
	expect_result(parse(cat({mss, nop, wscale, sack_perm, ts})), TOA_PARSE_NONE);
}

TEST(ToaParse, Ipv4)
{
	expect_v4(parse(toa4), 8080, "198.51.100.7");
}

TEST(ToaParse, Ipv4AmongOtherOptions)
{
	expect_v4(parse(cat({nop, nop, ts, toa4, nop, nop})), 8080, "198.51.100.7");
	expect_v4(parse(cat({mss, sack_perm, toa4, wscale, nop})), 8080, "198.51.100.7");
}

TEST(ToaParse, Ipv6Kind254)
{
	expect_v6(parse(toa6(254)), 12345, "2001:db8:c::7", 254);
}

TEST(ToaParse, Ipv6Kind253)
{
	expect_v6(parse(toa6(253)), 12345, "2001:db8:c::7", 253);
}

TEST(ToaParse, Ipv6FillsTheWholeOptionSpace)
{
	Bytes opts = cat({toa6(253), ts, nop, nop, nop, nop, nop, nop, nop, nop, nop, nop});
	ASSERT_EQ(opts.size(), 40u);
	expect_v6(parse(opts), 12345, "2001:db8:c::7", 253);
}

TEST(ToaParse, PortIsNetworkOrderAsOnTheWire)
{
	Bytes b = {254, 8, 0x01, 0x02, 203, 0, 113, 9};
	Parsed p = parse(b);
	ASSERT_EQ(p.result, TOA_PARSE_FOUND);
	const auto *raw = reinterpret_cast<const std::uint8_t *>(&p.toa.port);
	EXPECT_EQ(raw[0], 0x01);
	EXPECT_EQ(raw[1], 0x02);
	EXPECT_EQ(ntohs(p.toa.port), 0x0102);
	EXPECT_EQ(toa_get_u16(b.data() + 2), 0x0102);
}

TEST(ToaParse, EolEndsTheList)
{
	// A TOA after EOL is padding, not an option.
	expect_result(parse(cat({nop, eol, toa4, {0, 0, 0}})), TOA_PARSE_NONE);
	// Whatever follows EOL is not parsed, even garbage.
	expect_v4(parse(cat({toa4, eol, {254, 0, 1}})), 8080, "198.51.100.7");
}

// --- Fast Open's experimental option (254, magic 0xF989) -----------------------------

TEST(ToaParse, TfoMagicOnSynIsFastOpenNotToa)
{
	// 254/8 whose first two data bytes are 0xF989, on a SYN: a Fast Open cookie.
	Bytes tfo_cookie = {254, 8, 0xf9, 0x89, 1, 2, 3, 4};
	expect_result(parse(tfo_cookie, true), TOA_PARSE_NONE);
	// Empty cookie (cookie request) and a long cookie: not malformed TOAs either.
	expect_result(parse({254, 4, 0xf9, 0x89}, true), TOA_PARSE_NONE);
	expect_result(parse({254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8}, true), TOA_PARSE_NONE);
}

TEST(ToaParse, TfoMagicOnSynBesideARealToa)
{
	Bytes opts = cat({mss, {254, 4, 0xf9, 0x89}, toa4});
	expect_v4(parse(opts, true), 8080, "198.51.100.7");
}

TEST(ToaParse, Port63881OnAckIsToa)
{
	// Same bytes as a Fast Open cookie, but without SYN: a TOA for port 63881.
	Bytes b = {254, 8, 0xf9, 0x89, 198, 51, 100, 7};
	expect_v4(parse(b, false), 63881, "198.51.100.7");
}

TEST(ToaParse, Ipv4ToaOnSynWithoutMagic)
{
	expect_v4(parse(toa4, true), 8080, "198.51.100.7");
}

TEST(ToaParse, TfoMagicOnlyForKind254)
{
	// 253 is IPv6-only; its data starting with 0xF989 is just an address.
	Bytes b = toa6(253);
	b[2] = 0xf9;
	b[3] = 0x89;
	expect_v6(parse(b, true), 63881, "2001:db8:c::7", 253);
}

TEST(ToaParse, FastOpenExperimentalOnAckIsAMalformedToa)
{
	expect_result(parse({254, 4, 0xf9, 0x89}, false), TOA_PARSE_BAD_TOA_LEN);
}

// --- malformed -------------------------------------------------------------------------

TEST(ToaParse, LengthZero)
{
	expect_result(parse({254, 0, 0x1f, 0x90, 198, 51, 100, 7}), TOA_PARSE_BAD_OPTLEN);
	expect_result(parse(cat({nop, nop, {2, 0}})), TOA_PARSE_BAD_OPTLEN);
}

TEST(ToaParse, LengthOne)
{
	expect_result(parse({254, 1, 0x1f, 0x90, 198, 51, 100, 7}), TOA_PARSE_BAD_OPTLEN);
	expect_result(parse(cat({{8, 1}, toa4})), TOA_PARSE_BAD_OPTLEN);
}

TEST(ToaParse, MalformedBeforeAValidToaHidesIt)
{
	// After a bad length nothing is aligned on options any more.
	expect_result(parse(cat({{30, 0}, nop, nop, toa4})), TOA_PARSE_BAD_OPTLEN);
}

TEST(ToaParse, MalformedAfterAValidToaVoidsIt)
{
	expect_result(parse(cat({toa4, {5, 1}, nop, nop})), TOA_PARSE_BAD_OPTLEN);
	expect_result(parse(cat({toa4, {5, 10, 1, 2}})), TOA_PARSE_OVERRUN);
}

TEST(ToaParse, LengthRunsPastTheHeader)
{
	// A whole TOA announced, six bytes present.
	expect_result(parse({254, 8, 0x1f, 0x90, 198, 51}), TOA_PARSE_OVERRUN);
	// IPv6 TOA cut short.
	Bytes v6 = toa6(253);
	v6.resize(12);
	expect_result(parse(v6), TOA_PARSE_OVERRUN);
	// Another kind running past the end.
	expect_result(parse(cat({nop, nop, {8, 10, 0, 0, 0, 1}})), TOA_PARSE_OVERRUN);
	// Length 255.
	expect_result(parse(cat({toa4, {254, 255, 0, 0}})), TOA_PARSE_OVERRUN);
}

TEST(ToaParse, KindAsTheLastByte)
{
	expect_result(parse({1, 1, 1, 254}), TOA_PARSE_TRUNCATED);
	expect_result(parse({254}), TOA_PARSE_TRUNCATED);
	expect_result(parse(cat({toa4, {1, 1, 1, 2}})), TOA_PARSE_TRUNCATED);
}

TEST(ToaParse, TruncatedToa)
{
	// A TOA whose own length is too short for an address.
	expect_result(parse({254, 6, 0x1f, 0x90, 198, 51, 1, 1}), TOA_PARSE_BAD_TOA_LEN);
	expect_result(parse({254, 2, 1, 1}), TOA_PARSE_BAD_TOA_LEN);
	expect_result(parse({254, 3, 0x1f, 1}), TOA_PARSE_BAD_TOA_LEN);
}

TEST(ToaParse, WrongLengthForTheKind)
{
	// 253 only exists as IPv6.
	Bytes b = toa4;
	b[0] = 253;
	expect_result(parse(b), TOA_PARSE_BAD_TOA_LEN);
	// 254 with lengths that are neither IPv4 nor IPv6.
	expect_result(parse({254, 12, 0x1f, 0x90, 198, 51, 100, 7, 0, 0, 0, 0}), TOA_PARSE_BAD_TOA_LEN);
	Bytes v6 = toa6(254);
	v6[1] = 18;
	v6.resize(18);
	expect_result(parse(cat({v6, nop, nop})), TOA_PARSE_BAD_TOA_LEN);
	Bytes v6long = toa6(253);
	v6long[1] = 24;
	v6long.resize(24, 0);
	expect_result(parse(v6long), TOA_PARSE_BAD_TOA_LEN);
}

TEST(ToaParse, SeveralToas)
{
	expect_result(parse(cat({toa4, toa4})), TOA_PARSE_SEVERAL);
	Bytes other = {254, 8, 0, 80, 203, 0, 113, 1};
	expect_result(parse(cat({toa4, nop, nop, other})), TOA_PARSE_SEVERAL);
	expect_result(parse(cat({toa6(254), toa6(253)})), TOA_PARSE_SEVERAL);
	expect_result(parse(cat({toa4, toa6(253)})), TOA_PARSE_SEVERAL);
	expect_result(parse(cat({toa6(253), toa4})), TOA_PARSE_SEVERAL);
}

TEST(ToaParse, SeveralWithFastOpenOnSynIsOne)
{
	expect_v4(parse(cat({{254, 4, 0xf9, 0x89}, toa4, {254, 4, 0xf9, 0x89}}), true), 8080,
		  "198.51.100.7");
}

// --- the accepted kinds ----------------------------------------------------------------

TEST(ToaKinds, Default)
{
	toa_kinds k;
	toa_kinds_default(&k);
	for (int kind = 0; kind < 256; kind++)
		EXPECT_EQ(toa_kinds_has(&k, static_cast<std::uint8_t>(kind)), kind == 253 || kind == 254)
			<< kind;
}

TEST(ToaKinds, AddAndClearEveryKind)
{
	for (int kind = 0; kind < 256; kind++) {
		toa_kinds k;
		toa_kinds_clear(&k);
		toa_kinds_add(&k, static_cast<std::uint8_t>(kind));
		for (int other = 0; other < 256; other++)
			EXPECT_EQ(toa_kinds_has(&k, static_cast<std::uint8_t>(other)), other == kind);
	}
}

TEST(ToaParse, KindNotAcceptedIsJustAnotherOption)
{
	Bytes b = toa4;
	b[0] = 200;
	expect_result(parse(b), TOA_PARSE_NONE);
	toa_kinds k = kinds_of({254, 253, 200});
	expect_v4(parse(b, false, &k), 8080, "198.51.100.7", 200);
}

TEST(ToaParse, OtherKindTakesBothLengths)
{
	toa_kinds k = kinds_of({200});
	Bytes b = toa6(200);
	expect_v6(parse(b, false, &k), 12345, "2001:db8:c::7", 200);
	// No Fast Open magic rule for it: only 254 is Fast Open's.
	Bytes m = {200, 8, 0xf9, 0x89, 198, 51, 100, 7};
	expect_v4(parse(m, true, &k), 63881, "198.51.100.7", 200);
}

TEST(ToaParse, Only253Accepted)
{
	toa_kinds k = kinds_of({253});
	expect_result(parse(toa4, false, &k), TOA_PARSE_NONE);
	expect_result(parse(toa6(254), false, &k), TOA_PARSE_NONE);
	expect_v6(parse(toa6(253), false, &k), 12345, "2001:db8:c::7", 253);
	// Two TOAs, one of a kind no longer accepted: only one counts.
	expect_v6(parse(cat({toa4, toa6(253)}), false, &k), 12345, "2001:db8:c::7", 253);
}

TEST(ToaParse, NoKindAccepted)
{
	toa_kinds k = kinds_of({});
	expect_result(parse(cat({toa4, toa6(253)}), false, &k), TOA_PARSE_NONE);
	// Structure is still checked.
	expect_result(parse({254, 0}, false, &k), TOA_PARSE_BAD_OPTLEN);
}

TEST(ToaParse, MalformedIsMalformed)
{
	EXPECT_FALSE(toa_parse_malformed(TOA_PARSE_NONE));
	EXPECT_FALSE(toa_parse_malformed(TOA_PARSE_FOUND));
	for (auto r : {TOA_PARSE_BAD_OPTLEN, TOA_PARSE_TRUNCATED, TOA_PARSE_OVERRUN,
		       TOA_PARSE_BAD_TOA_LEN, TOA_PARSE_SEVERAL})
		EXPECT_TRUE(toa_parse_malformed(r)) << r;
}

// --- building ---------------------------------------------------------------------------

TEST(ToaBuild, RoundTripIpv4)
{
	toa_data in{};
	in.family = TOA_FAMILY_IPV4;
	in.port = htons(40001);
	inet_pton(AF_INET, "203.0.113.250", in.addr);
	std::uint8_t buf[TOA_LEN_V6] = {};
	ASSERT_EQ(toa_build(buf, &in, TOA_KIND), static_cast<unsigned>(TOA_LEN_V4));
	EXPECT_EQ(Bytes(buf, buf + 8), (Bytes{254, 8, 0x9c, 0x41, 203, 0, 113, 250}));
	expect_v4(parse(Bytes(buf, buf + 8)), 40001, "203.0.113.250");
}

TEST(ToaBuild, RoundTripIpv6BothKinds)
{
	for (std::uint8_t kind : {std::uint8_t{254}, std::uint8_t{253}}) {
		toa_data in{};
		in.family = TOA_FAMILY_IPV6;
		in.port = htons(443);
		inet_pton(AF_INET6, "2001:db8::1:2", in.addr);
		std::uint8_t buf[TOA_LEN_V6] = {};
		ASSERT_EQ(toa_build(buf, &in, kind), static_cast<unsigned>(TOA_LEN_V6));
		EXPECT_EQ(buf[0], kind);
		EXPECT_EQ(buf[1], 20);
		expect_v6(parse(Bytes(buf, buf + 20)), 443, "2001:db8::1:2", kind);
	}
}

TEST(ToaBuild, NoFamilyWritesNothing)
{
	toa_data in{};
	std::uint8_t buf[TOA_LEN_V6];
	std::memset(buf, 9, sizeof(buf));
	EXPECT_EQ(toa_build(buf, &in, TOA_KIND), 0u);
	for (auto b : buf)
		EXPECT_EQ(b, 9);
}

// --- the NAT64 getsockopt struct ----------------------------------------------------------

TEST(ToaNat64Peer, LayoutMatchesTheDeployedStruct)
{
	struct deployed {
		in6_addr saddr;
		std::uint16_t sport;
	};
	EXPECT_EQ(sizeof(toa_nat64_peer), sizeof(deployed));
	EXPECT_EQ(offsetof(toa_nat64_peer, saddr), offsetof(deployed, saddr));
	EXPECT_EQ(offsetof(toa_nat64_peer, sport), offsetof(deployed, sport));
	EXPECT_EQ(TOA_SO_GET_LOOKUP, 4096);
}

// --- never reads past the options, whatever they are ------------------------------------

TEST(ToaParse, RandomOptionsStayInBoundsAndAreConsistent)
{
	std::mt19937 rng(20240603);
	// Bias towards interesting bytes so that TOAs and edge lengths come up often.
	const std::uint8_t interesting[] = {0, 1, 2, 3, 4, 8, 10, 18, 20, 24, 40, 253, 254, 255, 0xf9, 0x89};
	toa_kinds def;
	toa_kinds_default(&def);
	unsigned found = 0, malformed = 0;
	for (int iter = 0; iter < 200000; iter++) {
		std::size_t len = rng() % (TOA_MAX_OPTLEN + 1);
		Bytes b(len);
		for (auto &x : b)
			x = (rng() % 3) ? interesting[rng() % sizeof(interesting)]
					: static_cast<std::uint8_t>(rng());
		// A quarter of the time, plant a real TOA somewhere in the noise.
		if (rng() % 4 == 0) {
			Bytes t = (rng() & 1) ? toa4 : toa6((rng() & 1) ? 254 : 253);
			if (t.size() <= len) {
				std::size_t at = rng() % (len - t.size() + 1);
				std::copy(t.begin(), t.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
				for (std::size_t i = 0; i < at; i++)
					if (rng() % 2)
						b[i] = 1;
			}
		}
		bool syn = rng() & 1;
		Parsed p = parse(b, syn);
		if (p.result == TOA_PARSE_FOUND) {
			found++;
			EXPECT_TRUE(p.toa.family == TOA_FAMILY_IPV4 || p.toa.family == TOA_FAMILY_IPV6);
			EXPECT_TRUE(p.toa.kind == 254 || p.toa.kind == 253);
			if (p.toa.family == TOA_FAMILY_IPV4) {
				EXPECT_NE(p.toa.kind, 253);
			}
		} else {
			EXPECT_TRUE(cleared(p.toa));
			if (toa_parse_malformed(p.result))
				malformed++;
		}
		// The same bytes followed by anything parse the same up to len: the
		// parser must not have looked further.
		Bytes longer = b;
		longer.push_back(254);
		longer.push_back(8);
		toa_data t2;
		auto r2 = toa_parse_options(longer.data(), static_cast<unsigned>(len), syn, &def, &t2);
		EXPECT_EQ(r2, p.result);
	}
	// The generator must actually reach both outcomes.
	EXPECT_GT(found, 100u);
	EXPECT_GT(malformed, 1000u);
}

}  // namespace
