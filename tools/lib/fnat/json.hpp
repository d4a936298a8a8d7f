#pragma once
// JSON output: nlohmann::ordered_json (keys in insertion order), printed the one way
// every --json listing is (two-space indent, a final newline).
#include <string>

#include <nlohmann/json.hpp>

namespace fnat::json {

using Value = nlohmann::ordered_json;

// The text of v followed by a newline. Bytes of a string that are not UTF-8 print as
// U+FFFD, so the output is always valid JSON.
std::string dump(const Value &v);

}  // namespace fnat::json
