// One pass of route health injection against the shared fake kernel and a fake
// interface: what is added, removed, left alone, and logged.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <stdexcept>

#include "fake_kernel.hpp"
#include "injector.hpp"

using namespace rhi;
using fnat::Address;

namespace {

Address A(const char *s) { return *Address::parse(s); }

class FakeAddresses : public Addresses {
public:
	std::set<Address> addrs;
	std::vector<std::string> calls;
	std::set<Address> list() override { return addrs; }
	void add(const Address &a) override
	{
		calls.push_back("add " + a.str());
		addrs.insert(a);
	}
	void del(const Address &a) override
	{
		calls.push_back("del " + a.str());
		addrs.erase(a);
	}
};

struct Bed {
	std::shared_ptr<fnat::test::FakeKernel> kernel = std::make_shared<fnat::test::FakeKernel>();
	bool loaded = true;
	FakeAddresses iface;
	std::ostringstream log;
	Options opts;
	std::unique_ptr<Injector> inj;

	Bed()
	{
		inj = std::make_unique<Injector>(
			[this]() -> std::shared_ptr<fnat::Kernel> {
				if (!loaded)
					throw fnat::ModuleNotLoaded();
				return kernel;
			},
			iface, opts, log);
	}
	void service(const char *vip, std::uint32_t weight)
	{
		fnat::ServiceSpec s;
		s.key.addr = A(vip);
		s.key.port = 80;
		s.sched = "rr";
		kernel->add_service(s);
		fnat::DestSpec d;
		d.addr = A(std::string(vip).find(':') != std::string::npos ? "2001:db8:5::11" : "203.0.113.11");
		d.port = 80;
		d.weight = weight;
		kernel->add_dest(s.key, d);
	}
	void weight(const char *vip, std::uint32_t w)
	{
		fnat::ServiceKey k;
		k.addr = A(vip);
		k.port = 80;
		fnat::DestSpec d;
		d.addr = A(std::string(vip).find(':') != std::string::npos ? "2001:db8:5::11" : "203.0.113.11");
		d.port = 80;
		d.weight = w;
		kernel->edit_dest(k, d);
	}
};

}  // namespace

TEST(RhiInjector, AnnouncesWithdrawsAndAnnouncesAgain)
{
	Bed b;
	b.service("192.0.2.10", 1);
	b.service("2001:db8:10::10", 1);
	EXPECT_TRUE(b.inj->pass());
	EXPECT_EQ(b.iface.addrs, (std::set<Address>{A("192.0.2.10"), A("2001:db8:10::10")}));
	EXPECT_NE(b.log.str().find("announce 192.0.2.10: 1 of 1 service can serve"), std::string::npos) << b.log.str();

	b.iface.calls.clear();
	EXPECT_TRUE(b.inj->pass());
	EXPECT_TRUE(b.iface.calls.empty()) << "a pass with nothing changed changes nothing";

	b.weight("192.0.2.10", 0);
	b.inj->pass();
	EXPECT_EQ(b.iface.calls, std::vector<std::string>{"del 192.0.2.10"});
	EXPECT_NE(b.log.str().find("withdraw 192.0.2.10: 0 of 1 service can serve"), std::string::npos);

	b.weight("192.0.2.10", 3);
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs.count(A("192.0.2.10")), 1u);
}

TEST(RhiInjector, LeavesOtherAddressesAloneAndAdoptsItsVips)
{
	Bed b;
	b.iface.addrs = {A("192.0.2.201"), A("192.0.2.10")};  // a LIP put there by hand; the VIP from before
	b.service("192.0.2.10", 0);
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.201")});
	EXPECT_EQ(b.iface.calls, std::vector<std::string>{"del 192.0.2.10"});
}

TEST(RhiInjector, ServiceGoneOrModuleUnloadedWithdraws)
{
	Bed b;
	b.service("192.0.2.10", 1);
	b.service("192.0.2.20", 1);
	b.inj->pass();
	fnat::ServiceKey k;
	k.addr = A("192.0.2.20");
	k.port = 80;
	b.kernel->del_service(k);
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.10")});
	EXPECT_NE(b.log.str().find("withdraw 192.0.2.20: no service"), std::string::npos) << b.log.str();

	b.loaded = false;
	EXPECT_FALSE(b.inj->pass());
	EXPECT_TRUE(b.iface.addrs.empty());
	const std::string once = b.log.str();
	EXPECT_NE(once.find("cannot read the FULLNAT services"), std::string::npos) << once;
	b.inj->pass();
	EXPECT_EQ(b.log.str(), once) << "the failure is logged once, not every pass";

	b.loaded = true;
	EXPECT_TRUE(b.inj->pass());
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.10")});
	EXPECT_NE(b.log.str().find("the kernel is readable again"), std::string::npos);
}

TEST(RhiInjector, WithdrawAllOnExit)
{
	Bed b;
	b.iface.addrs = {A("192.0.2.201")};
	b.service("192.0.2.10", 1);
	b.inj->pass();
	b.inj->withdraw_all();
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.201")});
	EXPECT_TRUE(b.inj->managed().empty());
}
