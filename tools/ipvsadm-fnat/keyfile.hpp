#pragma once
// --sync-key-file: the connection sync key, read from a file only its owner may read.
#include <cstdint>
#include <string>
#include <vector>

namespace fnat {

// The key bytes wiped when it goes (the key is never printed, and no copy outlives
// its use).
class SecretBytes {
public:
	SecretBytes() = default;
	explicit SecretBytes(std::vector<std::uint8_t> b) : bytes_(std::move(b)) {}
	SecretBytes(const SecretBytes &) = delete;
	SecretBytes &operator=(const SecretBytes &) = delete;
	SecretBytes(SecretBytes &&o) noexcept : bytes_(std::move(o.bytes_)) {}
	~SecretBytes() { wipe(bytes_); }
	const std::vector<std::uint8_t> &bytes() const { return bytes_; }
	static void wipe(std::vector<std::uint8_t> &b);

private:
	std::vector<std::uint8_t> bytes_;
};

// The raw bytes of path less one trailing newline: 16..64 of them, from a regular file
// without any permission for group or others. Throws std::runtime_error saying what
// is wrong (never with the content).
SecretBytes read_sync_key(const std::string &path);

}  // namespace fnat
