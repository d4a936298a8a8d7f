// keepalived's lvs_notify_fifo lines: what is understood (for the log), that nothing
// breaks on anything else, and how bytes become lines.
#include <gtest/gtest.h>

#include <string>

#include "notify.hpp"

using namespace mirror;

TEST(Notify, KeepalivedLines)
{
	EXPECT_EQ(parse_notify_line("RS [203.0.113.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN"),
		  (NotifyEvent{"RS", "[203.0.113.11]:tcp:80 [192.0.2.10]:tcp:80", false}));
	EXPECT_EQ(parse_notify_line("VS [192.0.2.10]:tcp:80 UP"), (NotifyEvent{"VS", "[192.0.2.10]:tcp:80", true}));
	EXPECT_EQ(parse_notify_line("VS [2001:db8::10]:udp:53 DOWN\r"),
		  (NotifyEvent{"VS", "[2001:db8::10]:udp:53", false}));
	EXPECT_EQ(parse_notify_line("  VS fwmark:7 UP  "), (NotifyEvent{"VS", "fwmark:7", true}));
}

TEST(Notify, AnythingElseIsToleratedNotUnderstood)
{
	for (const char *l : {"", " ", "UP", "VS UP", "VS  UP", "INSTANCE \"VI_1\" MASTER 100", "RS x MAYBE",
			      "XX [192.0.2.10]:tcp:80 UP", "\x01\x02\xff garbage", "VS [192.0.2.10]:tcp:80 up"})
		EXPECT_FALSE(parse_notify_line(l)) << l;
	const std::string huge(100000, 'x');
	EXPECT_FALSE(parse_notify_line(huge));
}

TEST(Notify, LineBuffer)
{
	LineBuffer b;
	b.feed("VS [192.0.2.10]:tcp:80 UP\nRS [203.0.");
	EXPECT_EQ(b.take(), (std::vector<std::string>{"VS [192.0.2.10]:tcp:80 UP"}));
	EXPECT_TRUE(b.take().empty());
	b.feed("113.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN\n\n");
	EXPECT_EQ(b.take(), (std::vector<std::string>{"RS [203.0.113.11]:tcp:80 [192.0.2.10]:tcp:80 DOWN", ""}));
}

TEST(Notify, LineBufferIsBounded)
{
	LineBuffer b;
	b.feed(std::string(LineBuffer::kMaxLine * 2 + 10, 'x'));
	const auto got = b.take();
	ASSERT_EQ(got.size(), 2u);
	EXPECT_EQ(got[0].size(), LineBuffer::kMaxLine);
	b.feed("\n");
	ASSERT_EQ(b.take().at(0).size(), 10u);
}
