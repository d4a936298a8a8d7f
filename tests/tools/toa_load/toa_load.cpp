// toa_load — connect/close load: T threads each connect to ADDR:PORT, wait for the
// server to close (it accepts, asks getpeername() and closes), and close with an RST
// (SO_LINGER 0) so that no side keeps a TIME_WAIT. Runs for S seconds, then prints
//   connections=N failed=N elapsed_ms=N
//
//   toa_load --dst ADDR --port PORT [--threads T] [--duration S]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void usage()
{
	std::fprintf(stderr, "usage: toa_load --dst ADDR --port PORT [--threads T] [--duration S]\n");
	std::exit(2);
}

struct Target {
	sockaddr_storage ss{};
	socklen_t len = 0;
};

bool one(const Target &t)
{
	int fd = socket(t.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool ok = false;
	if (connect(fd, reinterpret_cast<const sockaddr *>(&t.ss), t.len) == 0) {
		// Wait for the server's FIN (or a timeout: the server may be gone).
		pollfd p{fd, POLLIN, 0};
		char buf[256];
		if (poll(&p, 1, 2000) > 0 && read(fd, buf, sizeof(buf)) >= 0)
			ok = true;
	}
	linger l{1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	return ok;
}

}  // namespace

int main(int argc, char **argv)
{
	std::string dst;
	int port = -1, threads = 1, duration = 5;
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (i + 1 >= argc)
			usage();
		if (a == "--dst")
			dst = argv[++i];
		else if (a == "--port")
			port = std::atoi(argv[++i]);
		else if (a == "--threads")
			threads = std::atoi(argv[++i]);
		else if (a == "--duration")
			duration = std::atoi(argv[++i]);
		else
			usage();
	}
	Target t;
	auto &sin = reinterpret_cast<sockaddr_in &>(t.ss);
	auto &sin6 = reinterpret_cast<sockaddr_in6 &>(t.ss);
	if (inet_pton(AF_INET, dst.c_str(), &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(static_cast<uint16_t>(port));
		t.len = sizeof(sin);
	} else if (inet_pton(AF_INET6, dst.c_str(), &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(static_cast<uint16_t>(port));
		t.len = sizeof(sin6);
	} else {
		usage();
	}
	if (port <= 0 || port > 65535 || threads < 1 || duration < 1)
		usage();

	std::atomic<unsigned long> done{0}, failed{0};
	auto t0 = std::chrono::steady_clock::now();
	auto end = t0 + std::chrono::seconds(duration);
	std::vector<std::thread> ts;
	for (int i = 0; i < threads; i++)
		ts.emplace_back([&] {
			while (std::chrono::steady_clock::now() < end)
				(one(t) ? done : failed)++;
		});
	for (auto &th : ts)
		th.join();
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
	std::printf("connections=%lu failed=%lu elapsed_ms=%lld\n", done.load(), failed.load(),
		    static_cast<long long>(ms));
	return 0;
}
