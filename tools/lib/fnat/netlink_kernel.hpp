#pragma once
// Kernel over the IPVS_FNAT generic-netlink family (libnl-3, libnl-genl-3).
#include <cstdint>
#include <functional>

#include "fnat/kernel.hpp"

struct nl_sock;
struct nl_msg;
struct nlattr;

namespace fnat {

class NetlinkKernel final : public Kernel {
public:
	// Connects and resolves the family: ModuleNotLoaded if it is not registered,
	// TransportError if generic netlink itself cannot be reached.
	NetlinkKernel();
	~NetlinkKernel() override;
	NetlinkKernel(const NetlinkKernel &) = delete;
	NetlinkKernel &operator=(const NetlinkKernel &) = delete;

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
	void start_daemon(const DaemonConfig &cfg) override;
	void stop_daemon(std::uint32_t state) override;
	std::vector<Daemon> daemons() override;

private:
	using Filler = std::function<void(nl_msg *)>;
	using Handler = std::function<void(nlattr **)>;  // top-level attributes of one reply

	// Sends one request and reads every reply up to the ACK, the error or the end of
	// the dump; throws KernelError with the kernel's raw errno and extack text.
	// Returns false when a dump was flagged NLM_F_DUMP_INTR (the tables changed
	// between its parts).
	bool transact(std::uint8_t cmd, bool dump, const Filler &fill, const Handler &on_reply = {});

	// A dump, repeated while the kernel flags it inconsistent (up to kDumpAttempts).
	template <typename T>
	std::vector<T> dump(std::uint8_t cmd, const Filler &fill, const std::function<T(nlattr **)> &item);
	static constexpr int kDumpAttempts = 5;

	nl_sock *sk_ = nullptr;
	int family_ = -1;
};

}  // namespace fnat
