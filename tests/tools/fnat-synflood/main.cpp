// fnat-synflood: a SYN flood from spoofed sources, as fast as one process can write
// frames (fnat_pktfuzz.py's "syn" kind, without Python's cost per packet: the memory
// pressure and load tests need tens of thousands of SYNs under emulation).
//
//   fnat-synflood --ifname IF --dmac MAC --dst ADDR --port P --spoof PREFIX
//                 [--count N] [--seed S] [--rate PPS]
//
// Each frame: Ethernet + IPv4 or IPv6 (the family of --dst) + a TCP SYN with an MSS
// option, from a random host of PREFIX (e.g. 198.51.100.128/25, 2001:db8:c:1::/64)
// and a random port 1024..65535, checksums correct. Prints
//   sent=N dropped=N elapsed_ms=N
// (dropped: send() refused the frame, the device queue being full). --rate paces the
// frames (in bursts of 1/100 s), so that a slow receiver's backlog does not overflow.
#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <random>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

uint32_t sum16(const uint8_t *p, size_t n, uint32_t s = 0)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += static_cast<uint32_t>(p[n - 1] << 8);
	return s;
}

uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return static_cast<uint16_t>(~s & 0xffff);
}

void put16(uint8_t *p, uint16_t v)
{
	p[0] = static_cast<uint8_t>(v >> 8);
	p[1] = static_cast<uint8_t>(v);
}

std::vector<uint8_t> parse_mac(const std::string &s)
{
	std::vector<uint8_t> m(6);
	if (std::sscanf(s.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
			&m[5]) != 6)
		throw std::invalid_argument("bad MAC " + s);
	return m;
}

} // namespace

int main(int argc, char **argv)
{
	std::string ifname, dmac, dst, spoof;
	long count = 10000;
	uint64_t seed = 1;
	int port = 80;
	double rate = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		std::string a = argv[i], v = argv[i + 1];
		if (a == "--ifname")
			ifname = v;
		else if (a == "--dmac")
			dmac = v;
		else if (a == "--dst")
			dst = v;
		else if (a == "--port")
			port = std::atoi(v.c_str());
		else if (a == "--spoof")
			spoof = v;
		else if (a == "--count")
			count = std::atol(v.c_str());
		else if (a == "--rate")
			rate = std::atof(v.c_str());
		else if (a == "--seed")
			seed = std::strtoull(v.c_str(), nullptr, 0);
		else {
			std::fprintf(stderr, "fnat-synflood: unknown option %s\n", a.c_str());
			return 2;
		}
	}
	if (ifname.empty() || dmac.empty() || dst.empty() || spoof.empty()) {
		std::fprintf(stderr, "usage: fnat-synflood --ifname IF --dmac MAC --dst ADDR --port P "
				     "--spoof PREFIX [--count N] [--seed S] [--rate PPS]\n");
		return 2;
	}
	try {
		bool v6 = dst.find(':') != std::string::npos;
		int af = v6 ? AF_INET6 : AF_INET;
		size_t alen = v6 ? 16 : 4;
		uint8_t daddr[16], net[16];
		auto slash = spoof.find('/');
		if (slash == std::string::npos)
			throw std::invalid_argument("--spoof wants PREFIX/LEN");
		int plen = std::atoi(spoof.c_str() + slash + 1);
		if (inet_pton(af, dst.c_str(), daddr) != 1 ||
		    inet_pton(af, spoof.substr(0, slash).c_str(), net) != 1 || plen < 1 ||
		    plen > static_cast<int>(alen * 8) - 2)
			throw std::invalid_argument("bad --dst or --spoof (same family, prefix with room)");

		int fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (fd < 0)
			throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
		sockaddr_ll sll{};
		sll.sll_family = AF_PACKET;
		sll.sll_ifindex = static_cast<int>(if_nametoindex(ifname.c_str()));
		if (!sll.sll_ifindex || bind(fd, reinterpret_cast<sockaddr *>(&sll), sizeof(sll)) < 0)
			throw std::runtime_error("bind to " + ifname + ": " + std::strerror(errno));
		sockaddr_ll me{};
		socklen_t mel = sizeof(me);
		getsockname(fd, reinterpret_cast<sockaddr *>(&me), &mel);

		const size_t l3 = v6 ? 40 : 20, l4 = 24;
		std::vector<uint8_t> f(14 + l3 + l4, 0);
		auto dm = parse_mac(dmac);
		std::memcpy(f.data(), dm.data(), 6);
		std::memcpy(f.data() + 6, me.sll_addr, 6);
		put16(&f[12], v6 ? 0x86dd : 0x0800);
		uint8_t *ip = &f[14], *th = &f[14 + l3];
		uint8_t *saddr;
		if (v6) {
			ip[0] = 0x60;
			put16(ip + 4, static_cast<uint16_t>(l4));
			ip[6] = IPPROTO_TCP;
			ip[7] = 64;
			saddr = ip + 8;
			std::memcpy(ip + 24, daddr, 16);
		} else {
			ip[0] = 0x45;
			put16(ip + 2, static_cast<uint16_t>(l3 + l4));
			ip[8] = 64;
			ip[9] = IPPROTO_TCP;
			saddr = ip + 12;
			std::memcpy(ip + 16, daddr, 4);
		}
		put16(th + 2, static_cast<uint16_t>(port));
		th[12] = 6 << 4;	// 24 bytes: the MSS option
		th[13] = 0x02;		// SYN
		put16(th + 14, 65535);
		th[20] = 2;
		th[21] = 4;
		put16(th + 22, 1460);

		std::mt19937_64 rng(seed);
		long sent = 0, dropped = 0;
		auto t0 = std::chrono::steady_clock::now();
		for (long n = 0; n < count; n++) {
			if (rate > 0 && n % 64 == 0) {
				// Ahead of the schedule: sleep until it catches up.
				for (;;) {
					double secs = std::chrono::duration<double>(
							      std::chrono::steady_clock::now() - t0)
							      .count();
					if (n <= rate * secs)
						break;
					usleep(10000);
				}
			}
			// A random host of the prefix (never its first or last address).
			std::memcpy(saddr, net, alen);
			for (size_t b = 0; b < alen; b++) {
				int keep = std::max(0, std::min(8, plen - static_cast<int>(b) * 8));
				uint8_t mask = static_cast<uint8_t>(keep ? 0xff << (8 - keep) : 0);
				saddr[b] = static_cast<uint8_t>((net[b] & mask) | (rng() & ~mask));
			}
			if ((saddr[alen - 1] & 0x7f) == 0 || (saddr[alen - 1] & 0x7f) == 0x7f)
				saddr[alen - 1] ^= 0x01;
			put16(th, static_cast<uint16_t>(1024 + rng() % 64512));
			uint32_t seq = static_cast<uint32_t>(rng());
			put16(th + 4, static_cast<uint16_t>(seq >> 16));
			put16(th + 6, static_cast<uint16_t>(seq));
			if (!v6) {
				put16(ip + 4, static_cast<uint16_t>(rng()));
				put16(ip + 10, 0);
				put16(ip + 10, fold(sum16(ip, 20)));
			}
			// The pseudo-header, then the segment.
			uint32_t s = sum16(saddr, alen);
			s = sum16(v6 ? ip + 24 : ip + 16, alen, s);
			s += IPPROTO_TCP + static_cast<uint32_t>(l4);
			put16(th + 16, 0);
			put16(th + 16, fold(sum16(th, l4, s)));
			if (send(fd, f.data(), f.size(), 0) < 0)
				dropped++;
			else
				sent++;
		}
		auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
				  std::chrono::steady_clock::now() - t0)
				  .count();
		std::printf("sent=%ld dropped=%ld elapsed_ms=%lld\n", sent, dropped, static_cast<long long>(ms));
		close(fd);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "fnat-synflood: %s\n", e.what());
		return 1;
	}
	return 0;
}
