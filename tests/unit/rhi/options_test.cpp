#include <gtest/gtest.h>

#include "options.hpp"

using namespace rhi;

TEST(RhiOptions, DefaultsAndEveryOption)
{
	const ParseResult d = parse_options({});
	ASSERT_EQ(d.what, ParseResult::What::Run);
	EXPECT_EQ(d.opts.interface, "rhi0");
	EXPECT_EQ(d.opts.interval_ms, kIntervalDefault);
	EXPECT_EQ(d.opts.require, Require::Any);

	const ParseResult r = parse_options({"--interface", "vips", "--interval=50", "--require", "all", "--vip",
					     "192.0.2.10", "--vip=2001:db8:10::10", "--once", "--keep-on-exit", "--verbose"});
	ASSERT_EQ(r.what, ParseResult::What::Run) << r.error;
	EXPECT_EQ(r.opts.interface, "vips");
	EXPECT_EQ(r.opts.interval_ms, 50u);
	EXPECT_EQ(r.opts.require, Require::All);
	ASSERT_EQ(r.opts.vips.size(), 2u);
	EXPECT_EQ(r.opts.vips[1].str(), "2001:db8:10::10");
	EXPECT_TRUE(r.opts.once && r.opts.keep_on_exit && r.opts.verbose);
	EXPECT_FALSE(r.opts.sync_wait);

	const ParseResult w = parse_options({"--sync-wait", "--sync-timeout=30", "--lips"});
	ASSERT_EQ(w.what, ParseResult::What::Run) << w.error;
	EXPECT_TRUE(w.opts.sync_wait && w.opts.lips);
	EXPECT_EQ(w.opts.sync_timeout_s, 30u);
	EXPECT_EQ(parse_options({"--help"}).what, ParseResult::What::Help);
	EXPECT_EQ(parse_options({"--version"}).what, ParseResult::What::Version);
	EXPECT_EQ(parse_options({"-v"}).what, ParseResult::What::Version);
}

TEST(RhiOptions, BadInputIsAClearError)
{
	const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
		{{"--interval", "5"}, "illegal interval `5': 20..10000 ms"},
		{{"--interval", "x"}, "illegal interval `x'"},
		{{"--require", "some"}, "illegal --require `some': any or all"},
		{{"--vip", "0.0.0.0"}, "illegal VIP `0.0.0.0'"},
		{{"--vip", "239.1.1.1"}, "illegal VIP"},
		{{"--vip", "example"}, "illegal VIP"},
		{{"--interface", "a-name-far-too-long"}, "illegal interface name"},
		{{"--interface"}, "option --interface needs a value"},
		{{"--once=1"}, "option --once takes no value"},
		{{"--sync-wait=1"}, "option --sync-wait takes no value"},
		{{"--sync-wait", "--sync-timeout", "-1"}, "illegal sync timeout `-1': 0..86400 s"},
		{{"--sync-wait", "--sync-timeout", "86401"}, "illegal sync timeout"},
		{{"--sync-timeout", "10"}, "--sync-timeout needs --sync-wait"},
		{{"--frobnicate"}, "unknown option `--frobnicate'"},
	};
	for (const auto &[args, want] : bad) {
		const ParseResult r = parse_options(args);
		EXPECT_EQ(r.what, ParseResult::What::Error) << args[0];
		EXPECT_NE(r.error.find(want), std::string::npos) << args[0] << ": " << r.error;
	}
}
