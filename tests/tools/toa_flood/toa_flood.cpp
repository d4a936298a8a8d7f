// toa_flood — what a FULLNAT director looks like to a real server, many times a second:
// real TCP handshakes from a load-balancer address, the handshake-completing ACK
// carrying a TOA (kind 254, IPv4). The TCP side is ours, over a raw socket:
//
//   SYN  ->            (source ports --sport-base .. +--sport-count, round robin)
//        <- SYN-ACK
//   ACK + TOA ->       (client 198.51.100.x:port, from --client-net, varying)
//        <- FIN        (the server accepted, asked getpeername() and closed)
//   RST  ->            (the server's socket dies at once: no TIME_WAIT, no orphan)
//
// Up to --window handshakes are in flight at a time. Runs --duration seconds (or until
// SIGTERM/SIGINT), waits up to 2 s for the ones in flight, then prints
//   completed=N timeouts=N resets=N elapsed_ms=N
//
// The kernel of the sender's namespace knows nothing of these connections and would
// answer the server with RSTs: drop them with nftables, except ours, which carry
// --mark (SO_MARK), e.g.
//   nft add rule inet t out tcp flags \& rst == rst meta mark != 0x70a drop
//
//   toa_flood --src ADDR --dst ADDR --port PORT [--client-net A.B.C.0] [--window W]
//             [--duration S] [--mark M] [--sport-base P] [--sport-count N] [--no-toa]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "toa.h"
}

namespace {

using Clock = std::chrono::steady_clock;

volatile sig_atomic_t stop_flag = 0;
void on_signal(int) { stop_flag = 1; }

[[noreturn]] void die(const std::string &what)
{
	std::fprintf(stderr, "toa_flood: %s: %s\n", what.c_str(), std::strerror(errno));
	std::exit(1);
}

[[noreturn]] void usage()
{
	std::fprintf(stderr,
		     "usage: toa_flood --src ADDR --dst ADDR --port PORT [--client-net A.B.C.0] [--window W]\n"
		     "                 [--duration S] [--mark M] [--sport-base P] [--sport-count N] [--no-toa]\n");
	std::exit(2);
}

enum class State { Free, SynSent, Established };

struct Conn {
	State state = State::Free;
	uint32_t isn = 0;
	uint32_t srv_next = 0;
	Clock::time_point deadline;
	int tries = 0;
};

struct Flood {
	int fd = -1;
	in_addr src{}, dst{};
	uint16_t dport = 0;
	uint16_t sport_base = 20000;
	unsigned sport_count = 30000;
	uint32_t client_net = 0;  // host order, a /24
	bool with_toa = true;
	std::vector<Conn> conns;
	unsigned next = 0, in_flight = 0;
	unsigned long completed = 0, timeouts = 0, resets = 0, toa_seq = 0;
	std::mt19937 rng{std::random_device{}()};

	uint16_t checksum(const uint8_t *tcp, size_t len) const
	{
		uint32_t sum = 0;
		auto add16 = [&](uint16_t v) { sum += v; };
		const auto *s = reinterpret_cast<const uint8_t *>(&src.s_addr);
		const auto *d = reinterpret_cast<const uint8_t *>(&dst.s_addr);
		add16(static_cast<uint16_t>(s[0] << 8 | s[1]));
		add16(static_cast<uint16_t>(s[2] << 8 | s[3]));
		add16(static_cast<uint16_t>(d[0] << 8 | d[1]));
		add16(static_cast<uint16_t>(d[2] << 8 | d[3]));
		add16(IPPROTO_TCP);
		add16(static_cast<uint16_t>(len));
		for (size_t i = 0; i + 1 < len; i += 2)
			add16(static_cast<uint16_t>(tcp[i] << 8 | tcp[i + 1]));
		if (len & 1)
			add16(static_cast<uint16_t>(tcp[len - 1] << 8));
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		return htons(static_cast<uint16_t>(~sum));
	}

	void send_segment(uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags,
			  const uint8_t *opts, size_t optlen)
	{
		uint8_t buf[60] = {};
		tcphdr th{};
		th.source = htons(sport);
		th.dest = htons(dport);
		th.seq = htonl(seq);
		th.ack_seq = htonl(ack);
		th.doff = static_cast<uint16_t>((sizeof(th) + optlen) / 4);
		th.window = htons(65535);
		std::memcpy(buf, &th, sizeof(th));
		buf[13] = flags;
		if (optlen)
			std::memcpy(buf + sizeof(th), opts, optlen);
		size_t len = sizeof(th) + optlen;
		uint16_t sum = checksum(buf, len);
		std::memcpy(buf + 16, &sum, 2);
		sockaddr_in to{};
		to.sin_family = AF_INET;
		to.sin_addr = dst;
		if (sendto(fd, buf, len, 0, reinterpret_cast<sockaddr *>(&to), sizeof(to)) < 0 &&
		    errno != ENOBUFS && errno != EAGAIN)
			die("sendto");
	}

	static constexpr uint8_t F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_ACK = 0x10;

	void send_syn(uint16_t sport, Conn &c)
	{
		static const uint8_t mss[4] = {2, 4, 0x05, 0xb4};
		send_segment(sport, c.isn, 0, F_SYN, mss, sizeof(mss));
	}

	void send_ack_toa(uint16_t sport, Conn &c)
	{
		uint8_t opts[TOA_LEN_V4] = {};
		size_t n = 0;
		if (with_toa) {
			toa_data t{};
			t.family = TOA_FAMILY_IPV4;
			toa_seq++;
			uint32_t a = htonl(client_net | static_cast<uint32_t>(1 + toa_seq % 254));
			std::memcpy(t.addr, &a, 4);
			t.port = htons(static_cast<uint16_t>(1024 + toa_seq % 60000));
			n = toa_build(opts, &t, TOA_KIND);
		}
		send_segment(sport, c.isn + 1, c.srv_next, F_ACK, opts, n);
	}

	void finish(uint16_t sport, Conn &c, bool rst)
	{
		if (rst)
			send_segment(sport, c.isn + 1, c.srv_next, F_RST | F_ACK, nullptr, 0);
		c.state = State::Free;
		in_flight--;
	}

	void open_more(unsigned window, Clock::time_point now)
	{
		for (unsigned scanned = 0; in_flight < window && scanned < sport_count; scanned++) {
			unsigned i = next;
			next = (next + 1) % sport_count;
			Conn &c = conns[i];
			if (c.state != State::Free)
				continue;
			c.state = State::SynSent;
			c.isn = static_cast<uint32_t>(rng());
			c.tries = 1;
			c.deadline = now + std::chrono::milliseconds(1000);
			in_flight++;
			send_syn(static_cast<uint16_t>(sport_base + i), c);
		}
	}

	void receive(Clock::time_point now)
	{
		uint8_t buf[2048];
		for (;;) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					return;
				die("recv");
			}
			if (n < static_cast<ssize_t>(sizeof(iphdr)))
				continue;
			iphdr ih;
			std::memcpy(&ih, buf, sizeof(ih));
			size_t ihl = ih.ihl * 4u;
			if (ih.protocol != IPPROTO_TCP || ih.saddr != dst.s_addr || ih.daddr != src.s_addr ||
			    static_cast<size_t>(n) < ihl + sizeof(tcphdr))
				continue;
			tcphdr th;
			std::memcpy(&th, buf + ihl, sizeof(th));
			uint16_t sport = ntohs(th.dest);
			if (ntohs(th.source) != dport || sport < sport_base || sport >= sport_base + sport_count)
				continue;
			Conn &c = conns[sport - sport_base];
			uint8_t flags = buf[ihl + 13];
			uint32_t seq = ntohl(th.seq), ack = ntohl(th.ack_seq);
			size_t payload = static_cast<size_t>(n) - ihl - th.doff * 4u;
			if (c.state == State::SynSent) {
				if ((flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK) && ack == c.isn + 1) {
					c.srv_next = seq + 1;
					c.state = State::Established;
					c.deadline = now + std::chrono::milliseconds(3000);
					send_ack_toa(sport, c);
				} else if (flags & F_RST) {
					resets++;
					finish(sport, c, false);
				}
			} else if (c.state == State::Established) {
				if (flags & F_RST) {
					resets++;
					finish(sport, c, false);
				} else if ((flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK)) {
					send_ack_toa(sport, c);  // our ACK was lost
				} else if (flags & F_FIN) {
					c.srv_next = seq + static_cast<uint32_t>(payload) + 1;
					completed++;
					finish(sport, c, true);
				}
			}
		}
	}

	void expire(Clock::time_point now)
	{
		for (unsigned i = 0; i < sport_count; i++) {
			Conn &c = conns[i];
			if (c.state == State::Free || now < c.deadline)
				continue;
			uint16_t sport = static_cast<uint16_t>(sport_base + i);
			if (c.state == State::SynSent && c.tries < 3) {
				c.tries++;
				c.deadline = now + std::chrono::milliseconds(1000);
				send_syn(sport, c);
				continue;
			}
			// Reset whatever the server holds: a request (seq isn + 1 is in its
			// window) or a connection.
			timeouts++;
			finish(sport, c, true);
		}
	}
};

}  // namespace

int main(int argc, char **argv)
{
	Flood f;
	std::string src, dst, net = "198.51.100.0";
	int port = -1, duration = 5;
	unsigned window = 16;
	unsigned mark = 0x70a;
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (a == "--no-toa") {
			f.with_toa = false;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		std::string v = argv[++i];
		if (a == "--src")
			src = v;
		else if (a == "--dst")
			dst = v;
		else if (a == "--port")
			port = std::atoi(v.c_str());
		else if (a == "--client-net")
			net = v;
		else if (a == "--window")
			window = static_cast<unsigned>(std::atoi(v.c_str()));
		else if (a == "--duration")
			duration = std::atoi(v.c_str());
		else if (a == "--mark")
			mark = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 0));
		else if (a == "--sport-base")
			f.sport_base = static_cast<uint16_t>(std::atoi(v.c_str()));
		else if (a == "--sport-count")
			f.sport_count = static_cast<unsigned>(std::atoi(v.c_str()));
		else
			usage();
	}
	in_addr netaddr{};
	if (inet_pton(AF_INET, src.c_str(), &f.src) != 1 || inet_pton(AF_INET, dst.c_str(), &f.dst) != 1 ||
	    inet_pton(AF_INET, net.c_str(), &netaddr) != 1 || port <= 0 || port > 65535 || window < 1 ||
	    duration < 1 || f.sport_count < window || f.sport_base + f.sport_count > 65536u)
		usage();
	f.dport = static_cast<uint16_t>(port);
	f.client_net = ntohl(netaddr.s_addr) & 0xffffff00u;
	f.conns.resize(f.sport_count);

	f.fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	if (f.fd < 0)
		die("raw socket");
	if (setsockopt(f.fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		die("SO_MARK");
	int rcvbuf = 4 << 20;
	setsockopt(f.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	sockaddr_in me{};
	me.sin_family = AF_INET;
	me.sin_addr = f.src;
	if (bind(f.fd, reinterpret_cast<sockaddr *>(&me), sizeof(me)) < 0)
		die("bind " + src);

	struct sigaction sa{};
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, nullptr);
	sigaction(SIGINT, &sa, nullptr);

	auto t0 = Clock::now();
	auto end = t0 + std::chrono::seconds(duration);
	Clock::time_point drain_end{};
	bool draining = false;
	auto last_expire = t0;
	for (;;) {
		auto now = Clock::now();
		if (!draining && (stop_flag || now >= end)) {
			draining = true;
			drain_end = now + std::chrono::seconds(2);
		}
		if (draining && (f.in_flight == 0 || now >= drain_end))
			break;
		if (!draining)
			f.open_more(window, now);
		pollfd p{f.fd, POLLIN, 0};
		poll(&p, 1, 10);
		now = Clock::now();
		f.receive(now);
		if (now - last_expire >= std::chrono::milliseconds(100)) {
			f.expire(now);
			last_expire = now;
		}
	}
	// Whatever is still open gets an RST.
	for (unsigned i = 0; i < f.sport_count; i++)
		if (f.conns[i].state == State::Established)
			f.finish(static_cast<uint16_t>(f.sport_base + i), f.conns[i], true);
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
	std::printf("completed=%lu timeouts=%lu resets=%lu elapsed_ms=%lld\n", f.completed, f.timeouts,
		    f.resets, static_cast<long long>(ms));
	return 0;
}
