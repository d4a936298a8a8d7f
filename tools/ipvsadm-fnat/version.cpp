#include "version.hpp"

namespace fnat {
std::string_view tool_version() { return IPVSADM_FNAT_VERSION; }
} // namespace fnat
