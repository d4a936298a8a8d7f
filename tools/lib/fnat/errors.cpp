#include "fnat/errors.hpp"

#include <cerrno>
#include <cstring>

#include "fnat/kernel.hpp"
#include "fnat/uapi.hpp"

namespace fnat {
namespace {

constexpr std::uint8_t kAnyCommand = IPVS_FNAT_CMD_UNSPEC;

struct ErrorEntry {
	std::uint8_t cmd;
	int err;
	std::string_view text;
};

// Specific entries first; a command's own entry wins over the kAnyCommand one.
constexpr ErrorEntry kErrorTable[] = {
	{IPVS_FNAT_CMD_NEW_SERVICE, EEXIST, "Service already exists"},
	{IPVS_FNAT_CMD_NEW_SERVICE, ENOENT, "Scheduler not found"},
	{IPVS_FNAT_CMD_SET_SERVICE, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_SET_SERVICE, ENOENT, "Scheduler not found"},
	{IPVS_FNAT_CMD_DEL_SERVICE, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_GET_SERVICE, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_ZERO, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_NEW_DEST, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_NEW_DEST, EEXIST, "Destination already exists"},
	{IPVS_FNAT_CMD_SET_DEST, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_SET_DEST, ENOENT, "No such destination"},
	{IPVS_FNAT_CMD_DEL_DEST, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_DEL_DEST, ENOENT, "No such destination"},
	{IPVS_FNAT_CMD_GET_DEST, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_NEW_LADDR, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_NEW_LADDR, EEXIST, "Local address already exists"},
	{IPVS_FNAT_CMD_NEW_LADDR, EAFNOSUPPORT, "Local address family does not match the service"},
	{IPVS_FNAT_CMD_DEL_LADDR, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_DEL_LADDR, ENOENT, "No such local address"},
	{IPVS_FNAT_CMD_DEL_LADDR, EAFNOSUPPORT, "Local address family does not match the service"},
	{IPVS_FNAT_CMD_GET_LADDR, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_NEW_DAEMON, EEXIST, "A sync daemon of that kind is already running"},
	{IPVS_FNAT_CMD_NEW_DAEMON, ENODEV, "No such sync interface"},
	{IPVS_FNAT_CMD_NEW_DAEMON, EADDRINUSE, "The sync port is in use"},
	{IPVS_FNAT_CMD_NEW_DAEMON, ENOENT, "The kernel has no hmac(sha256) for the sync key"},
	{IPVS_FNAT_CMD_DEL_DAEMON, ESRCH, "No such sync daemon is running"},
	{kAnyCommand, EPERM, "Permission denied (you must be root)"},
	{kAnyCommand, EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
	{kAnyCommand, ENOPROTOOPT, "Protocol not available"},
	{kAnyCommand, ENOMEM, "Memory allocation problem"},
	{kAnyCommand, EOPNOTSUPP, "Operation not supported with IPv6"},
	{kAnyCommand, EAFNOSUPPORT, "Operation not supported with specified address family"},
	{kAnyCommand, EMSGSIZE, "Module is wrong version"},
};

}  // namespace

std::string error_text(std::uint8_t cmd, int err)
{
	for (const auto &e : kErrorTable)
		if (e.cmd == cmd && e.cmd != kAnyCommand && e.err == err)
			return std::string(e.text);
	for (const auto &e : kErrorTable)
		if (e.cmd == kAnyCommand && e.err == err)
			return std::string(e.text);
	return std::strerror(err);
}

std::string error_message(std::uint8_t cmd, int err, std::string_view extack)
{
	std::string msg = error_text(cmd, err);
	if (!extack.empty())
		msg += " (kernel: " + std::string(extack) + ")";
	return msg;
}

KernelError::KernelError(std::uint8_t cmd, int err, std::string extack)
	: std::runtime_error(error_message(cmd, err, extack)), cmd_(cmd), err_(err),
	  extack_(std::move(extack))
{
}

ModuleNotLoaded::ModuleNotLoaded()
	: std::runtime_error(
		  "The IPVS_FNAT generic netlink family is not registered: the ipvs_fnat module "
		  "is not loaded.\n"
		  "Load it with `modprobe ipvs_fnat` (installed module) or "
		  "`insmod build/ipvs_fnat.ko` (from the source tree), as root.")
{
}

}  // namespace fnat
