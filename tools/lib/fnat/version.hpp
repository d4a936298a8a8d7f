#pragma once
#include <string_view>

namespace fnat {
// The tools' release, the same as the project's (CMake's PROJECT_VERSION).
std::string_view tool_version();
} // namespace fnat
