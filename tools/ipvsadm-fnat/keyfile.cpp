#include "keyfile.hpp"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "fnat/uapi.hpp"

namespace fnat {

void SecretBytes::wipe(std::vector<std::uint8_t> &b)
{
	if (!b.empty())
		explicit_bzero(b.data(), b.size());
	b.clear();
}

namespace {

[[noreturn]] void refuse(const std::string &path, const std::string &why)
{
	throw std::runtime_error("sync key file " + path + ": " + why);
}

struct Fd {
	int fd;
	~Fd()
	{
		if (fd >= 0)
			close(fd);
	}
};

}  // namespace

SecretBytes read_sync_key(const std::string &path)
{
	Fd f{open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
	if (f.fd < 0)
		refuse(path, std::strerror(errno));
	struct stat st;
	if (fstat(f.fd, &st) < 0)
		refuse(path, std::strerror(errno));
	if (!S_ISREG(st.st_mode))
		refuse(path, "not a regular file");
	if (st.st_mode & 077)
		refuse(path, "readable or writable by group or others (chmod 600 it)");
	// One byte more than the longest key and its newline: a longer file is refused
	// without reading it all.
	std::vector<std::uint8_t> buf(IPVS_FNAT_SYNC_KEY_MAX + 2);
	std::size_t len = 0;
	for (;;) {
		const ssize_t n = read(f.fd, buf.data() + len, buf.size() - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			SecretBytes::wipe(buf);
			refuse(path, std::strerror(errno));
		}
		if (n == 0)
			break;
		len += static_cast<std::size_t>(n);
		if (len == buf.size())
			break;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	if (len < IPVS_FNAT_SYNC_KEY_MIN || len > IPVS_FNAT_SYNC_KEY_MAX) {
		SecretBytes::wipe(buf);
		refuse(path, "the key must be " + std::to_string(IPVS_FNAT_SYNC_KEY_MIN) + " to " +
				     std::to_string(IPVS_FNAT_SYNC_KEY_MAX) + " bytes (one trailing newline is not counted)");
	}
	explicit_bzero(buf.data() + len, buf.size() - len);
	buf.resize(len);
	return SecretBytes(std::move(buf));
}

}  // namespace fnat
