// The command line: every option, both value spellings, and the refusals.
#include <gtest/gtest.h>

#include "options.hpp"

using namespace mirror;
using What = ParseResult::What;

namespace {

ParseResult P(std::vector<std::string> a) { return parse_options(a); }

}  // namespace

TEST(Options, Defaults)
{
	const ParseResult r = P({"--ipvs-netns", "fnat-shadow"});
	ASSERT_EQ(r.what, What::Run) << r.error;
	Options want;
	want.ipvs_netns = "fnat-shadow";
	EXPECT_EQ(r.opts, want);
	EXPECT_EQ(r.opts.interval_ms, 500u);
	EXPECT_EQ(r.opts.hold_down_ms, 3000u);
	EXPECT_FALSE(r.opts.notify_fifo);
}

TEST(Options, Everything)
{
	const ParseResult r = P({"--ipvs-netns=shadow", "--notify-fifo", "/run/keepalived/lvs.fifo", "--interval=50",
				 "--hold-down", "1500", "--once", "--dest-check", "--synproxy", "--verbose"});
	ASSERT_EQ(r.what, What::Run) << r.error;
	EXPECT_EQ(r.opts, (Options{"shadow", "/run/keepalived/lvs.fifo", 50, 1500, true, true, true, true}));
	EXPECT_EQ(P({"--ipvs-netns", "x", "--interval", "60000"}).opts.interval_ms, 60000u);
	EXPECT_EQ(P({"--ipvs-netns", "x", "--hold-down=0"}).opts.hold_down_ms, 0u);
	EXPECT_EQ(P({"--ipvs-netns", "x", "--hold-down", "600000"}).opts.hold_down_ms, 600000u);
}

TEST(Options, HelpAndVersion)
{
	EXPECT_EQ(P({"-h"}).what, What::Help);
	EXPECT_EQ(P({"--help"}).what, What::Help);
	EXPECT_EQ(P({"-v"}).what, What::Version);
	EXPECT_EQ(P({"--version"}).what, What::Version);
	EXPECT_EQ(P({"--ipvs-netns", "x", "--help"}).what, What::Help);
	EXPECT_EQ(version_text().rfind("ipvs-fnat-mirror v", 0), 0u);
	for (const char *o : {"--ipvs-netns", "--notify-fifo", "--interval", "--hold-down", "--once", "--dest-check", "--synproxy",
			      "--verbose", "--help", "--version"})
		EXPECT_NE(usage_text().find(o), std::string::npos) << o;
}

TEST(Options, Refused)
{
	struct Bad {
		std::vector<std::string> args;
		const char *error;
	};
	const Bad cases[] = {
		{{}, "--ipvs-netns NAME is required (keepalived's net_namespace_ipvs)"},
		{{"--once"}, "--ipvs-netns NAME is required (keepalived's net_namespace_ipvs)"},
		{{"--ipvs-netns"}, "option --ipvs-netns needs a namespace name"},
		{{"--ipvs-netns", "../etc"}, "invalid namespace name '../etc' (a name under /run/netns, as ip netns makes)"},
		{{"--ipvs-netns="}, "invalid namespace name '' (a name under /run/netns, as ip netns makes)"},
		{{"--ipvs-netns", "x", "--interval", "49"}, "--interval 49 out of range (50..60000 ms)"},
		{{"--ipvs-netns", "x", "--interval", "60001"}, "--interval 60001 out of range (50..60000 ms)"},
		{{"--ipvs-netns", "x", "--interval", "5s"}, "invalid --interval '5s': not a number of milliseconds"},
		{{"--ipvs-netns", "x", "--interval", "-1"}, "invalid --interval '-1': not a number of milliseconds"},
		{{"--ipvs-netns", "x", "--interval", ""}, "invalid --interval '': not a number of milliseconds"},
		{{"--ipvs-netns", "x", "--interval"}, "option --interval needs a number of milliseconds"},
		{{"--ipvs-netns", "x", "--interval", "99999999999999999999"},
		 "invalid --interval '99999999999999999999': not a number of milliseconds"},
		{{"--ipvs-netns", "x", "--hold-down", "600001"}, "--hold-down 600001 out of range (0..600000 ms)"},
		{{"--ipvs-netns", "x", "--hold-down", "3s"}, "invalid --hold-down '3s': not a number of milliseconds"},
		{{"--ipvs-netns", "x", "--hold-down", "-1"}, "invalid --hold-down '-1': not a number of milliseconds"},
		{{"--ipvs-netns", "x", "--hold-down="}, "invalid --hold-down '': not a number of milliseconds"},
		{{"--ipvs-netns", "x", "--hold-down"}, "option --hold-down needs a number of milliseconds"},
		{{"--ipvs-netns", "x", "--notify-fifo"}, "option --notify-fifo needs a path"},
		{{"--ipvs-netns", "x", "--once=yes"}, "option --once takes no value"},
		{{"--ipvs-netns", "x", "--bogus"}, "unknown option --bogus"},
		{{"--ipvs-netns", "x", "-q"}, "unknown option -q"},
		{{"--ipvs-netns", "x", "extra"}, "unexpected argument 'extra'"},
	};
	for (const Bad &c : cases) {
		const ParseResult r = P(c.args);
		EXPECT_EQ(r.what, What::Error) << testing::PrintToString(c.args);
		EXPECT_EQ(r.error, c.error) << testing::PrintToString(c.args);
	}
}
