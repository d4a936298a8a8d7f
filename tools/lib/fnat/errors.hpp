#pragma once
// What the user reads when the kernel refuses a command: ipvsadm's text where ipvsadm
// has one, chosen per (command, errno) from one table, then our own for local addresses.
#include <cstdint>
#include <string>
#include <string_view>

namespace fnat {

// The message for errno err (positive) returned to IPVS_FNAT_CMD_* cmd: the entry
// for that command if there is one, else the entry for any command, else strerror.
std::string error_text(std::uint8_t cmd, int err);

// error_text plus the kernel's extended-ack text when it has one.
std::string error_message(std::uint8_t cmd, int err, std::string_view extack);

}  // namespace fnat
