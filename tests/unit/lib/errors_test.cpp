// The (command, errno) -> text table: ipvsadm's texts where ipvsadm has one, ours for
// local addresses, generic entries, strerror as the last resort, and the extack.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "fnat/errors.hpp"
#include "fnat/kernel.hpp"
#include "fnat/uapi.hpp"

using namespace fnat;

namespace {

struct ErrCase {
	std::uint8_t cmd;
	int err;
	const char *text;
};

void PrintTo(const ErrCase &c, std::ostream *os) { *os << "cmd " << int(c.cmd) << " errno " << c.err; }

class ErrorText : public ::testing::TestWithParam<ErrCase> {};

TEST_P(ErrorText, PerCommandAndErrno) { EXPECT_EQ(error_text(GetParam().cmd, GetParam().err), GetParam().text); }

const ErrCase kCases[] = {
	// services
	{IPVS_FNAT_CMD_NEW_SERVICE, EEXIST, "Service already exists"},
	{IPVS_FNAT_CMD_NEW_SERVICE, ENOENT, "Scheduler not found"},
	{IPVS_FNAT_CMD_SET_SERVICE, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_SET_SERVICE, ENOENT, "Scheduler not found"},
	{IPVS_FNAT_CMD_DEL_SERVICE, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_GET_SERVICE, ESRCH, "No such service"},
	{IPVS_FNAT_CMD_ZERO, ESRCH, "No such service"},
	// destinations: ESRCH and ENOENT must stay apart (libnl would fold them)
	{IPVS_FNAT_CMD_NEW_DEST, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_NEW_DEST, EEXIST, "Destination already exists"},
	{IPVS_FNAT_CMD_NEW_DEST, EAFNOSUPPORT, "Operation not supported with specified address family"},
	{IPVS_FNAT_CMD_SET_DEST, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_SET_DEST, ENOENT, "No such destination"},
	{IPVS_FNAT_CMD_DEL_DEST, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_DEL_DEST, ENOENT, "No such destination"},
	{IPVS_FNAT_CMD_GET_DEST, ESRCH, "No such service"},
	// local addresses
	{IPVS_FNAT_CMD_NEW_LADDR, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_NEW_LADDR, EEXIST, "Local address already exists"},
	{IPVS_FNAT_CMD_NEW_LADDR, EAFNOSUPPORT, "Local address family does not match the service"},
	{IPVS_FNAT_CMD_DEL_LADDR, ESRCH, "Service not defined"},
	{IPVS_FNAT_CMD_DEL_LADDR, ENOENT, "No such local address"},
	{IPVS_FNAT_CMD_DEL_LADDR, EAFNOSUPPORT, "Local address family does not match the service"},
	{IPVS_FNAT_CMD_GET_LADDR, ESRCH, "No such service"},
	// any command
	{IPVS_FNAT_CMD_NEW_SERVICE, EPERM, "Permission denied (you must be root)"},
	{IPVS_FNAT_CMD_FLUSH, EPERM, "Permission denied (you must be root)"},
	{IPVS_FNAT_CMD_GET_CONN, EPERM, "Permission denied (you must be root)"},
	{IPVS_FNAT_CMD_SET_CONFIG, EPERM, "Permission denied (you must be root)"},
	{IPVS_FNAT_CMD_NEW_DEST, ENOMEM, "Memory allocation problem"},
	{IPVS_FNAT_CMD_NEW_SERVICE, EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
	{IPVS_FNAT_CMD_SET_CONFIG, EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
	{IPVS_FNAT_CMD_NEW_SERVICE, EAFNOSUPPORT, "Operation not supported with specified address family"},
	{IPVS_FNAT_CMD_GET_INFO, ENOPROTOOPT, "Protocol not available"},
	{IPVS_FNAT_CMD_NEW_SERVICE, EOPNOTSUPP, "Operation not supported with IPv6"},
	{IPVS_FNAT_CMD_GET_INFO, EMSGSIZE, "Module is wrong version"},
};

INSTANTIATE_TEST_SUITE_P(Table, ErrorText, ::testing::ValuesIn(kCases));

}  // namespace

TEST(ErrorText, EntriesOfOtherCommandsDoNotLeak)
{
	// ENOENT means a scheduler for NEW_SERVICE but a destination for DEL_DEST, and
	// nothing of the kind for FLUSH: strerror there.
	EXPECT_EQ(error_text(IPVS_FNAT_CMD_FLUSH, ENOENT), std::strerror(ENOENT));
	EXPECT_EQ(error_text(IPVS_FNAT_CMD_DEL_SERVICE, EEXIST), std::strerror(EEXIST));
	EXPECT_EQ(error_text(IPVS_FNAT_CMD_UNSPEC, ESRCH), std::strerror(ESRCH));
	EXPECT_EQ(error_text(IPVS_FNAT_CMD_GET_SERVICE, EBUSY), std::strerror(EBUSY));
}

TEST(ErrorText, ExtackIsShownAfterTheText)
{
	EXPECT_EQ(error_message(IPVS_FNAT_CMD_NEW_DEST, EINVAL, "weight out of range"),
		  "Invalid operation.  Possibly wrong module version, address not unicast, ... "
		  "(kernel: weight out of range)");
	EXPECT_EQ(error_message(IPVS_FNAT_CMD_DEL_SERVICE, ESRCH, ""), "No such service");
	const KernelError e(IPVS_FNAT_CMD_NEW_SERVICE, EEXIST, "service exists");
	EXPECT_STREQ(e.what(), "Service already exists (kernel: service exists)");
	EXPECT_EQ(e.err(), EEXIST);
	EXPECT_EQ(e.cmd(), IPVS_FNAT_CMD_NEW_SERVICE);
	EXPECT_EQ(e.extack(), "service exists");
}

TEST(ErrorText, ModuleNotLoadedSaysHowToLoadIt)
{
	const std::string m = ModuleNotLoaded().what();
	EXPECT_NE(m.find("ipvs_fnat module is not loaded"), std::string::npos);
	EXPECT_NE(m.find("modprobe ipvs_fnat"), std::string::npos);
	EXPECT_NE(m.find("insmod build/ipvs_fnat.ko"), std::string::npos);
}
