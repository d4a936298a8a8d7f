// The formatters against golden files (tests/unit/tool/golden/), plus the plain
// numeric listing against the header's own printf description of /proc/net/ip_vs_fnat.
// FNAT_UPDATE_GOLDEN=1 rewrites the golden files (then review the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sstream>
#include <vector>

#include "fnat/uapi.hpp"

#include "format.hpp"
#include "prometheus.hpp"
#include "test_support.hpp"

using namespace fnat;

namespace {

Address A(const char *s) { return *Address::parse(s); }

Stats stats(std::uint64_t base)
{
	Stats s;
	s.conns = base;
	s.inpkts = base * 10;
	s.outpkts = base * 9;
	s.inbytes = base * 1500;
	s.outbytes = base * 15000;
	s.cps = base / 100;
	s.inpps = base / 10;
	s.outpps = base / 11;
	s.inbps = base * 150;
	s.outbps = base * 1500;
	return s;
}

Dest dest(const char *a, std::uint16_t port, std::uint32_t weight)
{
	Dest d;
	d.addr = A(a);
	d.port = port;
	d.weight = weight;
	return d;
}

// Four services: v4 and v6, TCP and UDP, persistent or not, the two TCP ones with the
// SYN proxy (one alone, one after persistence and its mask), two with the passive
// check (one TCP with the SYN proxy and an inhibited real server, one UDP with a real
// server on trial), made by hand, by ipvs-fnat-mirror and by an unknown owner, with
// and without destinations and local addresses, in creation order; and a default
// LIP pool of both families.
Listing sample()
{
	Listing l;
	l.info = Info{IPVS_FNAT_VERSION_CODE(0, 1, 0), 4096, 12, 4};

	ServiceView web;
	web.svc.key = {Proto::TCP, A("192.0.2.10"), 80};
	web.svc.sched = "rr";
	web.svc.flags = IPVS_FNAT_SVC_F_SYNPROXY | IPVS_FNAT_SVC_F_DEST_CHECK;
	web.svc.owner = IPVS_FNAT_OWNER_MIRROR;
	web.svc.netmask = 32;
	web.svc.timeout = 0;
	web.svc.num_dests = 2;
	web.svc.num_laddrs = 2;
	web.svc.stats = stats(123456);
	web.svc.sp_stats = SynProxyStats{200000, 123456, 76000, 12, 3};
	Dest d1 = dest("203.0.113.11", 80, 1);
	d1.active_conns = 3;
	d1.inact_conns = 7;
	d1.stats = stats(100000);
	Dest d2 = dest("203.0.113.12", 8080, 5);
	d2.u_thresh = 100;
	d2.l_thresh = 50;
	d2.persist_conns = 2;
	d2.check_state = IPVS_FNAT_DEST_CHECK_INHIBITED;
	d2.check_fails = 3;
	d2.inhibit_left_ms = 4200;
	d2.inhibits = 2;
	d2.stats = stats(23456);
	web.dests = {d1, d2};
	web.laddrs = {Laddr{A("203.0.113.100"), 2, 5}, Laddr{A("203.0.113.101"), 0, 0, true}};

	ServiceView dns;
	dns.svc.key = {Proto::UDP, A("192.0.2.10"), 53};
	dns.svc.sched = "wlc";
	dns.svc.flags = IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_DEST_CHECK;
	dns.svc.owner = 7;
	dns.svc.timeout = 600;
	dns.svc.netmask = 24;
	dns.svc.num_dests = 1;
	Dest dt = dest("203.0.113.11", 53, 0);
	dt.check_state = IPVS_FNAT_DEST_CHECK_TRIAL;
	dt.check_fails = 5;
	dt.inhibits = 4;
	dns.dests = {dt};

	ServiceView web6;
	web6.svc.key = {Proto::TCP, A("2001:db8:10::10"), 443};
	web6.svc.sched = "sh";
	web6.svc.flags = IPVS_FNAT_SVC_F_PERSISTENT | IPVS_FNAT_SVC_F_SYNPROXY;
	web6.svc.timeout = 300;
	web6.svc.netmask = 64;
	web6.svc.stats = stats(987654321012ULL);
	web6.svc.sp_stats = SynProxyStats{18446744073709551615ULL, 0, 0, 0, 0};
	Dest d6 = dest("2001:db8:5::11", 443, 2);
	d6.stats = stats(99999999);
	web6.dests = {d6, dest("2001:db8:5::12", 8443, 1)};
	web6.laddrs = {Laddr{A("2001:db8:5::100"), 18446744073709551615ULL, 4294967295U}};

	ServiceView dns6;
	dns6.svc.key = {Proto::UDP, A("2001:db8:10::10"), 53};
	dns6.svc.sched = "mh";
	dns6.svc.flags = IPVS_FNAT_SVC_F_PERSISTENT;
	dns6.svc.timeout = 300;
	dns6.svc.netmask = 128;

	l.services = {web, dns, web6, dns6};
	l.default_laddrs = {Laddr{A("203.0.113.200"), 7, 3}, Laddr{A("2001:db8:5::200"), 0, 0}};
	return l;
}

std::vector<Conn> sample_conns()
{
	Conn c;
	c.proto = Proto::TCP;
	c.client = {A("198.51.100.2"), 40000};
	c.virt = {A("192.0.2.10"), 80};
	c.local = {A("203.0.113.100"), 1025};
	c.dest = {A("203.0.113.11"), 80};
	c.state = 3;
	c.state_name = "ESTABLISHED";
	c.expires_ms = 899500;
	c.flags = IPVS_FNAT_CONN_F_TOA_DONE;
	Conn u;
	u.proto = Proto::UDP;
	u.client = {A("2001:db8:c::2"), 5353};
	u.virt = {A("2001:db8:10::10"), 53};
	u.local = {A("2001:db8:5::100"), 65535};
	u.dest = {A("2001:db8:5::11"), 53};
	u.state = 1;
	u.state_name = "UDP";
	u.expires_ms = 61000;
	u.flags = IPVS_FNAT_CONN_F_PERSISTENT;
	return {c, u};
}

Config sample_config() { return Config{900, 120, 300, 60, 0, 1024, 65535, true, false, true, 3, 5, 3600}; }

// The sample with every service made by hand: what -S saves in full.
Listing sample_by_hand()
{
	Listing l = sample();
	for (ServiceView &v : l.services)
		v.svc.owner = IPVS_FNAT_OWNER_NONE;
	return l;
}

void expect_golden(const std::string &name, const std::string &actual)
{
	const std::string path = test::golden_path(name);
	if (const char *u = std::getenv("FNAT_UPDATE_GOLDEN"); u && *u == '1') {
		std::ofstream(path, std::ios::binary) << actual;
		return;
	}
	const std::string expected = test::read_file(path);
	ASSERT_FALSE(expected.empty()) << "missing golden file " << path;
	EXPECT_EQ(actual, expected) << "golden file " << name;
}

const test::FakeResolver kNames;
const NumericResolver kNumeric;

// The listing exactly as the header's prose block prints it, in printf terms.
std::string proc_reference(const Listing &l)
{
	char buf[256];
	std::string out;
	const Info &i = *l.info;
	std::snprintf(buf, sizeof(buf), "IP Virtual Server FULLNAT version %u.%u.%u (size=%u)\n", i.version >> 16,
		      (i.version >> 8) & 0xff, i.version & 0xff, i.conn_tab_size);
	out += buf;
	out += "Prot LocalAddress:Port Scheduler Flags\n";
	out += "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
	out += "  => LocalAddress                 Conflicts  Conns\n";
	for (const ServiceView &v : l.services) {
		const Service &s = v.svc;
		auto ap = [&](const Address &a, unsigned port) {
			return a.af == AF_INET6 ? "[" + a.str() + "]:" + std::to_string(port) : a.str() + ":" + std::to_string(port);
		};
		std::snprintf(buf, sizeof(buf), "%s  %s %s", s.key.proto == Proto::TCP ? "TCP" : "UDP",
			      ap(s.key.addr, s.key.port).c_str(), s.sched.c_str());
		out += buf;
		if (s.flags & IPVS_FNAT_SVC_F_PERSISTENT) {
			std::snprintf(buf, sizeof(buf), " persistent %u", s.timeout);
			out += buf;
			if (s.netmask != (s.key.af() == AF_INET6 ? 128 : 32)) {
				if (s.key.af() == AF_INET) {
					const unsigned m = s.netmask ? 0xffffffffu << (32 - s.netmask) : 0;
					std::snprintf(buf, sizeof(buf), " mask %u.%u.%u.%u", m >> 24, (m >> 16) & 0xff,
						      (m >> 8) & 0xff, m & 0xff);
				} else {
					std::snprintf(buf, sizeof(buf), " mask %u", s.netmask);
				}
				out += buf;
			}
		}
		if (s.flags & IPVS_FNAT_SVC_F_SYNPROXY)
			out += " synproxy";
		if (s.flags & IPVS_FNAT_SVC_F_DEST_CHECK)
			out += " dest-check";
		out += "\n";
		for (const Dest &d : v.dests) {
			std::snprintf(buf, sizeof(buf), "  -> %-28s %-7s %-6u %-10u %-10u", ap(d.addr, d.port).c_str(),
				      "FullNat", d.weight, d.active_conns, d.inact_conns);
			out += buf;
			if (d.check_state == IPVS_FNAT_DEST_CHECK_INHIBITED)
				out += " inhibited";
			else if (d.check_state == IPVS_FNAT_DEST_CHECK_TRIAL)
				out += " trial";
			out += "\n";
		}
		for (const Laddr &a : v.laddrs) {
			std::snprintf(buf, sizeof(buf), "  => %-28s %-10llu %u%s\n", a.addr.str().c_str(),
				      static_cast<unsigned long long>(a.port_conflicts), a.conns, a.peer ? " peer" : "");
			out += buf;
		}
	}
	if (!l.default_laddrs.empty()) {
		out += "Default local addresses\n";
		for (const Laddr &a : l.default_laddrs) {
			std::snprintf(buf, sizeof(buf), "  => %-28s %-10llu %u%s\n", a.addr.str().c_str(),
				      static_cast<unsigned long long>(a.port_conflicts), a.conns, a.peer ? " peer" : "");
			out += buf;
		}
	}
	return out;
}

}  // namespace

TEST(Format, PlainNumericListingIsTheProcFileFormat)
{
	const Listing l = sample();
	EXPECT_EQ(format_list(l, FMT_NUMERIC, kNumeric), proc_reference(l));
	// Names are never looked up with -n, whatever the resolver knows.
	EXPECT_EQ(format_list(l, FMT_NUMERIC, kNames), proc_reference(l));
	Listing empty;
	empty.info = l.info;
	EXPECT_EQ(format_list(empty, FMT_NUMERIC, kNumeric), proc_reference(empty));
	// The default pool alone, without services.
	empty.default_laddrs = l.default_laddrs;
	EXPECT_EQ(format_list(empty, FMT_NUMERIC, kNumeric), proc_reference(empty));
}

TEST(Format, PassiveCheckAndDefaultPoolInTheListing)
{
	const std::string out = format_list(sample(), FMT_NUMERIC, kNumeric);
	EXPECT_NE(out.find("TCP  192.0.2.10:80 rr synproxy dest-check\n"), std::string::npos) << out;
	EXPECT_NE(out.find("UDP  192.0.2.10:53 wlc persistent 600 mask 255.255.255.0 dest-check\n"), std::string::npos);
	EXPECT_NE(out.find("  -> 203.0.113.12:8080            FullNat 5      0          0          inhibited\n"),
		  std::string::npos);
	EXPECT_NE(out.find("  -> 203.0.113.11:53              FullNat 0      0          0          trial\n"),
		  std::string::npos);
	EXPECT_NE(out.find("UDP  [2001:db8:10::10]:53 mh persistent 300\n"
			   "Default local addresses\n"
			   "  => 203.0.113.200                7          3\n"
			   "  => 2001:db8:5::200              0          0\n"),
		  std::string::npos)
		<< out;
	// --stats and --rate list no local address, the default pool's neither.
	EXPECT_EQ(format_list(sample(), FMT_NUMERIC | FMT_STATS, kNumeric).find("Default local"), std::string::npos);
	// -S: --dest-check on the -A lines, the default pool after every service.
	const std::string rules = format_rules(sample_by_hand(), FMT_NUMERIC, kNumeric);
	EXPECT_NE(rules.find("-A -t 192.0.2.10:80 -s rr -j --dest-check\n"), std::string::npos) << rules;
	EXPECT_EQ(rules.substr(rules.size() - 42), "-P -z 203.0.113.200\n-P -z 2001:db8:5::200\n");
}

TEST(Format, GoldenListings)
{
	const Listing l = sample();
	expect_golden("list_numeric.txt", format_list(l, FMT_NUMERIC, kNumeric));
	expect_golden("list_names.txt", format_list(l, 0, kNames));
	expect_golden("list_stats.txt", format_list(l, FMT_NUMERIC | FMT_STATS, kNumeric));
	expect_golden("list_stats_exact.txt", format_list(l, FMT_NUMERIC | FMT_STATS | FMT_EXACT, kNumeric));
	expect_golden("list_rate.txt", format_list(l, FMT_NUMERIC | FMT_RATE, kNumeric));
	Listing one;
	one.services = {l.services[2]};
	expect_golden("list_service.txt", format_list(one, FMT_NUMERIC, kNumeric));
	Listing empty;
	empty.info = l.info;
	expect_golden("list_empty.txt", format_list(empty, FMT_NUMERIC, kNumeric));
}

TEST(Format, GoldenSortedListing)
{
	Listing l = sample();
	std::swap(l.services[0], l.services[3]);
	std::reverse(l.services[3].dests.begin(), l.services[3].dests.end());
	std::reverse(l.services[3].laddrs.begin(), l.services[3].laddrs.end());
	sort_listing(l);
	expect_golden("list_sorted.txt", format_list(l, FMT_NUMERIC, kNumeric));
}

TEST(Format, GoldenRules)
{
	expect_golden("rules_numeric.txt", format_rules(sample_by_hand(), FMT_NUMERIC, kNumeric));
	expect_golden("rules_names.txt", format_rules(sample_by_hand(), 0, kNames));
	// Services another program made are named, not saved (app_test: -R of it).
	const std::string others = format_rules(sample(), FMT_NUMERIC, kNumeric);
	EXPECT_EQ(others.substr(0, 91), "# -t 192.0.2.10:80 is made by mirror: not saved\n"
					"# -u 192.0.2.10:53 is made by 7: not saved\n")
		<< others;
}

TEST(Format, GoldenTimeoutConnsAndLaddrs)
{
	expect_golden("timeout.txt", format_timeout(sample_config()));
	expect_golden("conns.txt", format_conns(sample_conns(), FMT_NUMERIC, kNumeric));
	expect_golden("conns_names.txt", format_conns(sample_conns(), 0, kNames));
	expect_golden("laddrs.txt", format_laddrs(sample(), FMT_NUMERIC, kNumeric));
}

TEST(Format, GoldenJson)
{
	expect_golden("list.json", json_list(sample()));
	expect_golden("conns.json", json_conns(sample_conns()));
	expect_golden("timeout.json", json_timeout(sample_config()));
	expect_golden("laddrs.json", json_laddrs(sample(), true));
	// -G -t: one service, no default pool.
	Listing one;
	one.services = {sample().services[0]};
	EXPECT_EQ(json_laddrs(one, false).find("default_laddrs"), std::string::npos);
	// -L -t (no info): no default pool either.
	EXPECT_EQ(json_list(one).find("default_laddrs"), std::string::npos);
	// Only the tunables the kernel reported.
	Config partial;
	partial.timeout_udp = 30;
	EXPECT_EQ(json_timeout(partial), "{\n  \"timeout_udp\": 30\n}\n");
	EXPECT_EQ(json_conns({}), "{\n  \"connections\": []\n}\n");
}

TEST(Format, LargeNumbersAsIpvsadm)
{
	// print_largenum: 9 columns; K from 100 million, M from 1 billion, G, T.
	auto line = [](std::uint64_t v, unsigned fmt) {
		Listing l;
		ServiceView s;
		s.svc.key = {Proto::TCP, A("192.0.2.1"), 1};
		s.svc.stats.conns = v;
		l.services = {s};
		const std::string out = format_list(l, FMT_NUMERIC | FMT_STATS | fmt, kNumeric);
		const auto start = out.find("TCP  192.0.2.1:1");
		return out.substr(start + 33, 9);
	};
	EXPECT_EQ(line(0, 0), "        0");
	EXPECT_EQ(line(99999999, 0), " 99999999");
	EXPECT_EQ(line(100000000, 0), "  100000K");
	EXPECT_EQ(line(999999999, 0), "  999999K");
	EXPECT_EQ(line(1000000000, 0), "    1000M");
	EXPECT_EQ(line(99999999999ULL, 0), "   99999M");
	EXPECT_EQ(line(100000000000ULL, 0), "     100G");
	EXPECT_EQ(line(100000000000000ULL, 0), "     100T");
	EXPECT_EQ(line(99999999, FMT_EXACT), " 99999999");
	EXPECT_EQ(line(123456789012ULL, FMT_EXACT), " 12345678");  // 13 columns: first 9 shown
}

TEST(Format, AddrPortForms)
{
	EXPECT_EQ(format_addr_port(A("192.0.2.10"), 80, Proto::TCP, FMT_NUMERIC, kNames), "192.0.2.10:80");
	EXPECT_EQ(format_addr_port(A("2001:db8::10"), 80, Proto::TCP, FMT_NUMERIC, kNames), "[2001:db8::10]:80");
	EXPECT_EQ(format_addr_port(A("192.0.2.80"), 443, Proto::TCP, 0, kNames), "www.example.test:https");
	EXPECT_EQ(format_addr_port(A("192.0.2.81"), 444, Proto::UDP, 0, kNames), "192.0.2.81:444");
	// IPv6 hosts stay numeric (as ipvsadm): -S output must read back.
	EXPECT_EQ(format_addr_port(A("2001:db8::10"), 80, Proto::TCP, 0, kNames), "[2001:db8::10]:http");
	EXPECT_EQ(format_addr_port(A("2001:db8:0:0:1:0:0:1"), 1, Proto::TCP, FMT_NUMERIC, kNames),
		  "[2001:db8::1:0:0:1]:1");
	EXPECT_EQ(version_string(IPVS_FNAT_VERSION_CODE(1, 2, 3)), "1.2.3");
}

// The datapath counters as /proc/net/ip_vs_fnat_stats prints them ("%-24s %llu").
const char *kProcStats = "conns                    12\n"
			 "conn_new                 345\n"
			 "synproxy_syn             200000\n"
			 "a line with more fields  1 2\n"
			 "\n"
			 "not_a_number             12x\n"
			 "bad-name                 3\n"
			 "no_route_drop            18446744073709551615\n";

TEST(Prometheus, ProcCountersTwoFieldLinesOnly)
{
	EXPECT_EQ(parse_proc_counters(kProcStats),
		  (std::vector<ProcCounter>{{"conns", 12},
					    {"conn_new", 345},
					    {"synproxy_syn", 200000},
					    {"no_route_drop", 18446744073709551615ULL}}));
	EXPECT_TRUE(parse_proc_counters("").empty());
}

TEST(Prometheus, Escaping)
{
	EXPECT_EQ(prometheus_escape("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
	EXPECT_EQ(prometheus_escape("a\\b\"c\nd", false), "a\\\\b\"c\\nd");
}

TEST(Prometheus, Golden)
{
	expect_golden("prometheus.txt", format_prometheus(sample(), parse_proc_counters(kProcStats)));
	// Nothing at all: no family, not even a HELP line.
	EXPECT_EQ(format_prometheus(Listing{}, {}), "");
	// Without the file: the kernel's part only.
	const std::string no_proc = format_prometheus(sample(), {});
	EXPECT_EQ(no_proc.find("ipvs_fnat_conn_new_total"), std::string::npos);
	EXPECT_NE(no_proc.find("ipvs_fnat_service_info{"), std::string::npos);
}

TEST(Prometheus, EveryFamilyHasItsHelpAndTypeOnceAndItsSamplesTogether)
{
	const std::string out = format_prometheus(sample(), parse_proc_counters(kProcStats));
	std::istringstream in(out);
	std::vector<std::string> seen;
	std::string current;
	for (std::string line; std::getline(in, line);) {
		if (line.rfind("# HELP ", 0) == 0) {
			current = line.substr(7, line.find(' ', 7) - 7);
			EXPECT_EQ(std::find(seen.begin(), seen.end(), current), seen.end()) << current;
			seen.push_back(current);
			continue;
		}
		if (line.rfind("# TYPE ", 0) == 0) {
			EXPECT_TRUE(line == "# TYPE " + current + " counter" || line == "# TYPE " + current + " gauge") << line;
			const bool counter = line.ends_with(" counter");
			EXPECT_EQ(counter, current.ends_with("_total")) << current;
			continue;
		}
		const std::string name = line.substr(0, line.find_first_of("{ "));
		EXPECT_EQ(name, current) << line;
		EXPECT_EQ(name.rfind("ipvs_fnat_", 0), 0u) << line;
	}
	EXPECT_EQ(seen.size(), 29u);  // 25 of the kernel, 4 of the datapath counters given
}
