#include "fnat/version.hpp"

namespace fnat {
std::string_view tool_version() { return FNAT_TOOLS_VERSION; }
} // namespace fnat
