// The sync daemon commands (--start-daemon, --stop-daemon, -L --daemon): parsing and
// its refusals, the key file's rules, and the whole tool against the fake kernel (what
// is sent, what is listed, that the key is never shown).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <variant>

#include "fnat/uapi.hpp"

#include "keyfile.hpp"
#include "parser.hpp"
#include "test_support.hpp"

using namespace fnat;
using fnat::test::Result;
using fnat::test::Tool;
using fnat::test::words;

namespace {

const test::FakeResolver kResolver;

ParseResult parse_line(const std::string &line) { return parse_command_line(words(line), kResolver); }

Command parsed(const std::string &line)
{
	ParseResult r = parse_line(line);
	if (auto *e = std::get_if<ParseError>(&r))
		ADD_FAILURE() << line << ": " << e->message;
	return std::get<Command>(r);
}

std::string refusal(const std::string &line)
{
	ParseResult r = parse_line(line);
	if (auto *e = std::get_if<ParseError>(&r))
		return e->message;
	return "(accepted)";
}

// A file under the test's temporary directory with the given content and mode.
std::string key_file(const std::string &name, const std::string &content, mode_t mode = 0600)
{
	const std::string path = ::testing::TempDir() + "fnat-key-" + name + "-" + std::to_string(getpid());
	std::remove(path.c_str());
	std::ofstream(path, std::ios::binary) << content;
	chmod(path.c_str(), mode);
	return path;
}

}  // namespace

TEST(DaemonParse, MasterWithEveryOption)
{
	const Command c = parsed(
		"--start-daemon master --mcast-interface sync0 --syncid 7 --mcast-group 239.1.2.3 --mcast-port 9000 "
		"--mcast-ttl 4 --sync-key-file /k --sync-threshold 5");
	EXPECT_EQ(c.cmd, Cmd::StartDaemon);
	EXPECT_EQ(c.daemon.state, IPVS_FNAT_DAEMON_MASTER);
	EXPECT_EQ(c.daemon.mcast_ifn, "sync0");
	EXPECT_EQ(c.daemon.syncid, 7u);
	EXPECT_EQ(c.daemon.group, Address::parse("239.1.2.3"));
	EXPECT_EQ(c.daemon.port, 9000);
	EXPECT_EQ(c.daemon.ttl, 4);
	EXPECT_EQ(c.daemon.threshold, 5u);
	EXPECT_EQ(c.key_file, "/k");
	EXPECT_TRUE(c.daemon.peers.empty());
}

TEST(DaemonParse, BackupWithPeersAndDefaultsLeftToTheKernel)
{
	const Command c =
		parsed("--start-daemon backup --mcast-interface eth1 --sync-peer 2001:db8::1 --sync-peer 2001:db8::2");
	EXPECT_EQ(c.daemon.state, IPVS_FNAT_DAEMON_BACKUP);
	ASSERT_EQ(c.daemon.peers.size(), 2u);
	EXPECT_EQ(c.daemon.peers[1], *Address::parse("2001:db8::2"));
	EXPECT_FALSE(c.daemon.syncid);
	EXPECT_FALSE(c.daemon.port);
	EXPECT_FALSE(c.daemon.ttl);
	EXPECT_FALSE(c.daemon.group);
	EXPECT_FALSE(c.daemon.threshold);
	EXPECT_TRUE(c.key_file.empty());
}

TEST(DaemonParse, StopAndList)
{
	EXPECT_EQ(parsed("--stop-daemon backup").daemon_state, IPVS_FNAT_DAEMON_BACKUP);
	const Command l = parsed("-L --daemon --stats");
	EXPECT_EQ(l.cmd, Cmd::List);
	EXPECT_TRUE(l.has(Opt::Daemon));
}

TEST(DaemonParse, Refusals)
{
	std::string sixteen = "--start-daemon master --mcast-interface s";
	for (int i = 1; i <= 17; i++)
		sixteen += " --sync-peer 198.51.100." + std::to_string(i);
	const struct {
		std::string line, message;
	} cases[] = {
		{"--start-daemon primary --mcast-interface s",
		 "illegal start-daemon parameter `primary' specified: master or backup"},
		{"--stop-daemon both", "illegal stop-daemon parameter `both' specified: master or backup"},
		{"--start-daemon master", "You need to supply the 'mcast-interface' option for the 'start-daemon' command"},
		{"--start-daemon master --mcast-interface a/b", "illegal mcast-interface `a/b' specified"},
		{"--start-daemon master --mcast-interface abcdefghijklmnop", "illegal mcast-interface `abcdefghijklmnop' specified"},
		{"--start-daemon master --mcast-interface s --syncid 256", "illegal syncid `256' specified: 0..255"},
		{"--start-daemon master --mcast-interface s --syncid x", "illegal syncid `x' specified: 0..255"},
		{"--start-daemon master --mcast-interface s --mcast-port 0", "illegal mcast-port `0' specified: 1..65535"},
		{"--start-daemon master --mcast-interface s --mcast-ttl 0", "illegal mcast-ttl `0' specified: 1..255"},
		{"--start-daemon master --mcast-interface s --mcast-group 192.0.2.1",
		 "illegal mcast-group `192.0.2.1' specified: a multicast address"},
		{"--start-daemon master --mcast-interface s --sync-peer 239.1.1.1",
		 "illegal sync-peer `239.1.1.1' specified: a unicast address"},
		{"--start-daemon master --mcast-interface s --sync-peer 0.0.0.0",
		 "illegal sync-peer `0.0.0.0' specified: a unicast address"},
		{"--start-daemon master --mcast-interface s --sync-peer 192.0.2.1 --sync-peer 2001:db8::1",
		 "illegal sync-peer `2001:db8::1' specified: the peers must be of one family"},
		{"--start-daemon master --mcast-interface s --sync-peer 192.0.2.1 --sync-peer 192.0.2.1",
		 "sync-peer `192.0.2.1' given twice"},
		{sixteen, "too many sync-peer options (at most 16)"},
		{"--start-daemon master --mcast-interface s --sync-peer 192.0.2.1 --mcast-group 239.1.1.1",
		 "The option 'mcast-group' conflicts with the 'sync-peer' option in the 'start-daemon' command"},
		{"--start-daemon backup --mcast-interface s --sync-threshold 3",
		 "option `--sync-threshold' is a master's setting, not a backup's"},
		{"--start-daemon master --mcast-interface s --sync-threshold 0", "illegal sync-threshold `0' specified: 1..255"},
		{"--stop-daemon master --mcast-interface s", "Illegal 'mcast-interface' option with the 'stop-daemon' command"},
		{"-A -t 192.0.2.10:80 --syncid 1", "Illegal 'syncid' option with the 'add-service' command"},
	};
	for (const auto &c : cases)
		EXPECT_EQ(refusal(c.line), c.message) << c.line;
}

TEST(SyncKeyFile, Rules)
{
	const std::string k32(32, 'k');
	EXPECT_EQ(read_sync_key(key_file("ok", k32)).bytes().size(), 32u);
	EXPECT_EQ(read_sync_key(key_file("nl", k32 + "\n")).bytes().size(), 32u) << "one newline is not the key's";
	EXPECT_EQ(read_sync_key(key_file("nl2", k32 + "\n\n")).bytes().size(), 33u) << "only one is stripped";
	EXPECT_EQ(read_sync_key(key_file("min", std::string(16, 'k'))).bytes().size(), 16u);
	EXPECT_EQ(read_sync_key(key_file("max", std::string(64, 'k'))).bytes().size(), 64u);
	const struct {
		std::string name, content;
		mode_t mode;
		std::string why;
	} bad[] = {
		{"short", std::string(15, 'k'), 0600, "the key must be 16 to 64 bytes"},
		{"long", std::string(65, 'k'), 0600, "the key must be 16 to 64 bytes"},
		{"huge", std::string(4096, 'k'), 0600, "the key must be 16 to 64 bytes"},
		{"empty", "", 0600, "the key must be 16 to 64 bytes"},
		{"group", k32, 0640, "readable or writable by group or others"},
		{"other", k32, 0604, "readable or writable by group or others"},
	};
	for (const auto &b : bad) {
		try {
			read_sync_key(key_file(b.name, b.content, b.mode));
			ADD_FAILURE() << b.name << " accepted";
		} catch (const std::runtime_error &e) {
			EXPECT_NE(std::string(e.what()).find(b.why), std::string::npos) << b.name << ": " << e.what();
		}
	}
	EXPECT_THROW(read_sync_key("/nonexistent/key"), std::runtime_error);
	EXPECT_THROW(read_sync_key(::testing::TempDir()), std::runtime_error) << "a directory";
}

TEST(DaemonTool, StartListStopWithTheKeyNeverShown)
{
	Tool t;
	const std::string key = "0123456789abcdef0123456789abcdef";
	const std::string path = key_file("tool", key + "\n");
	Result r = t("--start-daemon master --mcast-interface sync0 --syncid 3 --sync-key-file " + path);
	ASSERT_EQ(r.rc, 0) << r.err;
	EXPECT_EQ(std::string(t.kernel.last_daemon_key.begin(), t.kernel.last_daemon_key.end()), key);
	r = t("--start-daemon backup --mcast-interface sync0 --sync-peer 198.51.100.1 --sync-peer 198.51.100.2");
	ASSERT_EQ(r.rc, 0) << r.err;

	r = t("-L --daemon");
	EXPECT_EQ(r.rc, 0);
	EXPECT_EQ(r.out,
		  "master sync daemon (mcast=sync0, syncid=3, group=239.255.88.82, port=8850, ttl=1, key=set, threshold=3)\n"
		  "backup sync daemon (mcast=sync0, syncid=0, peers=198.51.100.1,198.51.100.2, port=8850, ttl=1, key=none)\n");
	t.kernel.running[0].stats[0] = 42;
	r = t("-L --daemon --stats");
	EXPECT_NE(r.out.find("\n  tx_msgs 42\n"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("\n  auth_fail 0\n"), std::string::npos) << r.out;
	r = t("-L --daemon --json");
	EXPECT_EQ(r.rc, 0);
	EXPECT_NE(r.out.find("\"key_set\": true"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("\"key_set\": false"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("\"198.51.100.2\""), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("\"tx_msgs\": 42"), std::string::npos) << r.out;
	for (const std::string &listing : {t("-L --daemon --stats").out, r.out})
		EXPECT_EQ(listing.find(key.substr(0, 8)), std::string::npos) << "the key is listed";

	// A backup tells whether it holds its masters' connections, and which.
	fnat::Daemon &b = t.kernel.running[1];
	b.synced = false;
	fnat::SyncMaster m1, m2;
	m1.syncid = 1;
	m1.addr = *fnat::Address::parse("203.0.113.1");
	m1.synced = true;
	m1.heard_ms = 120;
	m2.syncid = 2;
	m2.addr = *fnat::Address::parse("203.0.113.2");
	m2.heard_ms = 830;
	b.masters = {m1, m2};
	r = t("-L --daemon");
	EXPECT_NE(r.out.find("key=none, synced=no)\n"
			     "  from master 203.0.113.1 syncid 1: synced, heard 120 ms ago\n"
			     "  from master 203.0.113.2 syncid 2: resyncing, heard 830 ms ago\n"),
		  std::string::npos)
		<< r.out;
	r = t("-L --daemon --json");
	EXPECT_NE(r.out.find("\"synced\": false"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("\"heard_ms\": 830"), std::string::npos) << r.out;

	r = t("--start-daemon master --mcast-interface sync0");
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("a master sync daemon is already running"), std::string::npos) << r.err;
	EXPECT_EQ(t("--stop-daemon master").rc, 0);
	r = t("--stop-daemon master");
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("no master sync daemon is running"), std::string::npos) << r.err;
	EXPECT_EQ(t("--stop-daemon backup").rc, 0);
	EXPECT_EQ(t("-L --daemon").out, "");
}

TEST(DaemonTool, ABadKeyFileStartsNothing)
{
	Tool t;
	const Result r = t("--start-daemon master --mcast-interface sync0 --sync-key-file " +
			   key_file("bad", std::string(32, 'k'), 0644));
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("readable or writable by group or others"), std::string::npos) << r.err;
	EXPECT_TRUE(t.kernel.running.empty());
}

TEST(DaemonTool, UnprivilegedIsRefused)
{
	Tool t;
	t.kernel.privileged = false;
	for (const char *line : {"--start-daemon master --mcast-interface s", "--stop-daemon master", "-L --daemon"}) {
		const Result r = t(line);
		EXPECT_EQ(r.rc, 1) << line;
		EXPECT_EQ(r.err, "Permission denied (you must be root)\n") << line;
	}
}
