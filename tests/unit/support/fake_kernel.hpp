#pragma once
// An in-memory Kernel with the error contract of kernel/include/uapi/ipvs_fnat.h:
// ESRCH no service, ENOENT no destination / local address / scheduler, EEXIST,
// EINVAL out-of-range values, the SYN proxy on a UDP service and a changed owner,
// EAFNOSUPPORT mixed families, EPERM for an unprivileged caller; a default LIP pool
// (the laddr calls without a key); nothing changes on error; everything kept in
// creation order. Shared by the unit tests of ipvsadm-fnat and ipvs-fnat-mirror.
#include <optional>
#include <string>
#include <vector>

#include "fnat/kernel.hpp"

namespace fnat::test {

class FakeKernel final : public Kernel {
public:
	// Every call, by name ("add_service", ...), in order.
	std::vector<std::string> calls;
	// What the last add/edit calls were given.
	std::optional<ServiceSpec> last_service_spec;
	std::optional<DestSpec> last_dest_spec;
	// false: mutating commands and conns() fail with EPERM, as without CAP_NET_ADMIN.
	bool privileged = true;
	// When set, the next call fails with this errno (and extack) whatever it is.
	std::optional<std::pair<int, std::string>> fail_next;
	// Returned by conns().
	std::vector<Conn> connections;
	Info info_reply{(1u << 16) | (0u << 8) | 0u, 4096, 0, 0};

	void add_service(const ServiceSpec &spec) override;
	void edit_service(const ServiceSpec &spec) override;
	void del_service(const ServiceKey &key) override;
	Service get_service(const ServiceKey &key) override;
	std::vector<Service> services() override;

	void add_dest(const ServiceKey &key, const DestSpec &dest) override;
	void edit_dest(const ServiceKey &key, const DestSpec &dest) override;
	void del_dest(const ServiceKey &key, const Address &addr, std::uint16_t port) override;
	std::vector<Dest> dests(const ServiceKey &key) override;

	void add_laddr(const std::optional<ServiceKey> &key, const Address &addr, bool peer) override;
	void del_laddr(const std::optional<ServiceKey> &key, const Address &addr) override;
	std::vector<LaddrEntry> laddrs(const std::optional<ServiceKey> &key) override;

	void set_config(const Config &cfg) override;
	Config config() override;
	Info info() override;
	void zero(const std::optional<ServiceKey> &key) override;
	void flush() override;
	std::vector<Conn> conns() override;
	// As the kernel: one master and one backup (EEXIST), ESRCH to stop one that does
	// not run, EINVAL for what NEW_DAEMON's checks refuse; the key is kept only as
	// last_daemon_key (to check what was sent) and reported as key_set.
	void start_daemon(const DaemonConfig &cfg) override;
	void stop_daemon(std::uint32_t state) override;
	std::vector<Daemon> daemons() override;
	std::vector<std::uint8_t> last_daemon_key;
	std::vector<Daemon> running;  // counters may be set by tests

	// Direct access for tests that set counters.
	struct Entry {
		Service svc;
		std::vector<Dest> dests;
		std::vector<Laddr> laddrs;
	};
	std::vector<Entry> table;
	std::vector<Laddr> default_laddrs;  // the namespace's default LIP pool
	Config cfg{900, 120, 300, 60, 0, 1024, 65535, true, false, true, 3, 5, 3600};

private:
	void enter(const char *name, std::uint8_t cmd, bool mutating);
	Entry &find(const ServiceKey &key, std::uint8_t cmd);
};

}  // namespace fnat::test
