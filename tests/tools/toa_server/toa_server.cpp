// toa_server — a TCP server for the toa.ko tests and benchmark.
//
//   toa_server --listen ADDR --port PORT [--max N] [--reply] [--fastopen]
//       Report mode. For each accepted connection print one line
//         accept=A getpeername=B so_peername=C lookup=D local=E
//       A: the address accept() returned, B: getpeername(), C: getsockopt(SO_PEERNAME),
//       D: getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP) ("[v6]:port", or the errno name),
//       E: getsockname(); addresses as 192.0.2.1:80 or [2001:db8::1]:80. With --reply the
//       line is also written to the client. Then the connection is closed. Exits after
//       N connections (default: never).
//
//   toa_server --listen ADDR --port PORT --no-accept
//       Listens and never accepts, until SIGTERM/SIGINT: the connections stay in the
//       accept queue, children nobody accepted.
//
//   toa_server --listen ADDR --port PORT --load --client-prefix P --lb ADDR
//              [--threads T] [--duration S]
//       Load mode: accept() with an address buffer and getpeername() on every connection,
//       as fast as possible, from T threads. Each peer is classified: "toa" if its
//       address starts with P (the TOA clients), "lb" if it is the load balancer's
//       address, "other" otherwise; "inconsistent" counts connections whose accept()
//       and getpeername() addresses differ. On SIGTERM/SIGINT (or after S seconds)
//       prints
//         accepted=N toa=N lb=N other=N inconsistent=N elapsed_ms=N
//       and exits; the first few "other" addresses go to stderr.
//
// Listening on "::" makes a dual-stack socket (IPV6_V6ONLY off).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern "C" {
#include "toa.h"
}

namespace {

std::atomic<bool> stop{false};

void on_signal(int) { stop = true; }

[[noreturn]] void die(const std::string &what)
{
	std::fprintf(stderr, "toa_server: %s: %s\n", what.c_str(), std::strerror(errno));
	std::exit(1);
}

[[noreturn]] void usage()
{
	std::fprintf(stderr,
		     "usage: toa_server --listen ADDR --port PORT [--max N] [--reply] [--fastopen]\n"
		     "       toa_server --listen ADDR --port PORT --no-accept\n"
		     "       toa_server --listen ADDR --port PORT --load --client-prefix P --lb ADDR\n"
		     "                  [--threads T] [--duration S]\n");
	std::exit(2);
}

std::string format(const sockaddr_storage &ss)
{
	char buf[INET6_ADDRSTRLEN] = "?";
	if (ss.ss_family == AF_INET) {
		const auto &sin = reinterpret_cast<const sockaddr_in &>(ss);
		inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof(buf));
		return std::string(buf) + ":" + std::to_string(ntohs(sin.sin_port));
	}
	if (ss.ss_family == AF_INET6) {
		const auto &sin6 = reinterpret_cast<const sockaddr_in6 &>(ss);
		inet_ntop(AF_INET6, &sin6.sin6_addr, buf, sizeof(buf));
		return "[" + std::string(buf) + "]:" + std::to_string(ntohs(sin6.sin6_port));
	}
	return "family" + std::to_string(ss.ss_family);
}

std::string errname(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EINVAL: return "EINVAL";
	case ENOTCONN: return "ENOTCONN";
	default: return "errno" + std::to_string(e);
	}
}

std::string lookup(int fd)
{
	toa_nat64_peer peer{};
	socklen_t len = sizeof(peer);
	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &peer, &len) < 0)
		return errname(errno);
	if (len != sizeof(peer))
		return "badlen" + std::to_string(len);
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, peer.saddr, buf, sizeof(buf));
	return "[" + std::string(buf) + "]:" + std::to_string(ntohs(peer.sport));
}

int open_listener(const std::string &addr, int port, bool fastopen)
{
	sockaddr_storage ss{};
	socklen_t len;
	auto &sin = reinterpret_cast<sockaddr_in &>(ss);
	auto &sin6 = reinterpret_cast<sockaddr_in6 &>(ss);
	if (inet_pton(AF_INET, addr.c_str(), &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(static_cast<uint16_t>(port));
		len = sizeof(sin);
	} else if (inet_pton(AF_INET6, addr.c_str(), &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(static_cast<uint16_t>(port));
		len = sizeof(sin6);
	} else {
		errno = EINVAL;
		die("bad address " + addr);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	int one = 1, zero = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)
		die("IPV6_V6ONLY");
	if (bind(fd, reinterpret_cast<sockaddr *>(&ss), len) < 0)
		die("bind " + addr);
	if (fastopen) {
		int qlen = 64;
		if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) < 0)
			die("TCP_FASTOPEN");
	}
	if (listen(fd, 4096) < 0)
		die("listen");
	return fd;
}

// Waits until fd is readable or stop is set; false on stop.
bool wait_readable(int fd)
{
	pollfd p{fd, POLLIN, 0};
	while (!stop) {
		int n = poll(&p, 1, 100);
		if (n > 0)
			return true;
		if (n < 0 && errno != EINTR)
			die("poll");
	}
	return false;
}

int report(int lfd, long max, bool reply)
{
	for (long n = 0; max < 0 || n < max;) {
		if (!wait_readable(lfd))
			break;
		sockaddr_storage a{}, p{}, s{}, l{};
		socklen_t alen = sizeof(a), plen = sizeof(p), slen = sizeof(s), llen = sizeof(l);
		int fd = accept4(lfd, reinterpret_cast<sockaddr *>(&a), &alen, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		// SO_PEERNAME wants a length no longer than the address it returns.
		slen = alen;
		std::string line = "accept=" + format(a);
		line += " getpeername=";
		line += getpeername(fd, reinterpret_cast<sockaddr *>(&p), &plen) == 0 ? format(p) : errname(errno);
		line += " so_peername=";
		line += getsockopt(fd, SOL_SOCKET, SO_PEERNAME, &s, &slen) == 0 ? format(s) : errname(errno);
		line += " lookup=" + lookup(fd);
		line += " local=";
		line += getsockname(fd, reinterpret_cast<sockaddr *>(&l), &llen) == 0 ? format(l) : errname(errno);
		line += "\n";
		std::fputs(line.c_str(), stdout);
		std::fflush(stdout);
		if (reply && write(fd, line.data(), line.size()) < 0)
			std::fprintf(stderr, "toa_server: write: %s\n", std::strerror(errno));
		// Read what the client sent (a request, Fast Open data): closing with unread
		// data would reset the connection instead of closing it.
		char buf[4096];
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		close(fd);
		n++;
	}
	return 0;
}

struct Counts {
	std::atomic<unsigned long> accepted{0}, toa{0}, lb{0}, other{0}, inconsistent{0};
	std::mutex m;
	std::vector<std::string> samples;
};

std::string addr_only(const sockaddr_storage &ss)
{
	std::string s = format(ss);
	if (!s.empty() && s[0] == '[')
		return s.substr(1, s.rfind(']') - 1);
	return s.substr(0, s.rfind(':'));
}

void load_worker(int lfd, const std::string &prefix, const std::string &lb, Counts &c)
{
	while (wait_readable(lfd)) {
		sockaddr_storage a{}, p{};
		socklen_t alen = sizeof(a), plen = sizeof(p);
		int fd = accept4(lfd, reinterpret_cast<sockaddr *>(&a), &alen, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		c.accepted++;
		if (getpeername(fd, reinterpret_cast<sockaddr *>(&p), &plen) < 0) {
			// The client may already have reset it: nothing to classify.
			close(fd);
			continue;
		}
		std::string peer = addr_only(p), via_accept = addr_only(a);
		if (format(p) != format(a))
			c.inconsistent++;
		// The dual-stack form of an IPv4 address is ::ffff:a.b.c.d.
		std::string_view v = peer;
		if (v.starts_with("::ffff:"))
			v.remove_prefix(7);
		if (v.starts_with(prefix)) {
			c.toa++;
		} else if (v == lb) {
			c.lb++;
		} else {
			c.other++;
			std::lock_guard g(c.m);
			if (c.samples.size() < 5)
				c.samples.push_back(format(p) + " (accept " + via_accept + ")");
		}
		close(fd);
	}
}

int load(int lfd, const std::string &prefix, const std::string &lb, int threads, int duration)
{
	Counts c;
	// Several threads wait on one listener: a thread that loses the race must not
	// sleep in accept().
	if (fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK) < 0)
		die("O_NONBLOCK");
	auto t0 = std::chrono::steady_clock::now();
	std::vector<std::thread> ts;
	for (int i = 0; i < threads; i++)
		ts.emplace_back(load_worker, lfd, std::cref(prefix), std::cref(lb), std::ref(c));
	if (duration > 0) {
		auto end = t0 + std::chrono::seconds(duration);
		while (!stop && std::chrono::steady_clock::now() < end)
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		stop = true;
	}
	for (auto &t : ts)
		t.join();
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
	for (const auto &s : c.samples)
		std::fprintf(stderr, "toa_server: other peer %s\n", s.c_str());
	std::printf("accepted=%lu toa=%lu lb=%lu other=%lu inconsistent=%lu elapsed_ms=%lld\n",
		    c.accepted.load(), c.toa.load(), c.lb.load(), c.other.load(), c.inconsistent.load(),
		    static_cast<long long>(ms));
	std::fflush(stdout);
	return 0;
}

}  // namespace

int main(int argc, char **argv)
{
	std::string addr, prefix, lb;
	int port = -1, threads = 1, duration = 0;
	long max = -1;
	bool reply = false, fastopen = false, load_mode = false, no_accept = false;
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		auto next = [&]() -> std::string {
			if (i + 1 >= argc)
				usage();
			return argv[++i];
		};
		if (a == "--listen")
			addr = next();
		else if (a == "--port")
			port = std::atoi(next().c_str());
		else if (a == "--max")
			max = std::atol(next().c_str());
		else if (a == "--reply")
			reply = true;
		else if (a == "--fastopen")
			fastopen = true;
		else if (a == "--no-accept")
			no_accept = true;
		else if (a == "--load")
			load_mode = true;
		else if (a == "--client-prefix")
			prefix = next();
		else if (a == "--lb")
			lb = next();
		else if (a == "--threads")
			threads = std::atoi(next().c_str());
		else if (a == "--duration")
			duration = std::atoi(next().c_str());
		else
			usage();
	}
	if (addr.empty() || port <= 0 || port > 65535 || threads < 1 ||
	    (load_mode && (prefix.empty() || lb.empty())))
		usage();

	struct sigaction sa{};
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, nullptr);
	sigaction(SIGINT, &sa, nullptr);
	signal(SIGPIPE, SIG_IGN);

	int lfd = open_listener(addr, port, fastopen);
	std::fprintf(stderr, "toa_server: listening on %s port %d\n", addr.c_str(), port);
	if (no_accept) {
		while (!stop)
			pause();
		return 0;
	}
	if (load_mode)
		return load(lfd, prefix, lb, threads, duration);
	return report(lfd, max, reply);
}
