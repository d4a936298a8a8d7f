#pragma once
// The kernel as the tools see it: one call per IPVS_FNAT command. NetlinkKernel
// speaks the generic-netlink family; the unit tests use an in-memory fake.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fnat/model.hpp"

namespace fnat {

// A command the kernel refused: the IPVS_FNAT_CMD_* sent, the kernel's own errno
// (positive; ESRCH and ENOENT kept apart) and its extended-ack text, if any.
class KernelError : public std::runtime_error {
public:
	KernelError(std::uint8_t cmd, int err, std::string extack = {});
	std::uint8_t cmd() const { return cmd_; }
	int err() const { return err_; }
	const std::string &extack() const { return extack_; }

private:
	std::uint8_t cmd_;
	int err_;
	std::string extack_;
};

// The IPVS_FNAT family is not registered: the module is not loaded.
class ModuleNotLoaded : public std::runtime_error {
public:
	ModuleNotLoaded();
};

// Any other failure to reach the kernel (socket, protocol, malformed reply).
class TransportError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

class Kernel {
public:
	virtual ~Kernel() = default;

	virtual void add_service(const ServiceSpec &spec) = 0;
	virtual void edit_service(const ServiceSpec &spec) = 0;
	virtual void del_service(const ServiceKey &key) = 0;
	virtual Service get_service(const ServiceKey &key) = 0;
	virtual std::vector<Service> services() = 0;

	virtual void add_dest(const ServiceKey &key, const DestSpec &dest) = 0;
	virtual void edit_dest(const ServiceKey &key, const DestSpec &dest) = 0;
	virtual void del_dest(const ServiceKey &key, const Address &addr, std::uint16_t port) = 0;
	virtual std::vector<Dest> dests(const ServiceKey &key) = 0;

	// A service's pool, or the namespace's default pool when key is empty.
	// peer: another director's LIP, for its synced connections only.
	virtual void add_laddr(const std::optional<ServiceKey> &key, const Address &addr, bool peer) = 0;
	virtual void del_laddr(const std::optional<ServiceKey> &key, const Address &addr) = 0;
	// One service's LIPs, or every service's and then the default pool's when key is
	// empty.
	virtual std::vector<LaddrEntry> laddrs(const std::optional<ServiceKey> &key) = 0;

	virtual void set_config(const Config &cfg) = 0;
	virtual Config config() = 0;
	virtual Info info() = 0;
	// One service's counters (and its destinations'), or every service's.
	virtual void zero(const std::optional<ServiceKey> &key) = 0;
	virtual void flush() = 0;
	virtual std::vector<Conn> conns() = 0;

	// Connection sync daemons (docs/sync.md): one master and one backup at most.
	virtual void start_daemon(const DaemonConfig &cfg) = 0;
	virtual void stop_daemon(std::uint32_t state) = 0;
	virtual std::vector<Daemon> daemons() = 0;
};

}  // namespace fnat
