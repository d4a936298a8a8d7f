// The whole tool (parse, execute, print) against the fake kernel: round trips for
// services, destinations and local addresses in both families and protocols, what
// is sent to the kernel, every error text with the table left unchanged, -S/-R, and
// the commands that must not touch the kernel at all.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "fnat/uapi.hpp"

#include "test_support.hpp"

using namespace fnat;
using fnat::test::Result;
using fnat::test::Tool;

namespace {

const char *kHeader = "IP Virtual Server FULLNAT version 1.0.0 (size=4096)\n"
		      "Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		      "  => LocalAddress                 Conflicts  Conns\n";

void ok(Tool &t, const std::string &line, const std::string &input = "")
{
	const Result r = t(line, input);
	ASSERT_EQ(r.rc, 0) << line << ": " << r.err;
	ASSERT_EQ(r.err, "") << line;
}

std::string listing(Tool &t)
{
	const Result r = t("-L -n");
	EXPECT_EQ(r.rc, 0) << r.err;
	return r.out;
}

// A table with a bit of everything.
void populate(Tool &t)
{
	ok(t, "-A -t 192.0.2.10:80 -s rr");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.11 -b");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.12:8080 -w 3 -x 100 -y 10");
	ok(t, "-P -t 192.0.2.10:80 -z 203.0.113.100");
	ok(t, "-P -t 192.0.2.10:80 -z 203.0.113.101");
	ok(t, "-A -u 192.0.2.10:53 -p 600 -M 255.255.255.0");
	ok(t, "-a -u 192.0.2.10:53 -r 203.0.113.11 -w 0");
	ok(t, "-A -t [2001:db8:10::10]:443 -s sh -p -M 64");
	ok(t, "-a -t [2001:db8:10::10]:443 -r [2001:db8:5::11]:8443 -w 2");
	ok(t, "-P -t [2001:db8:10::10]:443 -z 2001:db8:5::100");
	ok(t, "-A -u [2001:db8:10::10]:53 -s mh");
}

const char *kPopulated =
	"TCP  192.0.2.10:80 rr\n"
	"  -> 203.0.113.11:80              FullNat 1      0          0         \n"
	"  -> 203.0.113.12:8080            FullNat 3      0          0         \n"
	"  => 203.0.113.100                0          0\n"
	"  => 203.0.113.101                0          0\n"
	"UDP  192.0.2.10:53 wlc persistent 600 mask 255.255.255.0\n"
	"  -> 203.0.113.11:53              FullNat 0      0          0         \n"
	"TCP  [2001:db8:10::10]:443 sh persistent 300 mask 64\n"
	"  -> [2001:db8:5::11]:8443        FullNat 2      0          0         \n"
	"  => 2001:db8:5::100              0          0\n"
	"UDP  [2001:db8:10::10]:53 mh\n";

}  // namespace

TEST(Tool, EmptyTable)
{
	Tool t;
	EXPECT_EQ(listing(t), kHeader);
	EXPECT_EQ(t("-S -n").out, "");
}

TEST(Tool, AddListEditDeleteBothFamiliesBothProtocols)
{
	Tool t;
	populate(t);
	EXPECT_EQ(listing(t), std::string(kHeader) + kPopulated);

	// Edits.
	ok(t, "-E -t 192.0.2.10:80 -s wrr -p 120");
	ok(t, "-e -t 192.0.2.10:80 -r 203.0.113.12:8080 -w 7");
	ok(t, "-E -u [2001:db8:10::10]:53 -s lc");
	const std::string edited = listing(t);
	EXPECT_NE(edited.find("TCP  192.0.2.10:80 wrr persistent 120\n"), std::string::npos) << edited;
	EXPECT_NE(edited.find("  -> 203.0.113.12:8080            FullNat 7      "), std::string::npos) << edited;
	EXPECT_NE(edited.find("UDP  [2001:db8:10::10]:53 lc\n"), std::string::npos) << edited;

	// Deletions, one of each kind, then the rest.
	ok(t, "-d -t 192.0.2.10:80 -r 203.0.113.11:80");
	ok(t, "-Q -t 192.0.2.10:80 -z 203.0.113.100");
	ok(t, "-Q -t [2001:db8:10::10]:443 -z 2001:db8:5::100");
	ok(t, "-d -t [2001:db8:10::10]:443 -r [2001:db8:5::11]:8443");
	ok(t, "-D -u 192.0.2.10:53");
	EXPECT_EQ(listing(t), std::string(kHeader) +
				      "TCP  192.0.2.10:80 wrr persistent 120\n"
				      "  -> 203.0.113.12:8080            FullNat 7      0          0         \n"
				      "  => 203.0.113.101                0          0\n"
				      "TCP  [2001:db8:10::10]:443 sh persistent 300 mask 64\n"
				      "UDP  [2001:db8:10::10]:53 lc\n");
	ok(t, "-D -t 192.0.2.10:80");
	ok(t, "-D -t [2001:db8:10::10]:443");
	ok(t, "-D -u [2001:db8:10::10]:53");
	EXPECT_EQ(listing(t), kHeader);
}

TEST(Tool, AddAndEditGiveTheWholeDefinitionAsIpvsadm)
{
	Tool t;
	ok(t, "-A -t 192.0.2.10:80 -p 600 -M 255.255.0.0");
	ASSERT_TRUE(t.kernel.last_service_spec);
	EXPECT_EQ(*t.kernel.last_service_spec,
		  (ServiceSpec{ServiceKey{Proto::TCP, *Address::parse("192.0.2.10"), 80}, "wlc",
			       IPVS_FNAT_SVC_F_PERSISTENT, 600u, std::uint8_t{16}, std::nullopt}));
	// -E without -p: no longer persistent, scheduler back to the default.
	ok(t, "-E -t 192.0.2.10:80");
	EXPECT_EQ(t.kernel.last_service_spec->flags, 0u);
	EXPECT_EQ(t.kernel.last_service_spec->sched, "wlc");
	EXPECT_FALSE(t.kernel.last_service_spec->timeout);
	EXPECT_NE(listing(t).find("TCP  192.0.2.10:80 wlc\n"), std::string::npos);
	// -p alone: 300 s and the full mask.
	ok(t, "-E -t 192.0.2.10:80 -p");
	EXPECT_EQ(t.kernel.last_service_spec->timeout, 300u);
	EXPECT_EQ(t.kernel.last_service_spec->netmask, 32);

	// -j: the SYN proxy flag, alone or next to persistence; -E without -j clears it.
	ok(t, "-E -t 192.0.2.10:80 -j");
	EXPECT_EQ(t.kernel.last_service_spec->flags, std::uint32_t{IPVS_FNAT_SVC_F_SYNPROXY});
	EXPECT_FALSE(t.kernel.last_service_spec->timeout);
	ok(t, "-E -t 192.0.2.10:80 -p 60 -j");
	EXPECT_EQ(t.kernel.last_service_spec->flags,
		  std::uint32_t{IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_SYNPROXY});
	EXPECT_NE(listing(t).find("TCP  192.0.2.10:80 wlc persistent 60 synproxy\n"), std::string::npos);
	ok(t, "-E -t 192.0.2.10:80 -p 60");
	EXPECT_EQ(t.kernel.last_service_spec->flags, std::uint32_t{IPVS_FNAT_SVC_F_PERSISTENT});
	EXPECT_NE(listing(t).find("TCP  192.0.2.10:80 wlc persistent 60\n"), std::string::npos);
	ok(t, "-A -t [2001:db8:10::10]:443 -s rr --synproxy");
	EXPECT_EQ(*t.kernel.last_service_spec,
		  (ServiceSpec{ServiceKey{Proto::TCP, *Address::parse("2001:db8:10::10"), 443}, "rr",
			       IPVS_FNAT_SVC_F_SYNPROXY, std::nullopt, std::nullopt, std::nullopt}));

	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.11 -w 4 -x 10 -y 5");
	EXPECT_EQ(*t.kernel.last_dest_spec, (DestSpec{*Address::parse("203.0.113.11"), 80, 4u, 10u, 5u}));
	ok(t, "-e -t 192.0.2.10:80 -r 203.0.113.11");
	EXPECT_EQ(*t.kernel.last_dest_spec, (DestSpec{*Address::parse("203.0.113.11"), 80, 1u, 0u, 0u}));
}

TEST(Tool, ZeroFlushAndTimeouts)
{
	Tool t;
	populate(t);
	t.kernel.table[0].svc.stats.conns = 5;
	t.kernel.table[0].dests[0].stats.inpkts = 9;
	t.kernel.table[1].svc.stats.conns = 6;
	ok(t, "-Z -t 192.0.2.10:80");
	EXPECT_EQ(t.kernel.table[0].svc.stats, Stats{});
	EXPECT_EQ(t.kernel.table[0].dests[0].stats, Stats{});
	EXPECT_EQ(t.kernel.table[1].svc.stats.conns, 6u);
	ok(t, "-Z");
	EXPECT_EQ(t.kernel.table[1].svc.stats, Stats{});

	EXPECT_EQ(t("-L --timeout").out, "Timeout (tcp tcpfin udp): 900 120 300\n");
	ok(t, "--set 1000 0 30");  // 0: unchanged
	EXPECT_EQ(t("-L --timeout").out, "Timeout (tcp tcpfin udp): 1000 120 30\n");

	ok(t, "-C");
	EXPECT_EQ(listing(t), kHeader);
}

TEST(Tool, SaveFlushRestoreGivesTheSameListing)
{
	Tool t;
	populate(t);
	const std::string before = listing(t);
	const Result saved = t("-S -n");
	ASSERT_EQ(saved.rc, 0);
	EXPECT_EQ(saved.out, "-A -t 192.0.2.10:80 -s rr\n"
			     "-a -t 192.0.2.10:80 -r 203.0.113.11:80 -b -w 1\n"
			     "-a -t 192.0.2.10:80 -r 203.0.113.12:8080 -b -w 3 -x 100 -y 10\n"
			     "-P -t 192.0.2.10:80 -z 203.0.113.100\n"
			     "-P -t 192.0.2.10:80 -z 203.0.113.101\n"
			     "-A -u 192.0.2.10:53 -s wlc -p 600 -M 255.255.255.0\n"
			     "-a -u 192.0.2.10:53 -r 203.0.113.11:53 -b -w 0\n"
			     "-A -t [2001:db8:10::10]:443 -s sh -p 300 -M 64\n"
			     "-a -t [2001:db8:10::10]:443 -r [2001:db8:5::11]:8443 -b -w 2\n"
			     "-P -t [2001:db8:10::10]:443 -z 2001:db8:5::100\n"
			     "-A -u [2001:db8:10::10]:53 -s mh\n");
	ok(t, "-C");
	EXPECT_EQ(listing(t), kHeader);
	ok(t, "-R", saved.out);
	EXPECT_EQ(listing(t), before);

	// And into another kernel, from -S without -n (names resolved, read back).
	Tool other;
	const Result named = t("-S");
	EXPECT_NE(named.out.find("-a -t 192.0.2.10:http -r rs1.example.test:http -b -w 1\n"), std::string::npos)
		<< named.out;
	ok(other, "--restore", named.out);
	EXPECT_EQ(listing(other), before);
	EXPECT_EQ(other("-S -n").out, saved.out);
}

TEST(Tool, SynProxyListedSavedRestoredAndInJson)
{
	Tool t;
	ok(t, "-A -t 192.0.2.10:80 -s rr -j");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.11");
	ok(t, "-A -t [2001:db8:10::10]:443 -s sh -p 120 -M 64 -j");
	ok(t, "-A -t 192.0.2.10:443 -s wrr");
	ok(t, "-A -u 192.0.2.10:53 -p");
	const std::string before = listing(t);
	EXPECT_EQ(before, std::string(kHeader) +
				  "TCP  192.0.2.10:80 rr synproxy\n"
				  "  -> 203.0.113.11:80              FullNat 1      0          0         \n"
				  "TCP  [2001:db8:10::10]:443 sh persistent 120 mask 64 synproxy\n"
				  "TCP  192.0.2.10:443 wrr\n"
				  "UDP  192.0.2.10:53 wlc persistent 300\n");

	const Result saved = t("-S -n");
	EXPECT_EQ(saved.out, "-A -t 192.0.2.10:80 -s rr -j\n"
			     "-a -t 192.0.2.10:80 -r 203.0.113.11:80 -b -w 1\n"
			     "-A -t [2001:db8:10::10]:443 -s sh -p 120 -M 64 -j\n"
			     "-A -t 192.0.2.10:443 -s wrr\n"
			     "-A -u 192.0.2.10:53 -s wlc -p 300\n");
	ok(t, "-C");
	ok(t, "-R", saved.out);
	EXPECT_EQ(listing(t), before);
	EXPECT_EQ(t.kernel.table[0].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_SYNPROXY});
	EXPECT_EQ(t.kernel.table[1].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_SYNPROXY});

	// --json: "synproxy" per service, next to "persistent"; flags is the whole word.
	const std::string j = t("-L --json").out;
	auto service_of = [&](const std::string &addr, unsigned port) {
		const auto at = j.find("\"address\": \"" + addr + "\",\n      \"port\": " + std::to_string(port) + ",");
		EXPECT_NE(at, std::string::npos) << addr << " " << port << "\n" << j;
		return at == std::string::npos ? std::string() : j.substr(at, j.find("\"stats\"", at) - at);
	};
	const std::string web = service_of("192.0.2.10", 80);
	EXPECT_NE(web.find("\"flags\": 2,\n      \"persistent\": false,\n      \"synproxy\": true,"), std::string::npos)
		<< web;
	const std::string web6 = service_of("2001:db8:10::10", 443);
	EXPECT_NE(web6.find("\"flags\": 3,\n      \"persistent\": true,\n      \"synproxy\": true,"), std::string::npos)
		<< web6;
	EXPECT_NE(service_of("192.0.2.10", 443).find("\"synproxy\": false,"), std::string::npos);
	EXPECT_NE(service_of("192.0.2.10", 53).find("\"synproxy\": false,"), std::string::npos);

	// -E without -j turns it off (as -E without -p ends persistence).
	ok(t, "-E -t 192.0.2.10:80 -s rr");
	EXPECT_NE(listing(t).find("TCP  192.0.2.10:80 rr\n"), std::string::npos);
	EXPECT_EQ(t.kernel.table[0].svc.flags, 0u);
	ok(t, "-E -t 192.0.2.10:80 -s rr -j");
	EXPECT_EQ(t.kernel.table[0].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_SYNPROXY});
}

TEST(Tool, SynProxyOnUdpIsRefusedBeforeTheKernelIsAsked)
{
	Tool t;
	populate(t);
	const std::string before = listing(t);
	const int connects = t.kernel_connects;
	for (const char *line : {"-A -u 192.0.2.20:53 -j", "-A -u [2001:db8:10::20]:53 -s rr -p 60 --synproxy",
				 "-E -u 192.0.2.10:53 -p 600 -M 255.255.255.0 -j"}) {
		const Result r = t(line);
		EXPECT_EQ(r.rc, 2) << line;
		EXPECT_EQ(r.out, "") << line;
		EXPECT_NE(r.err.find("the SYN proxy is for TCP services only (-t), not UDP (-u)\n"), std::string::npos)
			<< line << ": " << r.err;
	}
	EXPECT_EQ(t.kernel_connects, connects);  // usage errors: the kernel is never asked
	EXPECT_EQ(listing(t), before);

	// In -R the line is named, and the ones after it are not run.
	const Result r = t("-R", "-A -t 192.0.2.30:80 -j\n-A -u 192.0.2.30:53 -j\n-A -t 192.0.2.31:80\n");
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.err, "line 2: option `-j': the SYN proxy is for TCP services only (-t), not UDP (-u)\n");
	EXPECT_NE(listing(t).find("TCP  192.0.2.30:80 wlc synproxy\n"), std::string::npos);
	EXPECT_EQ(listing(t).find("192.0.2.31:80"), std::string::npos);
}

TEST(Tool, KernelRefusalOfSynProxyOnUdpShowsItsExtack)
{
	// What a kernel says to a request the tool would not send (the fake kernel keeps
	// the contract: EINVAL, nothing created or changed).
	Tool t;
	populate(t);
	const std::string before = listing(t);
	const ServiceKey udp{Proto::UDP, *Address::parse("192.0.2.10"), 53};
	for (const bool edit : {false, true}) {
		ServiceSpec spec{edit ? udp : ServiceKey{Proto::UDP, *Address::parse("192.0.2.20"), 53}, "rr",
				 IPVS_FNAT_SVC_F_SYNPROXY, std::nullopt, std::nullopt, std::nullopt};
		try {
			if (edit)
				t.kernel.edit_service(spec);
			else
				t.kernel.add_service(spec);
			ADD_FAILURE() << "accepted, edit=" << edit;
		} catch (const KernelError &e) {
			EXPECT_EQ(e.err(), EINVAL);
			EXPECT_EQ(std::string(e.what()), "Invalid operation.  Possibly wrong module version, address not "
							 "unicast, ... (kernel: the SYN proxy is for TCP services only)");
		}
	}
	EXPECT_EQ(listing(t), before);
}

TEST(Tool, RestoreStopsAtTheFirstErrorAndNamesTheLine)
{
	Tool t;
	const Result r = t("-R", "# rules\n"
				 "\n"
				 "ipvsadm -A -t 192.0.2.10:80 -s rr\n"
				 "-a -t 192.0.2.10:80 -r 203.0.113.11 -w 99999\n"
				 "-A -t 192.0.2.20:80\n");
	EXPECT_EQ(r.rc, 2);
	EXPECT_EQ(r.err, "line 4: illegal weight specified\n");
	EXPECT_EQ(t.kernel.table.size(), 1u);  // line 3 applied, line 5 never run

	const Result dup = t("-R", "-A -t 192.0.2.30:80\n-A -t 192.0.2.10:80 -s rr\n-A -t 192.0.2.40:80\n");
	EXPECT_EQ(dup.rc, 1);
	EXPECT_EQ(dup.err, "line 2: Service already exists\n");
	EXPECT_EQ(t.kernel.table.size(), 2u);

	const Result nested = t("-R", "-R\n");
	EXPECT_EQ(nested.rc, 1);
	EXPECT_EQ(nested.err, "line 1: -R cannot be used in the rules that -R reads\n");

	const Result quote = t("-R", "-A -t '192.0.2.50:80\n");
	EXPECT_EQ(quote.rc, 2);
	EXPECT_EQ(quote.err, "line 1: unterminated quote\n");
}

namespace {

struct ErrorCase {
	const char *line;
	const char *message;
};

void PrintTo(const ErrorCase &c, std::ostream *os) { *os << c.line; }

class ToolError : public ::testing::TestWithParam<ErrorCase> {};

// Each refused command prints its message, exits 1 and changes nothing.
TEST_P(ToolError, PrintsTheMessageAndChangesNothing)
{
	Tool t;
	populate(t);
	const std::string before = listing(t);
	const Result r = t(GetParam().line);
	EXPECT_EQ(r.rc, 1);
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(r.err, std::string(GetParam().message) + "\n");
	EXPECT_EQ(listing(t), before);
}

const ErrorCase kErrors[] = {
	{"-A -t 192.0.2.10:80", "Service already exists"},
	{"-A -t [2001:db8:10::10]:443 -s rr", "Service already exists"},
	{"-A -t 192.0.2.20:80 -s nosuch", "Scheduler not found (kernel: unknown scheduler)"},
	{"-E -t 192.0.2.20:80", "No such service"},
	{"-E -t 192.0.2.10:80 -s nosuch", "Scheduler not found (kernel: unknown scheduler)"},
	{"-D -t 192.0.2.20:80", "No such service"},
	{"-D -u 192.0.2.10:80", "No such service"},
	{"-a -t 192.0.2.20:80 -r 203.0.113.11", "Service not defined"},
	{"-a -t 192.0.2.10:80 -r 203.0.113.11", "Destination already exists"},
	{"-a -t 192.0.2.10:80 -r [2001:db8:5::11]:80",
	 "Operation not supported with specified address family (kernel: destination family differs from the service's)"},
	{"-e -t 192.0.2.10:80 -r 203.0.113.99", "No such destination"},
	{"-e -t 192.0.2.20:80 -r 203.0.113.11", "Service not defined"},
	{"-e -t 192.0.2.10:80 -r [2001:db8:5::11]", "Operation not supported with specified address family"},
	{"-d -t 192.0.2.10:80 -r 203.0.113.11:81", "No such destination"},
	{"-d -t 192.0.2.20:80 -r 203.0.113.11", "Service not defined"},
	{"-d -t [2001:db8:10::10]:443 -r 203.0.113.11", "Operation not supported with specified address family"},
	{"-P -t 192.0.2.10:80 -z 203.0.113.100", "Local address already exists"},
	{"-P -t 192.0.2.10:80 -z 2001:db8:5::100", "Local address family does not match the service"},
	{"-P -t 192.0.2.20:80 -z 203.0.113.100", "Service not defined"},
	{"-Q -t 192.0.2.10:80 -z 203.0.113.200", "No such local address"},
	{"-Q -t 192.0.2.20:80 -z 203.0.113.100", "Service not defined"},
	{"-Z -t 192.0.2.20:80", "No such service"},
	{"-L -n -t 192.0.2.20:80", "No such service"},
	{"-G -t 192.0.2.20:80", "No such service"},
};

INSTANTIATE_TEST_SUITE_P(Table, ToolError, ::testing::ValuesIn(kErrors));

}  // namespace

TEST(Tool, RawErrnoAndExtackReachTheUser)
{
	Tool t;
	populate(t);
	t.kernel.fail_next = {EINVAL, "weight out of range"};
	Result r = t("-e -t 192.0.2.10:80 -r 203.0.113.11 -w 5");
	EXPECT_EQ(r.rc, 1);
	EXPECT_EQ(r.err,
		  "Invalid operation.  Possibly wrong module version, address not unicast, ... (kernel: weight out of range)\n");
	t.kernel.fail_next = {ENOMEM, ""};
	r = t("-A -t 192.0.2.99:80");
	EXPECT_EQ(r.err, "Memory allocation problem\n");
	t.kernel.fail_next = {EBUSY, ""};
	r = t("-C");
	EXPECT_EQ(r.err, std::string(std::strerror(EBUSY)) + "\n");
}

TEST(Tool, WithoutPrivilegeMutationsAreRefusedAndListingsWork)
{
	Tool t;
	populate(t);
	const std::string before = listing(t);
	t.kernel.privileged = false;
	for (const char *line : {"-A -t 192.0.2.20:80", "-E -t 192.0.2.10:80", "-D -t 192.0.2.10:80", "-C",
				 "-a -t 192.0.2.10:80 -r 203.0.113.13", "-e -t 192.0.2.10:80 -r 203.0.113.11",
				 "-d -t 192.0.2.10:80 -r 203.0.113.11", "-P -t 192.0.2.10:80 -z 203.0.113.102",
				 "-Q -t 192.0.2.10:80 -z 203.0.113.100", "-Z", "--set 1 1 1", "-L -c"}) {
		const Result r = t(line);
		EXPECT_EQ(r.rc, 1) << line;
		EXPECT_EQ(r.err, "Permission denied (you must be root)\n") << line;
	}
	EXPECT_EQ(listing(t), before);
	EXPECT_EQ(t("-S -n").rc, 0);
	EXPECT_EQ(t("-G").rc, 0);
	EXPECT_EQ(t("-L --timeout").rc, 0);
}

TEST(Tool, ModuleNotLoaded)
{
	Tool t;
	t.module_loaded = false;
	const Result r = t("-L -n");
	EXPECT_EQ(r.rc, 1);
	EXPECT_NE(r.err.find("the ipvs_fnat module is not loaded"), std::string::npos);
	EXPECT_NE(r.err.find("modprobe ipvs_fnat"), std::string::npos);
	EXPECT_NE(r.err.find("insmod build/ipvs_fnat.ko"), std::string::npos);
	const Result rr = t("-R", "-C\n");
	EXPECT_EQ(rr.rc, 1);
	EXPECT_EQ(rr.err.rfind("line 1: The IPVS_FNAT", 0), 0u) << rr.err;
}

TEST(Tool, HelpVersionAndBadUsageNeverTouchTheKernel)
{
	Tool t;
	const Result h = t("-h");
	EXPECT_EQ(h.rc, 0);
	EXPECT_EQ(h.out.rfind("ipvsadm-fnat v", 0), 0u);
	EXPECT_NE(h.out.find("  ipvsadm-fnat -P|Q [-t|u service-address] -z local-address\n"), std::string::npos);
	EXPECT_NE(h.out.find("  ipvsadm-fnat --prometheus\n"), std::string::npos);
	EXPECT_NE(h.out.find("  --dest-check   "), std::string::npos);
	EXPECT_NE(h.out.find("-m (NAT), -g (direct routing) and -i (tunnelling)"), std::string::npos);
	EXPECT_NE(h.out.find(" -A|E -t|u service-address [-s scheduler] [-p [timeout]] [-M netmask] [-j]\n"),
		  std::string::npos);
	EXPECT_NE(h.out.find("  --synproxy     -j  "), std::string::npos);
	const Result v = t("--version");
	EXPECT_EQ(v.rc, 0);
	EXPECT_EQ(v.out, std::string("ipvsadm-fnat v") + FNAT_TOOLS_VERSION +
				 " (FULLNAT; generic netlink family IPVS_FNAT version 1)\n");
	const Result bad = t("-A -t 192.0.2.10:80 -g");
	EXPECT_EQ(bad.rc, 2);
	EXPECT_NE(bad.err.find("FULLNAT only"), std::string::npos);
	const Result unknown = t("--bogus");
	EXPECT_EQ(unknown.rc, 2);
	EXPECT_EQ(unknown.err, "invalid option `--bogus'\n"
			       "Try `ipvsadm-fnat -h' or 'ipvsadm-fnat --help' for more information.\n");
	EXPECT_EQ(t.kernel_connects, 0);
	EXPECT_TRUE(t.kernel.calls.empty());
}

TEST(Tool, NoArgumentsListsWithNames)
{
	Tool t;
	ok(t, "-A -t 192.0.2.80:443");
	ok(t, "-a -t 192.0.2.80:443 -r 203.0.113.11");
	const Result r = t.run({});
	EXPECT_EQ(r.rc, 0);
	EXPECT_NE(r.out.find("TCP  www.example.test:https wlc\n"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("  -> rs1.example.test:https"), std::string::npos) << r.out;
}

TEST(Tool, ListOneServiceConnectionsAndLaddrs)
{
	Tool t;
	populate(t);
	EXPECT_EQ(t("-L -n -t [2001:db8:10::10]:443").out,
		  "Prot LocalAddress:Port Scheduler Flags\n"
		  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		  "  => LocalAddress                 Conflicts  Conns\n"
		  "TCP  [2001:db8:10::10]:443 sh persistent 300 mask 64\n"
		  "  -> [2001:db8:5::11]:8443        FullNat 2      0          0         \n"
		  "  => 2001:db8:5::100              0          0\n");
	EXPECT_EQ(t("-G -n -t 192.0.2.10:80").out,
		  "Prot LocalAddress:Port            LocalAddresses\n"
		  "  => LocalAddress                 Conflicts  Conns\n"
		  "TCP  192.0.2.10:80                2\n"
		  "  => 203.0.113.100                0          0\n"
		  "  => 203.0.113.101                0          0\n");
	const Result all = t("-G -n");
	EXPECT_NE(all.out.find("UDP  192.0.2.10:53                0\n"), std::string::npos) << all.out;
	EXPECT_NE(all.out.find("TCP  [2001:db8:10::10]:443        1\n  => 2001:db8:5::100"), std::string::npos)
		<< all.out;

	Conn c;
	c.proto = Proto::TCP;
	c.client = {*Address::parse("198.51.100.2"), 40000};
	c.virt = {*Address::parse("192.0.2.10"), 80};
	c.local = {*Address::parse("203.0.113.100"), 2000};
	c.dest = {*Address::parse("203.0.113.11"), 80};
	c.state_name = "ESTABLISHED";
	c.expires_ms = 61999;
	t.kernel.connections = {c};
	EXPECT_EQ(t("-L -n -c").out,
		  "IPVS connection entries\n"
		  "pro expire state       source             virtual            local              destination\n"
		  "TCP 01:01  ESTABLISHED 198.51.100.2:40000 192.0.2.10:80      203.0.113.100:2000 203.0.113.11:80\n");
	const Result j = t("-L -c --json");
	EXPECT_NE(j.out.find("\"state_name\": \"ESTABLISHED\""), std::string::npos);
}

TEST(Tool, JsonAndSort)
{
	Tool t;
	ok(t, "-A -t 192.0.2.20:80");
	ok(t, "-A -t 192.0.2.10:80");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.12");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.11");
	const std::string plain = listing(t);
	EXPECT_LT(plain.find("192.0.2.20:80"), plain.find("192.0.2.10:80"));  // creation order
	EXPECT_LT(plain.find("203.0.113.12"), plain.find("203.0.113.11"));
	const std::string sorted = t("-L -n --sort").out;
	EXPECT_GT(sorted.find("192.0.2.20:80"), sorted.find("192.0.2.10:80"));
	EXPECT_GT(sorted.find("203.0.113.12"), sorted.find("203.0.113.11"));

	const Result j = t("-L --json");
	EXPECT_EQ(j.rc, 0);
	EXPECT_EQ(j.out.rfind("{\n  \"info\": {\n    \"version\": \"1.0.0\",", 0), 0u) << j.out;
	EXPECT_NE(j.out.find("\"service_count\": 2"), std::string::npos);
	EXPECT_NE(j.out.find("\"num_dests\": 2"), std::string::npos);
	const Result one = t("-L --json -t 192.0.2.20:80");
	EXPECT_EQ(one.out.find("\"info\""), std::string::npos);
	EXPECT_NE(one.out.find("\"address\": \"192.0.2.20\""), std::string::npos);
	const Result to = t("-L --timeout --json");
	EXPECT_NE(to.out.find("\"timeout_tcp\": 900"), std::string::npos);
	EXPECT_NE(to.out.find("\"toa\": true"), std::string::npos);
}

TEST(Tool, StatsRateAndExactListings)
{
	Tool t;
	ok(t, "-A -t 192.0.2.10:80");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.11");
	t.kernel.table[0].svc.stats.conns = 1234567890;
	t.kernel.table[0].dests[0].stats.cps = 42;
	const std::string st = t("-L -n --stats").out;
	const std::string svc = "TCP  192.0.2.10:80" + std::string(15, ' ');  // %-33s
	EXPECT_NE(st.find(svc + "    1234M        0"), std::string::npos) << st;
	const std::string ex = t("-L -n --stats --exact").out;
	EXPECT_NE(ex.find(svc + " 1234567890        0"), std::string::npos) << ex;
	const std::string rt = t("-L -n --rate").out;
	EXPECT_NE(rt.find("  -> 203.0.113.11:80" + std::string(13, ' ') + "       42        0"), std::string::npos) << rt;
}

TEST(Tool, DefaultLaddrPoolAddListSaveRestoreDelete)
{
	Tool t;
	populate(t);
	ok(t, "-P -z 203.0.113.200");
	ok(t, "--add-laddr --laddr 2001:db8:5::200");
	EXPECT_EQ(t.kernel.calls.back(), "add_laddr");
	ASSERT_EQ(t.kernel.default_laddrs.size(), 2u);
	EXPECT_EQ(t.kernel.table[0].laddrs.size(), 2u);  // the services' own unchanged
	t.kernel.default_laddrs[0].port_conflicts = 4;
	t.kernel.default_laddrs[0].conns = 9;

	// -L: after every service, as /proc/net/ip_vs_fnat.
	const std::string before = listing(t);
	EXPECT_EQ(before, std::string(kHeader) + kPopulated +
				  "Default local addresses\n"
				  "  => 203.0.113.200                4          9\n"
				  "  => 2001:db8:5::200              0          0\n");
	// -L -t: the service only.
	EXPECT_EQ(t("-L -n -t 192.0.2.10:53").out.find("Default"), std::string::npos);

	// -G: the default pool after the services'; -G -t: the service's own only.
	const std::string g = t("-G -n").out;
	EXPECT_NE(g.find("UDP  [2001:db8:10::10]:53         0\n"
			 "Default local addresses           2\n"
			 "  => 203.0.113.200                4          9\n"
			 "  => 2001:db8:5::200              0          0\n"),
		  std::string::npos)
		<< g;
	EXPECT_EQ(t("-G -n -t 192.0.2.10:80").out.find("Default"), std::string::npos);
	const std::string gj = t("-G --json").out;
	EXPECT_NE(gj.find("\"default_laddrs\": [\n    {\n      \"address\": \"203.0.113.200\""), std::string::npos) << gj;
	EXPECT_EQ(t("-G --json -t 192.0.2.10:80").out.find("default_laddrs"), std::string::npos);
	const std::string lj = t("-L --json").out;
	EXPECT_NE(lj.find("\"default_laddrs\": ["), std::string::npos);
	EXPECT_NE(lj.find("\"address\": \"2001:db8:5::200\",\n      \"af\": \"inet6\""), std::string::npos) << lj;

	// -S writes the default pool last; -C empties it too, so -C then -R restores the
	// same rules into the same kernel, and -R into another one as well.
	const Result saved = t("-S -n");
	EXPECT_EQ(saved.out.substr(saved.out.size() - 75), "-A -u [2001:db8:10::10]:53 -s mh\n"
							     "-P -z 203.0.113.200\n-P -z 2001:db8:5::200\n")
		<< saved.out;
	Tool other;
	ok(other, "-R", saved.out);
	EXPECT_EQ(other("-S -n").out, saved.out);
	EXPECT_EQ(other.kernel.default_laddrs.size(), 2u);
	ok(other, "-C");
	EXPECT_TRUE(other.kernel.default_laddrs.empty());
	ok(other, "-R", saved.out);
	EXPECT_EQ(other("-S -n").out, saved.out);

	// -Q without a service: the default pool; errors as the kernel says.
	ok(t, "-Q -z 203.0.113.200");
	EXPECT_EQ(t.kernel.default_laddrs.size(), 1u);
	const Result again = t("-Q -z 203.0.113.200");
	EXPECT_NE(again.rc, 0);
	EXPECT_NE(again.err, "");
	ok(t, "--del-laddr -z 2001:db8:5::200");
	EXPECT_EQ(listing(t), std::string(kHeader) + kPopulated);
}

TEST(Tool, PeerLaddrAddedListedSavedRestored)
{
	Tool t;
	populate(t);
	ok(t, "-P -t 192.0.2.10:80 -z 203.0.113.150 --peer");
	ok(t, "-P -z 203.0.113.201 --peer");
	ASSERT_EQ(t.kernel.table[0].laddrs.size(), 3u);
	EXPECT_FALSE(t.kernel.table[0].laddrs[0].peer);
	EXPECT_TRUE(t.kernel.table[0].laddrs[2].peer);
	ASSERT_EQ(t.kernel.default_laddrs.size(), 1u);
	EXPECT_TRUE(t.kernel.default_laddrs[0].peer);

	// Listed with a trailing "peer", in JSON as "peer": true.
	const std::string g = t("-G -n -t 192.0.2.10:80").out;
	EXPECT_NE(g.find("  => 203.0.113.150                0          0 peer\n"), std::string::npos) << g;
	EXPECT_NE(g.find("  => 203.0.113.100                0          0\n"), std::string::npos) << g;
	const std::string j = t("-G --json -t 192.0.2.10:80").out;
	const std::size_t at = j.find("\"address\": \"203.0.113.150\"");
	ASSERT_NE(at, std::string::npos) << j;
	EXPECT_EQ(j.substr(at, j.find('}', at) - at).find("\"peer\": true"), j.substr(at, j.find('}', at) - at).rfind("\"peer\"")) << j;
	EXPECT_NE(j.substr(at, j.find('}', at) - at).find("\"peer\": true"), std::string::npos) << j;
	EXPECT_NE(j.find("\"peer\": false"), std::string::npos) << j;

	// Saved with --peer, and restored as peers.
	const Result saved = t("-S -n");
	EXPECT_NE(saved.out.find("-P -t 192.0.2.10:80 -z 203.0.113.150 --peer\n"), std::string::npos) << saved.out;
	EXPECT_NE(saved.out.find("-P -t 192.0.2.10:80 -z 203.0.113.100\n"), std::string::npos) << saved.out;
	EXPECT_NE(saved.out.find("-P -z 203.0.113.201 --peer\n"), std::string::npos) << saved.out;
	Tool other;
	ok(other, "-R", saved.out);
	EXPECT_EQ(other("-S -n").out, saved.out);
	EXPECT_TRUE(other.kernel.table[0].laddrs[2].peer);

	// --peer belongs to -P alone.
	for (const char *bad : {"-Q -t 192.0.2.10:80 -z 203.0.113.150 --peer", "-a -t 192.0.2.10:80 -r 203.0.113.13 --peer",
				"-G --peer", "-A -t 192.0.2.30:80 --peer"}) {
		const Result r = t(bad);
		EXPECT_NE(r.rc, 0) << bad;
		EXPECT_NE(r.err.find("peer"), std::string::npos) << bad << ": " << r.err;
	}
	EXPECT_EQ(t.kernel.table[0].laddrs.size(), 3u);
}

TEST(Tool, DestCheckListedSavedRestoredAndInJson)
{
	Tool t;
	ok(t, "-A -t 192.0.2.10:80 -s rr -j --dest-check");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.11");
	ok(t, "-a -t 192.0.2.10:80 -r 203.0.113.12");
	ok(t, "-A -u 192.0.2.10:53 -p 60 --dest-check");
	ok(t, "-a -u 192.0.2.10:53 -r 203.0.113.11");
	EXPECT_EQ(t.kernel.table[0].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_SYNPROXY | IPVS_FNAT_SVC_F_DEST_CHECK});
	EXPECT_EQ(t.kernel.table[1].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_DEST_CHECK});
	Dest &inhibited = t.kernel.table[0].dests[1];
	inhibited.check_state = IPVS_FNAT_DEST_CHECK_INHIBITED;
	inhibited.check_fails = 3;
	inhibited.inhibit_left_ms = 5000;
	inhibited.inhibits = 1;
	t.kernel.table[1].dests[0].check_state = IPVS_FNAT_DEST_CHECK_TRIAL;
	const std::string before = listing(t);
	EXPECT_EQ(before, std::string(kHeader) +
				  "TCP  192.0.2.10:80 rr synproxy dest-check\n"
				  "  -> 203.0.113.11:80              FullNat 1      0          0         \n"
				  "  -> 203.0.113.12:80              FullNat 1      0          0          inhibited\n"
				  "UDP  192.0.2.10:53 wlc persistent 60 dest-check\n"
				  "  -> 203.0.113.11:53              FullNat 1      0          0          trial\n");
	const Result saved = t("-S -n");
	EXPECT_EQ(saved.out, "-A -t 192.0.2.10:80 -s rr -j --dest-check\n"
			     "-a -t 192.0.2.10:80 -r 203.0.113.11:80 -b -w 1\n"
			     "-a -t 192.0.2.10:80 -r 203.0.113.12:80 -b -w 1\n"
			     "-A -u 192.0.2.10:53 -s wlc -p 60 --dest-check\n"
			     "-a -u 192.0.2.10:53 -r 203.0.113.11:53 -b -w 1\n");

	const std::string j = t("-L --json").out;
	EXPECT_NE(j.find("\"flags\": 6,\n      \"persistent\": false,\n      \"synproxy\": true,\n"
			 "      \"dest_check\": true,\n      \"owner\": \"none\","),
		  std::string::npos)
		<< j;
	EXPECT_NE(j.find("\"check\": {\n            \"state\": \"inhibited\",\n            \"fails\": 3,\n"
			 "            \"inhibit_left_ms\": 5000,\n            \"inhibits\": 1\n          }"),
		  std::string::npos)
		<< j;
	EXPECT_NE(j.find("\"state\": \"trial\""), std::string::npos);

	// -E without --dest-check turns it off (the whole flag word, as -j), and the
	// kernel then restores the real servers at once.
	ok(t, "-E -t 192.0.2.10:80 -s rr -j");
	EXPECT_EQ(t.kernel.table[0].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_SYNPROXY});
	EXPECT_NE(listing(t).find("TCP  192.0.2.10:80 rr synproxy\n"
				  "  -> 203.0.113.11:80              FullNat 1      0          0         \n"
				  "  -> 203.0.113.12:80              FullNat 1      0          0         \n"),
		  std::string::npos);
	ok(t, "-E -t 192.0.2.10:80 -s rr --dest-check");
	EXPECT_EQ(t.kernel.table[0].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_DEST_CHECK});

	ok(t, "-C");
	ok(t, "-R", saved.out);
	EXPECT_EQ(t.kernel.table[0].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_SYNPROXY | IPVS_FNAT_SVC_F_DEST_CHECK});
	EXPECT_EQ(t.kernel.table[1].svc.flags, std::uint32_t{IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_DEST_CHECK});

	const Result bad = t("-a -t 192.0.2.10:80 -r 203.0.113.13 --dest-check");
	EXPECT_EQ(bad.rc, 2);
	EXPECT_EQ(bad.err, "Illegal 'dest-check' option with the 'add-server' command\n");
}

TEST(Tool, OwnerInJsonAndOthersServicesNotSaved)
{
	Tool t;
	ok(t, "-A -t 192.0.2.10:80");
	ok(t, "-A -t 192.0.2.10:81");
	ok(t, "-A -t 192.0.2.10:82");
	ok(t, "-a -t 192.0.2.10:81 -r 203.0.113.11");
	ok(t, "-P -t 192.0.2.10:81 -z 203.0.113.100");
	EXPECT_EQ(t.kernel.last_service_spec->owner, std::nullopt);  // made by hand: no tag sent
	t.kernel.table[1].svc.owner = IPVS_FNAT_OWNER_MIRROR;
	t.kernel.table[2].svc.owner = 42;
	const std::string j = t("-L --json").out;
	EXPECT_NE(j.find("\"port\": 80,\n      \"scheduler\": \"wlc\",\n      \"flags\": 0,\n      \"persistent\": false,\n"
			 "      \"synproxy\": false,\n      \"dest_check\": false,\n      \"owner\": \"none\","),
		  std::string::npos)
		<< j;
	EXPECT_NE(j.find("\"owner\": \"mirror\","), std::string::npos);
	EXPECT_NE(j.find("\"owner\": 42,"), std::string::npos);
	EXPECT_EQ(t("-L -n -t 192.0.2.10:82").out.substr(t("-L -n -t 192.0.2.10:82").out.rfind("TCP")),
		  "TCP  192.0.2.10:82 wlc\n");
	// -S saves only hand-made services: the others' programs make theirs again (a
	// restored copy would be a hand-made service, which they leave alone).
	const std::string rules = t("-S -n").out;
	EXPECT_EQ(rules, "-A -t 192.0.2.10:80 -s wlc\n"
			 "# -t 192.0.2.10:81 is made by mirror: not saved\n"
			 "# -t 192.0.2.10:82 is made by 42: not saved\n");
	Tool other;
	ok(other, "-R", rules);
	EXPECT_EQ(other("-S -n").out, "-A -t 192.0.2.10:80 -s wlc\n");
}

TEST(Tool, PrometheusFromTheKernelAndTheStatsFile)
{
	Tool t;
	populate(t);
	ok(t, "-P -z 203.0.113.200");
	t.kernel.table[0].svc.stats.conns = 77;
	t.kernel.table[0].dests[1].check_state = IPVS_FNAT_DEST_CHECK_TRIAL;
	t.kernel.table[0].svc.sp_stats = SynProxyStats{5, 4, 1, 0, 0};  // the kernel's SYNPROXY_STATS

	// Without the file: the kernel's metrics, no failure.
	const Result r = t("--prometheus");
	ASSERT_EQ(r.rc, 0) << r.err;
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(r.out.rfind("# HELP ipvs_fnat_service_info ", 0), 0u) << r.out;
	EXPECT_NE(r.out.find("ipvs_fnat_service_connections_total{protocol=\"TCP\",address=\"192.0.2.10\",port=\"80\"} 77\n"),
		  std::string::npos);
	EXPECT_NE(r.out.find("ipvs_fnat_server_inhibited{protocol=\"TCP\",address=\"192.0.2.10\",port=\"80\","
			     "server_address=\"203.0.113.12\",server_port=\"8080\"} 1\n"),
		  std::string::npos);
	EXPECT_NE(r.out.find("ipvs_fnat_laddr_connections{pool=\"default\",local_address=\"203.0.113.200\"} 0\n"),
		  std::string::npos);
	EXPECT_NE(r.out.find("ipvs_fnat_service_synproxy_syn_total{protocol=\"TCP\",address=\"192.0.2.10\",port=\"80\"} 5\n"),
		  std::string::npos);
	EXPECT_EQ(r.out.find("ipvs_fnat_conns "), std::string::npos);
	EXPECT_EQ(t("--prometheus -n").out, r.out);

	// With it.
	const std::string path = ::testing::TempDir() + "ipvs_fnat_stats";
	std::ofstream(path) << "conns                    3\nconn_new                 12\n";
	t.stats_path = path;
	const Result f = t("--prometheus");
	std::remove(path.c_str());
	EXPECT_EQ(f.out.substr(r.out.size()), "# HELP ipvs_fnat_conns Live connections of the namespace.\n"
					      "# TYPE ipvs_fnat_conns gauge\n"
					      "ipvs_fnat_conns 3\n"
					      "# HELP ipvs_fnat_conn_new_total Datapath counter conn_new of "
					      "/proc/net/ip_vs_fnat_stats.\n"
					      "# TYPE ipvs_fnat_conn_new_total counter\n"
					      "ipvs_fnat_conn_new_total 12\n");

	const Result bad = t("--prometheus --json");
	EXPECT_EQ(bad.rc, 2);
	EXPECT_EQ(bad.err, "Illegal 'json' option with the 'prometheus' command\n");
	t.module_loaded = false;
	EXPECT_EQ(t("--prometheus").rc, 1);
}
