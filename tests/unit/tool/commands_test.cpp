// The command/option table: its contents as data, check_options against it, and the
// parser consulting it for every (command, option) pair.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "commands.hpp"
#include "parser.hpp"
#include "test_support.hpp"

using namespace fnat;

namespace {

// A minimal legal command line for each command (every '+' option given).
std::vector<std::string> minimal(Cmd c)
{
	switch (c) {
	case Cmd::AddService: return {"-A", "-t", "192.0.2.10:80"};
	case Cmd::EditService: return {"-E", "-t", "192.0.2.10:80"};
	case Cmd::DelService: return {"-D", "-t", "192.0.2.10:80"};
	case Cmd::Flush: return {"-C"};
	case Cmd::List: return {"-L"};
	case Cmd::AddDest: return {"-a", "-t", "192.0.2.10:80", "-r", "203.0.113.11"};
	case Cmd::EditDest: return {"-e", "-t", "192.0.2.10:80", "-r", "203.0.113.11"};
	case Cmd::DelDest: return {"-d", "-t", "192.0.2.10:80", "-r", "203.0.113.11"};
	case Cmd::SetTimeout: return {"--set", "900", "120", "300"};
	case Cmd::Restore: return {"-R"};
	case Cmd::Save: return {"-S"};
	case Cmd::Zero: return {"-Z"};
	// Without -t|-u: the namespace's default pool.
	case Cmd::AddLaddr: return {"-P", "-z", "203.0.113.100"};
	case Cmd::DelLaddr: return {"-Q", "-z", "203.0.113.100"};
	case Cmd::GetLaddr: return {"-G"};
	case Cmd::Prometheus: return {"--prometheus"};
	case Cmd::StartDaemon: return {"--start-daemon", "master", "--mcast-interface", "sync0"};
	case Cmd::StopDaemon: return {"--stop-daemon", "backup"};
	case Cmd::Count: break;
	}
	return {};
}

// The words that give option o.
std::vector<std::string> flag(Opt o)
{
	switch (o) {
	case Opt::Numeric: return {"-n"};
	case Opt::Connection: return {"-c"};
	case Opt::Service: return {"-t", "192.0.2.10:80"};
	case Opt::Scheduler: return {"-s", "rr"};
	case Opt::Persistent: return {"-p", "60"};
	case Opt::Netmask: return {"-M", "24"};
	case Opt::SynProxy: return {"-j"};
	case Opt::RealServer: return {"-r", "203.0.113.11"};
	case Opt::Forward: return {"-b"};
	case Opt::Weight: return {"-w", "2"};
	case Opt::UThreshold: return {"-x", "10"};
	case Opt::LThreshold: return {"-y", "5"};
	case Opt::Laddr: return {"-z", "203.0.113.100"};
	case Opt::Timeout: return {"--timeout"};
	case Opt::Stats: return {"--stats"};
	case Opt::Rate: return {"--rate"};
	case Opt::Exact: return {"--exact"};
	case Opt::Sort: return {"--sort"};
	case Opt::Json: return {"--json"};
	case Opt::DestCheck: return {"--dest-check"};
	case Opt::Daemon: return {"--daemon"};
	case Opt::McastIfn: return {"--mcast-interface", "sync0"};
	case Opt::Syncid: return {"--syncid", "7"};
	case Opt::SyncPeer: return {"--sync-peer", "198.51.100.130"};
	case Opt::McastGroup: return {"--mcast-group", "239.255.88.82"};
	case Opt::McastPort: return {"--mcast-port", "8851"};
	case Opt::McastTtl: return {"--mcast-ttl", "2"};
	case Opt::SyncKeyFile: return {"--sync-key-file", "/etc/ipvs-fnat/sync.key"};
	case Opt::SyncThreshold: return {"--sync-threshold", "4"};
	case Opt::Peer: return {"--peer"};
	case Opt::Count: break;
	}
	return {};
}

std::vector<std::string> without(std::vector<std::string> args, Opt o)
{
	const std::vector<std::string> f = flag(o);
	for (std::size_t i = 0; i + f.size() <= args.size(); i++)
		if (std::equal(f.begin(), f.end(), args.begin() + static_cast<std::ptrdiff_t>(i))) {
			args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
				   args.begin() + static_cast<std::ptrdiff_t>(i + f.size()));
			return args;
		}
	return args;
}

ParseResult parse(const std::vector<std::string> &args)
{
	static const test::FakeResolver resolver;
	return parse_command_line(args, resolver);
}

std::string error_of(const ParseResult &r)
{
	if (auto *e = std::get_if<ParseError>(&r))
		return e->message;
	return "";
}

}  // namespace

TEST(CommandTable, IpvsadmRowsAsData)
{
	// The rows ipvsadm has, with the same meaning; spot checks of the data itself.
	EXPECT_EQ(legality(Cmd::AddService, Opt::Service), '+');
	EXPECT_EQ(legality(Cmd::AddService, Opt::Scheduler), '.');
	EXPECT_EQ(legality(Cmd::AddService, Opt::RealServer), 'x');
	EXPECT_EQ(legality(Cmd::AddDest, Opt::RealServer), '+');
	EXPECT_EQ(legality(Cmd::AddDest, Opt::Forward), '.');
	EXPECT_EQ(legality(Cmd::DelDest, Opt::Weight), 'x');
	EXPECT_EQ(legality(Cmd::List, Opt::Service), '.');
	EXPECT_EQ(legality(Cmd::Save, Opt::Numeric), '.');
	EXPECT_EQ(legality(Cmd::Zero, Opt::Service), '.');
	EXPECT_EQ(legality(Cmd::AddLaddr, Opt::Laddr), '+');
	EXPECT_EQ(legality(Cmd::GetLaddr, Opt::Json), '.');
	EXPECT_EQ(legality(Cmd::Flush, Opt::Numeric), 'x');
	EXPECT_EQ(command_name(Cmd::DelDest), "delete-server");
	EXPECT_EQ(option_name(Opt::Service), "service-address");
}

TEST(CommandTable, SynProxyWithAddAndEditServiceOnly)
{
	EXPECT_EQ(option_name(Opt::SynProxy), "synproxy");
	for (std::size_t i = 0; i < kNumCmds; i++) {
		const Cmd c = static_cast<Cmd>(i);
		const bool service_edit = c == Cmd::AddService || c == Cmd::EditService;
		EXPECT_EQ(legality(c, Opt::SynProxy), service_edit ? '.' : 'x') << command_name(c);
	}
	EXPECT_EQ(check_options(Cmd::EditService, bits(Opt::Service, Opt::Scheduler, Opt::Persistent, Opt::SynProxy)),
		  std::nullopt);
	EXPECT_EQ(check_options(Cmd::Save, bit(Opt::SynProxy)), "Illegal 'synproxy' option with the 'save' command");
}

TEST(CommandTable, DestCheckWithAddAndEditServiceOnly)
{
	EXPECT_EQ(option_name(Opt::DestCheck), "dest-check");
	for (std::size_t i = 0; i < kNumCmds; i++) {
		const Cmd c = static_cast<Cmd>(i);
		const bool service_edit = c == Cmd::AddService || c == Cmd::EditService;
		EXPECT_EQ(legality(c, Opt::DestCheck), service_edit ? '.' : 'x') << command_name(c);
	}
	EXPECT_EQ(check_options(Cmd::AddService, bits(Opt::Service, Opt::SynProxy, Opt::DestCheck)), std::nullopt);
	EXPECT_EQ(check_options(Cmd::AddDest, bits(Opt::Service, Opt::RealServer, Opt::DestCheck)),
		  "Illegal 'dest-check' option with the 'add-server' command");
}

TEST(CommandTable, LaddrServiceIsOptionalForTheDefaultPool)
{
	EXPECT_EQ(legality(Cmd::AddLaddr, Opt::Service), '.');
	EXPECT_EQ(legality(Cmd::DelLaddr, Opt::Service), '.');
	EXPECT_EQ(check_options(Cmd::AddLaddr, bit(Opt::Laddr)), std::nullopt);
	EXPECT_EQ(check_options(Cmd::DelLaddr, bits(Opt::Service, Opt::Laddr)), std::nullopt);
}

TEST(CommandTable, PrometheusTakesNumericOnly)
{
	for (std::size_t j = 0; j < kNumOpts; j++) {
		const Opt o = static_cast<Opt>(j);
		EXPECT_EQ(legality(Cmd::Prometheus, o), o == Opt::Numeric ? '.' : 'x') << option_name(o);
	}
	EXPECT_EQ(command_name(Cmd::Prometheus), "prometheus");
}

TEST(CommandTable, CheckOptionsSpeaksIpvsadm)
{
	EXPECT_EQ(check_options(Cmd::AddService, 0),
		  "You need to supply the 'service-address' option for the 'add-service' command");
	EXPECT_EQ(check_options(Cmd::AddService, bits(Opt::Service, Opt::Weight)),
		  "Illegal 'weight' option with the 'add-service' command");
	EXPECT_EQ(check_options(Cmd::List, bits(Opt::Connection, Opt::Stats)),
		  "The option 'stats' conflicts with the 'connection' option in the 'list' command");
	EXPECT_EQ(check_options(Cmd::List, bits(Opt::Service, Opt::Timeout)),
		  "The option 'timeout' conflicts with the 'service-address' option in the 'list' command");
	EXPECT_EQ(check_options(Cmd::List, bits(Opt::Stats, Opt::Rate)),
		  "The option 'rate' conflicts with the 'stats' option in the 'list' command");
	EXPECT_EQ(check_options(Cmd::List, bits(Opt::Service, Opt::Stats, Opt::Exact, Opt::Numeric, Opt::Sort)),
		  std::nullopt);
	EXPECT_EQ(check_options(Cmd::List, bits(Opt::Connection, Opt::Numeric, Opt::Json)), std::nullopt);
	EXPECT_EQ(check_options(Cmd::AddDest, bits(Opt::Service, Opt::RealServer, Opt::Forward, Opt::Weight,
						   Opt::UThreshold, Opt::LThreshold)),
		  std::nullopt);
}

// Every (command, option) pair through the real parser: '+' options missing are
// demanded, 'x' options refused with ipvsadm's message, '.' options accepted.
class CommandTableRow : public ::testing::TestWithParam<Cmd> {};

TEST_P(CommandTableRow, ParserFollowsTheTable)
{
	const Cmd c = GetParam();
	const std::vector<std::string> base = minimal(c);
	ASSERT_EQ(error_of(parse(base)), "") << command_name(c);
	for (std::size_t j = 0; j < kNumOpts; j++) {
		const Opt o = static_cast<Opt>(j);
		const char want = legality(c, o);
		SCOPED_TRACE(std::string(command_name(c)) + " / " + std::string(option_name(o)));
		if (want == '+') {
			EXPECT_EQ(error_of(parse(without(base, o))), "You need to supply the '" + std::string(option_name(o)) +
									     "' option for the '" +
									     std::string(command_name(c)) + "' command");
			continue;
		}
		std::vector<std::string> args = base;
		for (auto &w : flag(o))
			args.push_back(w);
		const std::string err = error_of(parse(args));
		if (want == 'x')
			EXPECT_EQ(err, "Illegal '" + std::string(option_name(o)) + "' option with the '" +
					       std::string(command_name(c)) + "' command");
		else
			EXPECT_EQ(err, "");
	}
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, CommandTableRow,
			 ::testing::Values(Cmd::AddService, Cmd::EditService, Cmd::DelService, Cmd::Flush, Cmd::List,
					   Cmd::AddDest, Cmd::EditDest, Cmd::DelDest, Cmd::SetTimeout, Cmd::Restore,
					   Cmd::Save, Cmd::Zero, Cmd::AddLaddr, Cmd::DelLaddr, Cmd::GetLaddr,
					   Cmd::Prometheus, Cmd::StartDaemon, Cmd::StopDaemon),
			 [](const ::testing::TestParamInfo<Cmd> &i) {
				 std::string n(command_name(i.param));
				 for (char &ch : n)
					 if (ch == '-')
						 ch = '_';
				 return n;
			 });

TEST(CommandTable, ListExclusiveGroupsThroughTheParser)
{
	const Opt listing[] = {Opt::Connection, Opt::Service, Opt::Timeout, Opt::Stats, Opt::Rate};
	for (Opt a : listing)
		for (Opt b : listing) {
			if (a >= b)
				continue;
			std::vector<std::string> args = {"-L"};
			for (auto &w : flag(a))
				args.push_back(w);
			for (auto &w : flag(b))
				args.push_back(w);
			bool shares_group = false;
			for (OptMask g : rule(Cmd::List).exclusive)
				shares_group |= (g & bit(a)) && (g & bit(b));
			SCOPED_TRACE(std::string(option_name(a)) + " + " + std::string(option_name(b)));
			if (shares_group)
				EXPECT_EQ(error_of(parse(args)), "The option '" + std::string(option_name(b)) +
									 "' conflicts with the '" +
									 std::string(option_name(a)) +
									 "' option in the 'list' command");
			else
				EXPECT_EQ(error_of(parse(args)), "");
		}
}
