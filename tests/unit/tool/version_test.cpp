#include <gtest/gtest.h>

#include "version.hpp"

TEST(Version, MatchesTheProjectRelease)
{
	EXPECT_EQ(fnat::tool_version(), IPVSADM_FNAT_VERSION);
	EXPECT_FALSE(fnat::tool_version().empty());
}
