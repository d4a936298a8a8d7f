// The command line into a Command: every command and option, IPv4 and IPv6, names,
// defaults, and bad input (each with its message), table-driven.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "fnat/uapi.hpp"

#include "parser.hpp"
#include "test_support.hpp"

using namespace fnat;
using fnat::test::words;

namespace {

const test::FakeResolver kResolver;

ParseResult parse_line(const std::string &line) { return parse_command_line(words(line), kResolver); }

Address addr(const char *s) { return *Address::parse(s); }

struct ValidCase {
	const char *line;
	std::function<void(const Command &)> check;
};

void PrintTo(const ValidCase &c, std::ostream *os) { *os << c.line; }

class ParseValid : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseValid, Parses)
{
	const ParseResult r = parse_line(GetParam().line);
	if (auto *e = std::get_if<ParseError>(&r))
		FAIL() << "unexpected error: " << e->message;
	GetParam().check(std::get<Command>(r));
}

const ValidCase kValid[] = {
	{"-A -t 192.0.2.10:80 -s rr",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::AddService);
		 EXPECT_EQ(c.svc.proto, Proto::TCP);
		 EXPECT_EQ(c.svc.addr, addr("192.0.2.10"));
		 EXPECT_EQ(c.svc.port, 80);
		 EXPECT_EQ(c.sched, "rr");
		 EXPECT_FALSE(c.has(Opt::Persistent));
		 EXPECT_FALSE(c.has(Opt::SynProxy));
		 EXPECT_FALSE(c.netmask);
	 }},
	{"-A -t 192.0.2.10:80 -j",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::AddService);
		 EXPECT_TRUE(c.has(Opt::SynProxy));
		 EXPECT_FALSE(c.has(Opt::Persistent));
	 }},
	{"--add-service --tcp-service [2001:db8::10]:443 --synproxy -p 60 -M 64",
	 [](const Command &c) {
		 EXPECT_TRUE(c.has(Opt::SynProxy));
		 EXPECT_EQ(c.persistence, 60u);
		 EXPECT_EQ(c.netmask, 64);
	 }},
	{"-A -t 192.0.2.10:80 -p -j",  // -p without a value before -j
	 [](const Command &c) {
		 EXPECT_EQ(c.persistence, 300u);
		 EXPECT_TRUE(c.has(Opt::SynProxy));
	 }},
	{"-Aj -t 192.0.2.10:80",  // bundled with the command
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::AddService);
		 EXPECT_TRUE(c.has(Opt::SynProxy));
	 }},
	{"-E -t 192.0.2.10:80 -s rr -j",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::EditService);
		 EXPECT_TRUE(c.has(Opt::SynProxy));
	 }},
	{"-A -u 192.0.2.10:53",
	 [](const Command &c) {
		 EXPECT_EQ(c.svc.proto, Proto::UDP);
		 EXPECT_EQ(c.svc.port, 53);
		 EXPECT_EQ(c.sched, "wlc");  // ipvsadm's default
	 }},
	{"--add-service --udp-service 192.0.2.10:53 --scheduler sh",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::AddService);
		 EXPECT_EQ(c.svc.proto, Proto::UDP);
		 EXPECT_EQ(c.sched, "sh");
	 }},
	{"-A -t [2001:db8::10]:443 -s mh",
	 [](const Command &c) {
		 EXPECT_EQ(c.svc.addr, addr("2001:db8::10"));
		 EXPECT_EQ(c.svc.af(), AF_INET6);
		 EXPECT_EQ(c.svc.port, 443);
	 }},
	{"-A -t 192.0.2.10:80 -p",
	 [](const Command &c) {
		 EXPECT_TRUE(c.has(Opt::Persistent));
		 EXPECT_EQ(c.persistence, 300u);  // the default timeout
	 }},
	{"-A -t 192.0.2.10:80 -p 600 -M 255.255.255.0",
	 [](const Command &c) {
		 EXPECT_EQ(c.persistence, 600u);
		 EXPECT_EQ(c.netmask, 24);
	 }},
	{"-A -t 192.0.2.10:80 -p -s rr",  // -p without a value before another option
	 [](const Command &c) {
		 EXPECT_EQ(c.persistence, 300u);
		 EXPECT_EQ(c.sched, "rr");
	 }},
	{"-A -t 192.0.2.10:80 --persistent=31536000",
	 [](const Command &c) { EXPECT_EQ(c.persistence, 31536000u); }},
	{"-A -t [2001:db8::10]:80 -p 60 -M 64", [](const Command &c) { EXPECT_EQ(c.netmask, 64); }},
	{"-A -M 16 -t 192.0.2.10:80 -p",  // -M before -t: the family is known at the end
	 [](const Command &c) { EXPECT_EQ(c.netmask, 16); }},
	{"-E -t 192.0.2.10:80",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::EditService);
		 EXPECT_EQ(c.sched, "wlc");
	 }},
	{"-D -t 192.0.2.10:80", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::DelService); }},
	{"--delete-service -u [2001:db8::10]:53",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::DelService);
		 EXPECT_EQ(c.svc.proto, Proto::UDP);
	 }},
	{"-C", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::Flush); }},
	{"--clear", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::Flush); }},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11:8080 -b -w 5 -x 100 -y 50",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::AddDest);
		 EXPECT_EQ(c.dest_addr, addr("203.0.113.11"));
		 EXPECT_EQ(c.dest_port, 8080);
		 EXPECT_TRUE(c.has(Opt::Forward));
		 EXPECT_EQ(c.weight, 5u);
		 EXPECT_EQ(c.u_thresh, 100u);
		 EXPECT_EQ(c.l_thresh, 50u);
	 }},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11",
	 [](const Command &c) {
		 EXPECT_EQ(c.dest_port, 80);  // the service's port
		 EXPECT_EQ(c.weight, 1u);     // ipvsadm's default weight
		 EXPECT_EQ(c.u_thresh, 0u);
		 EXPECT_EQ(c.l_thresh, 0u);
	 }},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11:0", [](const Command &c) { EXPECT_EQ(c.dest_port, 80); }},
	{"--add-server --tcp-service 192.0.2.10:80 --real-server 203.0.113.11 --fullnat --weight 0",
	 [](const Command &c) { EXPECT_EQ(c.weight, 0u); }},
	{"-a -t [2001:db8::10]:80 -r [2001:db8:5::11]:8080",
	 [](const Command &c) {
		 EXPECT_EQ(c.dest_addr, addr("2001:db8:5::11"));
		 EXPECT_EQ(c.dest_port, 8080);
	 }},
	{"-a -t [2001:db8::10]:80 -r 2001:db8:5::11",  // bare IPv6: no port
	 [](const Command &c) {
		 EXPECT_EQ(c.dest_addr, addr("2001:db8:5::11"));
		 EXPECT_EQ(c.dest_port, 80);
	 }},
	{"-a -t [2001:db8::10]:80 -r [2001:db8:5::11]", [](const Command &c) { EXPECT_EQ(c.dest_port, 80); }},
	{"-e -t 192.0.2.10:80 -r 203.0.113.11:80 -w 65535",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::EditDest);
		 EXPECT_EQ(c.weight, 65535u);
	 }},
	{"-d -t 192.0.2.10:80 -r 203.0.113.11", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::DelDest); }},
	{"-P -t 192.0.2.10:80 -z 203.0.113.100",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::AddLaddr);
		 EXPECT_EQ(c.laddr, addr("203.0.113.100"));
	 }},
	{"--add-laddr -t [2001:db8::10]:80 --laddr 2001:db8:5::100",
	 [](const Command &c) { EXPECT_EQ(c.laddr, addr("2001:db8:5::100")); }},
	{"-P -t [2001:db8::10]:80 -z [2001:db8:5::100]",
	 [](const Command &c) { EXPECT_EQ(c.laddr, addr("2001:db8:5::100")); }},
	{"-Q -t 192.0.2.10:80 -z 203.0.113.100", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::DelLaddr); }},
	{"--del-laddr -t 192.0.2.10:80 -z 203.0.113.100",
	 [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::DelLaddr); }},
	{"-P -z 203.0.113.200",  // the default pool
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::AddLaddr);
		 EXPECT_FALSE(c.has(Opt::Service));
		 EXPECT_EQ(c.laddr, addr("203.0.113.200"));
	 }},
	{"--del-laddr --laddr [2001:db8:5::200]",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::DelLaddr);
		 EXPECT_FALSE(c.has(Opt::Service));
		 EXPECT_EQ(c.laddr, addr("2001:db8:5::200"));
	 }},
	{"-A -t 192.0.2.10:80 -j --dest-check",
	 [](const Command &c) {
		 EXPECT_TRUE(c.has(Opt::SynProxy));
		 EXPECT_TRUE(c.has(Opt::DestCheck));
	 }},
	{"-E -u [2001:db8::10]:53 -s rr --dest-check",  // UDP too
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::EditService);
		 EXPECT_TRUE(c.has(Opt::DestCheck));
	 }},
	{"--prometheus", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::Prometheus); }},
	{"--prometheus -n", [](const Command &c) { EXPECT_EQ(c.format, FMT_NUMERIC); }},
	{"-G", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::GetLaddr); }},
	{"--get-laddr -t 192.0.2.10:80 -n --json",
	 [](const Command &c) {
		 EXPECT_TRUE(c.has(Opt::Service));
		 EXPECT_EQ(c.format, FMT_NUMERIC | FMT_JSON);
	 }},
	{"-L", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::List); }},
	{"-l -n", [](const Command &c) { EXPECT_EQ(c.format, FMT_NUMERIC); }},
	{"-Ln", [](const Command &c) {  // bundled short options
		 EXPECT_EQ(c.cmd, Cmd::List);
		 EXPECT_EQ(c.format, FMT_NUMERIC);
	 }},
	{"-L -n --stats --exact --sort",
	 [](const Command &c) { EXPECT_EQ(c.format, FMT_NUMERIC | FMT_STATS | FMT_EXACT | FMT_SORT); }},
	{"--list --rate -t 192.0.2.10:80", [](const Command &c) { EXPECT_EQ(c.format, FMT_RATE); }},
	{"-L --timeout --json",
	 [](const Command &c) {
		 EXPECT_TRUE(c.has(Opt::Timeout));
		 EXPECT_EQ(c.format, FMT_JSON);
	 }},
	{"-L -c -n", [](const Command &c) { EXPECT_TRUE(c.has(Opt::Connection)); }},
	{"-L -n -X", [](const Command &c) { EXPECT_EQ(c.format, FMT_NUMERIC | FMT_EXACT); }},
	{"-Z", [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::Zero);
		 EXPECT_FALSE(c.has(Opt::Service));
	 }},
	{"-Z -u 192.0.2.10:53", [](const Command &c) { EXPECT_TRUE(c.has(Opt::Service)); }},
	{"--set 900 120 300",
	 [](const Command &c) {
		 EXPECT_EQ(c.cmd, Cmd::SetTimeout);
		 EXPECT_EQ(c.timeouts, (std::array<std::uint32_t, 3>{900, 120, 300}));
	 }},
	{"--set 0 0 31536000", [](const Command &c) { EXPECT_EQ(c.timeouts[2], 31536000u); }},
	{"-S", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::Save); }},
	{"-S -n", [](const Command &c) { EXPECT_EQ(c.format, FMT_NUMERIC); }},
	{"-R", [](const Command &c) { EXPECT_EQ(c.cmd, Cmd::Restore); }},
	{"-h", [](const Command &c) { EXPECT_EQ(c.kind, Command::Kind::Help); }},
	{"--help", [](const Command &c) { EXPECT_EQ(c.kind, Command::Kind::Help); }},
	{"-A -t 192.0.2.10:80 -h", [](const Command &c) { EXPECT_EQ(c.kind, Command::Kind::Help); }},
	{"-v", [](const Command &c) { EXPECT_EQ(c.kind, Command::Kind::Version); }},
	{"--version", [](const Command &c) { EXPECT_EQ(c.kind, Command::Kind::Version); }},
	{"", [](const Command &c) {  // no argument: list the table
		 EXPECT_EQ(c.kind, Command::Kind::Run);
		 EXPECT_EQ(c.cmd, Cmd::List);
		 EXPECT_EQ(c.opts, 0u);
	 }},
	{"-At192.0.2.10:80 -srr",  // attached values
	 [](const Command &c) {
		 EXPECT_EQ(c.svc.port, 80);
		 EXPECT_EQ(c.sched, "rr");
	 }},
	{"-A --tcp-service=192.0.2.10:80 --scheduler=wrr", [](const Command &c) { EXPECT_EQ(c.sched, "wrr"); }},
	{"-A -t www.example.test:http",  // names, through the resolver
	 [](const Command &c) {
		 EXPECT_EQ(c.svc.addr, addr("192.0.2.80"));
		 EXPECT_EQ(c.svc.port, 80);
	 }},
	{"-a -t 192.0.2.10:https -r rs1.example.test",
	 [](const Command &c) {
		 EXPECT_EQ(c.svc.port, 443);
		 EXPECT_EQ(c.dest_addr, addr("203.0.113.11"));
		 EXPECT_EQ(c.dest_port, 443);
	 }},
	{"-A -t 192.0.2.10:65535", [](const Command &c) { EXPECT_EQ(c.svc.port, 65535); }},
};

INSTANTIATE_TEST_SUITE_P(Table, ParseValid, ::testing::ValuesIn(kValid));

struct BadCase {
	const char *line;
	const char *message;
	bool try_help;
};

void PrintTo(const BadCase &c, std::ostream *os) { *os << c.line; }

class ParseInvalid : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParseInvalid, IsRefusedWithTheRightMessage)
{
	const ParseResult r = parse_line(GetParam().line);
	const auto *e = std::get_if<ParseError>(&r);
	ASSERT_NE(e, nullptr) << "accepted: " << GetParam().line;
	EXPECT_EQ(e->message, GetParam().message);
	EXPECT_EQ(e->try_help, GetParam().try_help);
}

const BadCase kInvalid[] = {
	{"-A -t 192.0.2.10:80 -m",
	 "option `-m': ipvsadm-fnat does FULLNAT only (-b|--fullnat); use ipvsadm for NAT (-m), direct routing (-g) and tunnelling (-i)",
	 false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -g",
	 "option `-g': ipvsadm-fnat does FULLNAT only (-b|--fullnat); use ipvsadm for NAT (-m), direct routing (-g) and tunnelling (-i)",
	 false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 --ipip",
	 "option `--ipip': ipvsadm-fnat does FULLNAT only (-b|--fullnat); use ipvsadm for NAT (-m), direct routing (-g) and tunnelling (-i)",
	 false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 --masquerading",
	 "option `--masquerading': ipvsadm-fnat does FULLNAT only (-b|--fullnat); use ipvsadm for NAT (-m), direct routing (-g) and tunnelling (-i)",
	 false},
	{"-A -f 1", "option `-f': firewall-mark services are not supported; name the service with -t or -u", false},
	{"-A -t 192.0.2.10", "illegal virtual server address[:port] specified: a FULLNAT service needs a port from 1 to 65535", false},
	{"-A -t 192.0.2.10:0", "illegal virtual server address[:port] specified: a FULLNAT service needs a port from 1 to 65535", false},
	{"-A -t [2001:db8::10]", "illegal virtual server address[:port] specified: a FULLNAT service needs a port from 1 to 65535", false},
	{"-A -t 192.0.2.10:65536", "illegal virtual server address[:port] specified", false},
	{"-A -t 192.0.2.10:", "illegal virtual server address[:port] specified", false},
	{"-A -t 192.0.2.10:-1", "illegal virtual server address[:port] specified", false},
	{"-A -t 192.0.2.300:80", "illegal virtual server address[:port] specified", false},
	{"-A -t 8080", "illegal virtual server address[:port] specified", false},
	{"-A -t :80", "illegal virtual server address[:port] specified", false},
	{"-A -t 2001:db8::10:80:x", "illegal virtual server address[:port] specified", false},
	{"-A -t [2001:db8::10]80", "illegal virtual server address[:port] specified", false},
	{"-A -t [2001:db8::10:80", "illegal virtual server address[:port] specified", false},
	{"-A -t [192.0.2.10]:80", "illegal virtual server address[:port] specified", false},
	{"-A -t nosuchhost.test:80", "illegal virtual server address[:port] specified", false},
	{"-A -t 192.0.2.10:nosuchservice", "illegal virtual server address[:port] specified", false},
	{"-A -t", "option `-t' requires an argument", true},
	{"-A --tcp-service", "option `--tcp-service' requires an argument", true},
	{"-A -t 192.0.2.10:80 -s", "option `-s' requires an argument", true},
	{"-A -t 192.0.2.10:80 -s averyveryverylongname", "illegal scheduler `averyveryverylongname' specified", false},
	{"-A -t 192.0.2.10:80 -p 0", "invalid timeout value `0' specified", false},
	{"-A -t 192.0.2.10:80 -p 31536001", "invalid timeout value `31536001' specified", false},
	{"-A -t 192.0.2.10:80 -p abc", "invalid timeout value `abc' specified", false},
	{"-A -t 192.0.2.10:80 -p 1x", "invalid timeout value `1x' specified", false},
	{"-A -t 192.0.2.10:80 -p -5", "invalid option `-5'", true},
	{"-A -t 192.0.2.10:80 -p -M 255.0.255.0", "illegal virtual server persistent mask specified", false},
	{"-A -t 192.0.2.10:80 -p -M 0.0.0.0", "illegal virtual server persistent mask specified", false},
	{"-A -t 192.0.2.10:80 -p -M 33", "illegal virtual server persistent mask specified", false},
	{"-A -t [2001:db8::10]:80 -p -M 129", "illegal ipv6 netmask specified", false},
	{"-A -t [2001:db8::10]:80 -p -M 0", "illegal ipv6 netmask specified", false},
	{"-A -t [2001:db8::10]:80 -p -M ffff::", "illegal ipv6 netmask specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -w 65536", "illegal weight specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -w -1", "illegal weight specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -w one", "illegal weight specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -w ''", "illegal weight specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -x 2147483648", "illegal u_threshold specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -y 99999999999999999999999", "illegal l_threshold specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.999", "illegal real server address[:port] specified", false},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11:99999", "illegal real server address[:port] specified", false},
	{"-a -t 192.0.2.10:80 -r 2001:db8::11:x", "illegal real server address[:port] specified", false},
	{"-a -t 192.0.2.10:80", "You need to supply the 'real-server' option for the 'add-server' command", false},
	{"-a -r 203.0.113.11", "You need to supply the 'service-address' option for the 'add-server' command", false},
	{"-P -t 192.0.2.10:80", "You need to supply the 'laddr' option for the 'add-laddr' command", false},
	{"-P -t 192.0.2.10:80 -z 203.0.113.100:80", "illegal local address `203.0.113.100:80' specified", false},
	{"-P -t 192.0.2.10:80 -z [2001:db8::1]:80", "illegal local address `[2001:db8::1]:80' specified", false},
	{"-P -t 192.0.2.10:80 -z [203.0.113.100]", "illegal local address `[203.0.113.100]' specified", false},
	{"-Q -t 192.0.2.10:80 -z lip.example.test", "illegal local address `lip.example.test' specified", false},
	{"-A -D -t 192.0.2.10:80", "multiple commands specified", false},
	{"-L -L", "multiple commands specified", false},
	{"-A -t 192.0.2.10:80 -u 192.0.2.10:53", "multiple 'service-address' options specified", false},
	{"-A -t 192.0.2.10:80 -s rr -s wrr", "multiple 'scheduler' options specified", false},
	{"-A -t 192.0.2.10:80 -j --synproxy", "multiple 'synproxy' options specified", false},
	{"-A -u 192.0.2.10:53 -j", "option `-j': the SYN proxy is for TCP services only (-t), not UDP (-u)", false},
	{"-E -u [2001:db8::10]:53 -s rr --synproxy",
	 "option `--synproxy': the SYN proxy is for TCP services only (-t), not UDP (-u)", false},
	{"-A -t 192.0.2.10:80 --synproxy=1", "option `--synproxy' doesn't allow an argument", true},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11 -j", "Illegal 'synproxy' option with the 'add-server' command", false},
	{"-D -u 192.0.2.10:53 -j", "Illegal 'synproxy' option with the 'delete-service' command", false},
	{"-L -j", "Illegal 'synproxy' option with the 'list' command", false},
	{"-L -n -n", "multiple 'numeric' options specified", false},
	{"-A -t 192.0.2.10:80 -w 1", "Illegal 'weight' option with the 'add-service' command", false},
	{"-D -t 192.0.2.10:80 -s rr", "Illegal 'scheduler' option with the 'delete-service' command", false},
	{"-C -t 192.0.2.10:80", "Illegal 'service-address' option with the 'flush' command", false},
	{"-L -c --stats", "The option 'stats' conflicts with the 'connection' option in the 'list' command", false},
	{"-L -c -t 192.0.2.10:80", "The option 'service-address' conflicts with the 'connection' option in the 'list' command", false},
	{"-L --timeout --rate", "The option 'rate' conflicts with the 'timeout' option in the 'list' command", false},
	{"-S --json", "Illegal 'json' option with the 'save' command", false},
	{"-G --stats", "Illegal 'stats' option with the 'get-laddr' command", false},
	{"-P", "You need to supply the 'laddr' option for the 'add-laddr' command", false},
	{"-A -t 192.0.2.10:80 --dest-check --dest-check", "multiple 'dest-check' options specified", false},
	{"-A -t 192.0.2.10:80 --dest-check=1", "option `--dest-check' doesn't allow an argument", true},
	{"-L --dest-check", "Illegal 'dest-check' option with the 'list' command", false},
	{"-S --dest-check", "Illegal 'dest-check' option with the 'save' command", false},
	{"--prometheus -t 192.0.2.10:80", "Illegal 'service-address' option with the 'prometheus' command", false},
	{"--prometheus --stats", "Illegal 'stats' option with the 'prometheus' command", false},
	{"--prometheus -L", "multiple commands specified", false},
	{"--set 900 120", "--set option requires 3 timeout values", false},
	{"--set", "--set option requires 3 timeout values", false},
	{"--set 900 120 300 60", "unexpected argument 60", false},
	{"--set 900 x 300", "invalid timeout value `x' specified", false},
	{"--set 900 120 31536001", "invalid timeout value `31536001' specified", false},
	{"-L extra", "unexpected argument extra", false},
	{"-n", "no command specified", true},
	{"-t 192.0.2.10:80", "no command specified", true},
	{"--frobnicate", "invalid option `--frobnicate'", true},
	{"-L -q", "invalid option `-q'", true},
	{"-Lq", "invalid option `-q'", true},
	{"--stats=1 -L", "option `--stats' doesn't allow an argument", true},
	{"--sctp-service 192.0.2.10:80 -A", "invalid option `--sctp-service'", true},
};

INSTANTIATE_TEST_SUITE_P(Table, ParseInvalid, ::testing::ValuesIn(kInvalid));

}  // namespace

TEST(ParseHostPort, Forms)
{
	struct {
		const char *text;
		const char *addr;  // nullptr: refused
		int port;          // -1: none given
	} cases[] = {
		{"192.0.2.1", "192.0.2.1", -1},
		{"192.0.2.1:80", "192.0.2.1", 80},
		{"192.0.2.1:0", "192.0.2.1", 0},
		{"[2001:db8::1]:80", "2001:db8::1", 80},
		{"[2001:db8::1]", "2001:db8::1", -1},
		{"2001:db8::1", "2001:db8::1", -1},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1", -1},
		{"www.example.test:https", "192.0.2.80", 443},
		{"www.example.test", "192.0.2.80", -1},
		{"", nullptr, 0},
		{"80", nullptr, 0},
		{"[]:80", nullptr, 0},
		{"[2001:db8::1]:", nullptr, 0},
		{"[2001:db8::1]:65536", nullptr, 0},
		{"192.0.2.1:80:80", nullptr, 0},
		{"192.0.2.1: 80", nullptr, 0},
		{"192.0.2.1:+80", nullptr, 0},
		{"nosuch.test", nullptr, 0},
	};
	for (const auto &c : cases) {
		SCOPED_TRACE(c.text);
		auto hp = parse_host_port(c.text, Proto::TCP, kResolver);
		if (!c.addr) {
			EXPECT_FALSE(hp);
			continue;
		}
		ASSERT_TRUE(hp);
		EXPECT_EQ(hp->addr, addr(c.addr));
		if (c.port < 0)
			EXPECT_FALSE(hp->port);
		else
			EXPECT_EQ(hp->port, c.port);
	}
}

TEST(ParseNetmask, IPv4AndIPv6)
{
	EXPECT_EQ(parse_netmask("255.255.255.255", AF_INET), 32);
	EXPECT_EQ(parse_netmask("255.255.255.0", AF_INET), 24);
	EXPECT_EQ(parse_netmask("255.255.128.0", AF_INET), 17);
	EXPECT_EQ(parse_netmask("128.0.0.0", AF_INET), 1);
	EXPECT_EQ(parse_netmask("24", AF_INET), 24);
	EXPECT_EQ(parse_netmask("1", AF_INET), 1);
	EXPECT_FALSE(parse_netmask("0", AF_INET));
	EXPECT_FALSE(parse_netmask("33", AF_INET));
	EXPECT_FALSE(parse_netmask("0.0.0.0", AF_INET));
	EXPECT_FALSE(parse_netmask("255.0.255.0", AF_INET));
	EXPECT_FALSE(parse_netmask("0.255.255.255", AF_INET));
	EXPECT_FALSE(parse_netmask("mask", AF_INET));
	EXPECT_EQ(parse_netmask("128", AF_INET6), 128);
	EXPECT_EQ(parse_netmask("48", AF_INET6), 48);
	EXPECT_FALSE(parse_netmask("129", AF_INET6));
	EXPECT_FALSE(parse_netmask("255.255.255.0", AF_INET6));
}

TEST(SplitRuleLine, WordsCommentsQuotesAndProgramName)
{
	using V = std::vector<std::string>;
	EXPECT_EQ(split_rule_line("-A -t 192.0.2.10:80 -s rr"), (V{"-A", "-t", "192.0.2.10:80", "-s", "rr"}));
	EXPECT_EQ(split_rule_line("  \t-C  \r"), (V{"-C"}));
	EXPECT_EQ(split_rule_line(""), V{});
	EXPECT_EQ(split_rule_line("# a comment"), V{});
	EXPECT_EQ(split_rule_line("-C # flush"), (V{"-C"}));
	EXPECT_EQ(split_rule_line("ipvsadm -C"), (V{"-C"}));
	EXPECT_EQ(split_rule_line("ipvsadm-fnat -C"), (V{"-C"}));
	EXPECT_EQ(split_rule_line("/usr/sbin/ipvsadm-fnat -C"), (V{"-C"}));
	EXPECT_EQ(split_rule_line("-s 'r r' \"x y\""), (V{"-s", "r r", "x y"}));
	EXPECT_EQ(split_rule_line("-w ''"), (V{"-w", ""}));
	EXPECT_EQ(split_rule_line("-s 'rr"), std::nullopt);
}
