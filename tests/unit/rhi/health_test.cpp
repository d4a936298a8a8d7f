// The decision of route health injection as tables: services and their real
// servers in, the VIPs' verdicts out.
#include <gtest/gtest.h>

#include "fnat/uapi.hpp"
#include "health.hpp"

using namespace rhi;
using fnat::Address;
using fnat::Dest;

namespace {

Address A(const char *s) { return *Address::parse(s); }

Dest dest(std::uint32_t weight, std::uint8_t check = IPVS_FNAT_DEST_CHECK_OK)
{
	Dest d;
	d.addr = A("203.0.113.11");
	d.port = 80;
	d.weight = weight;
	d.check_state = check;
	return d;
}

ServiceHealth svc(const char *vip, std::uint16_t port, std::vector<Dest> dests)
{
	ServiceHealth s;
	s.key.addr = A(vip);
	s.key.port = port;
	s.dests = std::move(dests);
	return s;
}

}  // namespace

TEST(RhiHealth, UsableRealServer)
{
	EXPECT_TRUE(dest_usable(dest(1)));
	EXPECT_FALSE(dest_usable(dest(0)));  // taken out (keepalived's inhibit_on_failure)
	EXPECT_FALSE(dest_usable(dest(5, IPVS_FNAT_DEST_CHECK_INHIBITED)));
	EXPECT_FALSE(dest_usable(dest(5, IPVS_FNAT_DEST_CHECK_TRIAL)));  // not back yet
	Dest full = dest(1);
	full.u_thresh = 10;
	full.active_conns = 10;
	EXPECT_TRUE(dest_usable(full));  // load, not health
}

struct Case {
	const char *name;
	std::vector<ServiceHealth> services;
	Require require;
	std::vector<Address> only;
	std::map<Address, VipVerdict> want;
};

class RhiDecide : public testing::TestWithParam<Case> {};

TEST_P(RhiDecide, Verdicts)
{
	const Case &c = GetParam();
	EXPECT_EQ(decide(c.services, c.require, c.only), c.want) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
	Table, RhiDecide,
	testing::Values(
		Case{"no service: nothing to announce", {}, Require::Any, {}, {}},
		Case{"one service, one usable real server",
		     {svc("192.0.2.10", 80, {dest(1)})}, Require::Any, {}, {{A("192.0.2.10"), {true, 1, 1}}}},
		Case{"one of two usable is enough",
		     {svc("192.0.2.10", 80, {dest(0), dest(1)})}, Require::Any, {}, {{A("192.0.2.10"), {true, 1, 1}}}},
		Case{"all real servers out: withdrawn",
		     {svc("192.0.2.10", 80, {dest(0), dest(2, IPVS_FNAT_DEST_CHECK_INHIBITED)})}, Require::Any, {},
		     {{A("192.0.2.10"), {false, 1, 0}}}},
		Case{"a service without real servers cannot serve",
		     {svc("192.0.2.10", 80, {})}, Require::Any, {}, {{A("192.0.2.10"), {false, 1, 0}}}},
		Case{"any: one service of the VIP serving keeps it",
		     {svc("192.0.2.10", 80, {dest(1)}), svc("192.0.2.10", 443, {dest(0)})}, Require::Any, {},
		     {{A("192.0.2.10"), {true, 2, 1}}}},
		Case{"all: one service of the VIP down withdraws it",
		     {svc("192.0.2.10", 80, {dest(1)}), svc("192.0.2.10", 443, {dest(0)})}, Require::All, {},
		     {{A("192.0.2.10"), {false, 2, 1}}}},
		Case{"VIPs decided apart, IPv4 and IPv6",
		     {svc("192.0.2.10", 80, {dest(1)}), svc("2001:db8:10::10", 80, {dest(0)})}, Require::Any, {},
		     {{A("192.0.2.10"), {true, 1, 1}}, {A("2001:db8:10::10"), {false, 1, 0}}}},
		Case{"--vip: only those, and one without a service is withdrawn",
		     {svc("192.0.2.10", 80, {dest(1)}), svc("192.0.2.20", 80, {dest(1)})}, Require::Any,
		     {A("192.0.2.10"), A("192.0.2.30")},
		     {{A("192.0.2.10"), {true, 1, 1}}, {A("192.0.2.30"), {false, 0, 0}}}}),
	[](const testing::TestParamInfo<Case> &i) { return "case" + std::to_string(i.index); });

TEST(RhiHealth, Describe)
{
	EXPECT_EQ(describe(A("192.0.2.10"), {true, 2, 1}), "192.0.2.10: 1 of 2 services can serve");
	EXPECT_EQ(describe(A("2001:db8::1"), {false, 1, 0}), "2001:db8::1: 0 of 1 service can serve");
	EXPECT_EQ(describe(A("192.0.2.30"), {false, 0, 0}), "192.0.2.30: no service");
}
