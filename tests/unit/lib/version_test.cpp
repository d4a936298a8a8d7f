#include <gtest/gtest.h>

#include "fnat/version.hpp"

TEST(Version, MatchesTheProjectRelease)
{
	EXPECT_EQ(fnat::tool_version(), FNAT_TOOLS_VERSION);
	EXPECT_FALSE(fnat::tool_version().empty());
}
