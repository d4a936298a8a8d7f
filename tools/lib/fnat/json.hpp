#pragma once
// A minimal JSON value and a pretty printer (two-space indent, keys in insertion
// order), enough for the tool's --json output.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fnat::json {

struct Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;

struct Value {
	std::variant<std::nullptr_t, bool, std::uint64_t, std::string, Array, Object> v;

	Value() : v(nullptr) {}
	Value(bool b) : v(b) {}
	Value(std::uint64_t n) : v(n) {}
	Value(std::uint32_t n) : v(std::uint64_t{n}) {}
	Value(std::uint16_t n) : v(std::uint64_t{n}) {}
	Value(std::uint8_t n) : v(std::uint64_t{n}) {}
	Value(std::string s) : v(std::move(s)) {}
	Value(std::string_view s) : v(std::string(s)) {}
	Value(const char *s) : v(std::string(s)) {}
	Value(Array a) : v(std::move(a)) {}
	Value(Object o) : v(std::move(o)) {}
};

// The text of v followed by a newline.
std::string dump(const Value &v);

// s as a JSON string literal, quotes included.
std::string quote(std::string_view s);

}  // namespace fnat::json
