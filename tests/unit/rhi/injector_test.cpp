// One pass of route health injection against the shared fake kernel and a fake
// interface: what is added, removed, left alone, and logged.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "fake_kernel.hpp"
#include "fnat/uapi.hpp"
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
	std::chrono::steady_clock::time_point now{};
	std::unique_ptr<Injector> inj;

	explicit Bed(Options o = {}) : opts(std::move(o))
	{
		inj = std::make_unique<Injector>(
			[this]() -> std::shared_ptr<fnat::Kernel> {
				if (!loaded)
					throw fnat::ModuleNotLoaded();
				return kernel;
			},
			iface, opts, log, [this] { return now; });
	}
	// The backup daemon as GET_DAEMON would show it: masters by sync id, synced or not.
	void backup(std::optional<bool> synced, std::vector<std::pair<std::uint32_t, bool>> masters)
	{
		fnat::Daemon d;
		d.state = IPVS_FNAT_DAEMON_BACKUP;
		d.mcast_ifn = "lan0";
		d.synced = synced;
		for (const auto &[id, ok] : masters) {
			fnat::SyncMaster m;
			m.syncid = id;
			m.synced = ok;
			d.masters.push_back(m);
		}
		kernel->running = {d};
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

TEST(RhiInjector, SyncWaitAnnouncesOnlyOnceTheBackupHoldsEveryMaster)
{
	Options o;
	o.sync_wait = true;
	Bed b(o);
	b.service("192.0.2.10", 1);
	EXPECT_TRUE(b.inj->pass());
	EXPECT_TRUE(b.iface.addrs.empty()) << "no backup daemon: nothing announced";
	EXPECT_NE(b.log.str().find("waiting to announce: no sync backup daemon runs"), std::string::npos) << b.log.str();

	b.backup(false, {{1, true}, {2, false}});
	b.inj->pass();
	EXPECT_TRUE(b.iface.addrs.empty());
	EXPECT_NE(b.log.str().find("waiting to announce: the sync backup holds 1 of 2 masters' connections"),
		  std::string::npos)
		<< b.log.str();
	const std::string once = b.log.str();
	b.inj->pass();
	EXPECT_EQ(b.log.str(), once) << "the same reason is logged once";

	b.backup(true, {{1, true}, {2, true}});
	b.now += std::chrono::milliseconds(1500);
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.10")});
	EXPECT_NE(b.log.str().find("holds every live master's connections (after 1500 ms): announcing"),
		  std::string::npos)
		<< b.log.str();

	// Open for good: a master heard later (resyncing) does not take the VIP away.
	b.backup(false, {{1, true}, {2, true}, {3, false}});
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.10")});
	EXPECT_TRUE(b.inj->sync_gate_open());
}

TEST(RhiInjector, SyncWaitWithdrawsWhatWasThereAndTimesOut)
{
	Options o;
	o.sync_wait = true;
	o.sync_timeout_s = 10;
	Bed b(o);
	b.iface.addrs = {A("192.0.2.10")};  // from a run before this one
	b.service("192.0.2.10", 1);
	b.backup(false, {{1, false}});
	b.inj->pass();
	EXPECT_TRUE(b.iface.addrs.empty()) << "not announced while the backup resyncs";
	EXPECT_NE(b.log.str().find("withdraw 192.0.2.10: waiting for sync"), std::string::npos) << b.log.str();
	b.now += std::chrono::seconds(9);
	b.inj->pass();
	EXPECT_TRUE(b.iface.addrs.empty());
	b.now += std::chrono::seconds(1);
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.10")});
	EXPECT_NE(b.log.str().find("announcing without the other directors' connections: the sync backup holds 0 of 1"
				   " masters' connections after 10 s (--sync-timeout)"),
		  std::string::npos)
		<< b.log.str();
}

TEST(RhiInjector, WithoutSyncWaitTheDaemonsAreNotRead)
{
	Bed b;
	b.service("192.0.2.10", 1);
	b.inj->pass();
	EXPECT_EQ(std::count(b.kernel->calls.begin(), b.kernel->calls.end(), "daemons"), 0);
	EXPECT_EQ(b.iface.addrs, std::set<Address>{A("192.0.2.10")});
}

TEST(RhiInjector, LipsOwnAnnouncedPeersLeftBehindTheSyncGate)
{
	Options o;
	o.lips = true;
	o.sync_wait = true;
	Bed b(o);
	b.service("192.0.2.10", 1);
	fnat::ServiceKey k;
	k.addr = A("192.0.2.10");
	k.port = 80;
	b.kernel->add_laddr(k, A("192.0.2.201"), false);
	b.kernel->add_laddr(k, A("192.0.2.202"), true);     // another director's
	b.kernel->add_laddr(std::nullopt, A("192.0.2.209"), false);  // the default pool
	b.backup(false, {{2, false}});
	b.inj->pass();
	EXPECT_TRUE(b.iface.addrs.empty()) << "neither VIP nor LIP before the backup is synced";

	b.backup(true, {{2, true}});
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs, (std::set<Address>{A("192.0.2.10"), A("192.0.2.201"), A("192.0.2.209")}));
	EXPECT_NE(b.log.str().find("announce 192.0.2.201: a LIP of this director"), std::string::npos) << b.log.str();

	b.kernel->del_laddr(k, A("192.0.2.201"));
	b.weight("192.0.2.10", 0);
	b.inj->pass();
	EXPECT_EQ(b.iface.addrs, (std::set<Address>{A("192.0.2.209")})) << "a LIP out of the pools, a VIP that cannot serve";

	b.inj->withdraw_all();
	EXPECT_TRUE(b.iface.addrs.empty());
}
