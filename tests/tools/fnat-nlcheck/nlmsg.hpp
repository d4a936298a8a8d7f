// Byte-exact generic-netlink messages for tests: a request is a tree of attributes
// that is encoded exactly as described, including deliberately wrong lengths, flags
// and trailing bytes. Replies are parsed into views with typed, checked accessors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nlc {

using Bytes = std::vector<uint8_t>;

// One attribute. A nest has children (and NLA_F_NESTED in type unless built with
// nest_noflag); a leaf has a payload. raw_len, when set, is written as nla_len instead
// of the true length (malformed messages).
struct Attr {
	uint16_t type = 0;
	Bytes payload;
	std::vector<Attr> kids;
	bool is_nest = false;
	std::optional<uint16_t> raw_len;
};

Attr u8(uint16_t type, uint8_t v);
Attr u16(uint16_t type, uint16_t v);
Attr u32(uint16_t type, uint32_t v);
Attr u64(uint16_t type, uint64_t v);
Attr be16(uint16_t type, uint16_t host_value);	// network byte order on the wire
Attr str(uint16_t type, const std::string &s);	// with the terminating NUL
Attr bytes(uint16_t type, Bytes b);
Attr nest(uint16_t type, std::vector<Attr> kids);	// sets NLA_F_NESTED
Attr nest_noflag(uint16_t type, std::vector<Attr> kids);
Attr with_len(Attr a, uint16_t raw_len);
Attr with_flags(Attr a, uint16_t flags);	// ORs flags (NLA_F_*) into the type

Bytes encode(const std::vector<Attr> &attrs);

// A generic-netlink request.
struct Request {
	uint8_t cmd = 0;
	uint8_t version = 1;
	uint16_t reserved = 0;
	bool dump = false;		// NLM_F_DUMP (otherwise NLM_F_ACK)
	std::vector<Attr> attrs;
	Bytes trailer;			// raw bytes after the attributes
};

Bytes encode_request(const Request &r, uint16_t family, uint32_t seq);

// Address helpers: "192.0.2.1" -> 4 bytes, "2001:db8::1" -> 16 bytes.
Bytes addr(const std::string &text);
std::string addr_str(const uint8_t *p, size_t len);

class ParseError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// A parsed attribute set (one nesting level), keyed by type without flags.
class AttrSet {
public:
	AttrSet() = default;
	AttrSet(const uint8_t *p, size_t len);	// throws ParseError if malformed

	bool has(uint16_t type) const { return attrs_.count(type) != 0; }
	size_t size() const { return attrs_.size(); }
	const Bytes &raw(uint16_t type) const;
	uint8_t get_u8(uint16_t type) const;
	uint16_t get_u16(uint16_t type) const;
	uint32_t get_u32(uint16_t type) const;
	uint64_t get_u64(uint16_t type) const;
	uint16_t get_be16(uint16_t type) const;
	std::string get_str(uint16_t type) const;
	AttrSet nested(uint16_t type) const;
	bool nested_flag(uint16_t type) const;
	std::vector<uint16_t> types() const;

private:
	struct Entry {
		Bytes data;
		bool nested;
	};
	const Entry &at(uint16_t type) const;
	std::map<uint16_t, Entry> attrs_;
};

} // namespace nlc
