// fnat-synflood: TCP SYNs from spoofed client tuples, as fast as one process can write
// them (fnat_pktfuzz.py's "syn" kind, without Python's cost per packet: the memory
// pressure and load tests need tens of thousands of SYNs under emulation, the bench's
// table fill a million).
//
//   fnat-synflood --dst ADDR --port P --spoof PREFIX [--count N]
//                 [--via packet --ifname IF --dmac MAC | --via raw [--batch N]]
//                 [--tuples random [--seed S] | --tuples seq [--first I]] [--rate PPS]
//                 [--proto tcp|udp]
//
// Each packet: IPv4 or IPv6 (the family of --dst) + a TCP SYN with an MSS option,
// checksums correct, to ADDR:P; with --proto udp a 16-byte UDP datagram instead, so
// that every tuple is a new UDP flow (the sync bench's established table). The client tuples:
//   --tuples random (default): a random host of PREFIX (never its first or last
//     address) and a random port 1024..65535, from a generator seeded with --seed.
//   --tuples seq: tuple number i (from --first on, default 0) is the address
//     A + i / 64512 and the port 1024 + i % 64512, A being the address written in
//     PREFIX (198.51.100.10/24: .10 on; the prefix's first host if the address is the
//     prefix itself). Successive runs with --first continuing where the last one
//     stopped never repeat a tuple, so every SYN is a new connection on the balancer;
//     1,000,000 tuples take 16 addresses. A tuple beyond PREFIX is refused up front.
// How they are sent:
//   --via packet (default): Ethernet frames on an AF_PACKET socket bound to --ifname,
//     to --dmac, one send() each; a frame the device queue refuses is counted as
//     dropped, not retried.
//   --via raw: IP packets on a raw socket (header included), routed by the sender's
//     namespace (no interface or MAC to give), --batch (default 64) per sendmmsg();
//     a full queue is waited out and the rest retried, so nothing is dropped. The
//     bench's table fill uses it: it needs sent = SYNs that reached the balancer.
//     (Under TCG it sent 7,000-13,000 SYN/s, AF_PACKET about the same or 20% less.)
// --rate paces the packets (a check every 64 under AF_PACKET, every batch on the raw
// socket), so that a slow receiver's backlog does not overflow. Prints
//   sent=N dropped=N elapsed_ms=N
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr uint64_t kPortsPerAddr = 64512;	// 1024 .. 65535
constexpr size_t kTcpLen = 24;			// header + the MSS option
constexpr size_t kEthLen = 14;

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

uint64_t number(const std::string &opt, const std::string &v, uint64_t max, int base = 10)
{
	char *end = nullptr;
	errno = 0;
	unsigned long long n = std::strtoull(v.c_str(), &end, base);
	if (errno || v.empty() || *end || v[0] == '-' || n > max)
		throw std::invalid_argument(opt + " '" + v + "' is not a number up to " + std::to_string(max));
	return n;
}

// The address family's bytes, with the prefix length: one source of spoofed addresses.
struct Prefix {
	size_t alen;
	int plen;
	uint8_t net[16];

	uint8_t mask(size_t b) const
	{
		int keep = std::max(0, std::min(8, plen - static_cast<int>(b) * 8));
		return static_cast<uint8_t>(keep ? 0xff << (8 - keep) : 0);
	}
	bool contains(const uint8_t *a) const
	{
		for (size_t b = 0; b < alen; b++)
			if ((a[b] & mask(b)) != (net[b] & mask(b)))
				return false;
		return true;
	}
	bool host_bits_all(const uint8_t *a, uint8_t v) const
	{
		for (size_t b = 0; b < alen; b++)
			if ((a[b] & ~mask(b) & 0xff) != (v & ~mask(b) & 0xff))
				return false;
		return true;
	}
	// A random host (never the first or last address).
	void random_host(uint8_t *out, std::mt19937_64 &rng) const
	{
		for (size_t b = 0; b < alen; b++)
			out[b] = static_cast<uint8_t>((net[b] & mask(b)) | (rng() & ~mask(b)));
		if ((out[alen - 1] & 0x7f) == 0 || (out[alen - 1] & 0x7f) == 0x7f)
			out[alen - 1] ^= 0x01;
	}
};

// out = a + k (big-endian, carries into the upper bytes).
void add(uint8_t *out, const uint8_t *a, size_t alen, uint64_t k)
{
	std::memcpy(out, a, alen);
	for (size_t b = alen; b-- > 0 && k;) {
		uint64_t s = out[b] + (k & 0xff);
		out[b] = static_cast<uint8_t>(s);
		k = (k >> 8) + (s >> 8);
	}
}

// The SYN's bytes: [Ethernet] + IPv4/IPv6 + TCP, everything fixed filled in once;
// set() writes one tuple and the checksums. With udp, a UDP datagram of the same
// length instead (16 bytes of zeros after its header): one new flow per tuple.
class Syn {
public:
	Syn(bool v6, bool eth, const uint8_t *daddr, uint16_t dport, bool udp)
		: v6_(v6), udp_(udp), alen_(v6 ? 16 : 4), l3_(v6 ? 40 : 20), off_(eth ? kEthLen : 0),
		  tmpl_(off_ + l3_ + kTcpLen, 0)
	{
		uint8_t *ip = tmpl_.data() + off_, *th = ip + l3_;
		if (eth)
			put16(&tmpl_[12], v6 ? 0x86dd : 0x0800);
		if (v6) {
			ip[0] = 0x60;
			put16(ip + 4, static_cast<uint16_t>(kTcpLen));
			ip[6] = IPPROTO_TCP;
			ip[7] = 64;
		} else {
			ip[0] = 0x45;
			put16(ip + 2, static_cast<uint16_t>(l3_ + kTcpLen));
			ip[8] = 64;
			ip[9] = IPPROTO_TCP;
		}
		if (udp) {
			ip[v6 ? 6 : 9] = IPPROTO_UDP;
			std::memcpy(ip + daddr_off(), daddr, alen_);
			put16(th + 2, dport);
			put16(th + 4, static_cast<uint16_t>(kTcpLen));
			return;
		}
		std::memcpy(ip + daddr_off(), daddr, alen_);
		put16(th + 2, dport);
		th[12] = 6 << 4;	// 24 bytes: the MSS option
		th[13] = 0x02;		// SYN
		put16(th + 14, 65535);
		th[20] = 2;
		th[21] = 4;
		put16(th + 22, 1460);
	}
	size_t len() const { return tmpl_.size(); }
	void set_macs(const uint8_t *dst, const uint8_t *src)
	{
		std::memcpy(tmpl_.data(), dst, 6);
		std::memcpy(tmpl_.data() + 6, src, 6);
	}
	// One SYN into buf (len() bytes) from saddr:sport.
	void write(uint8_t *buf, const uint8_t *saddr, uint16_t sport, uint32_t seq, uint16_t ipid) const
	{
		std::memcpy(buf, tmpl_.data(), tmpl_.size());
		uint8_t *ip = buf + off_, *th = ip + l3_;
		std::memcpy(ip + saddr_off(), saddr, alen_);
		if (!v6_) {
			put16(ip + 4, ipid);
			put16(ip + 10, fold(sum16(ip, 20)));
		}
		put16(th, sport);
		// The pseudo-header, then the segment.
		uint32_t s = sum16(ip + saddr_off(), 2 * alen_);
		s += (udp_ ? IPPROTO_UDP : IPPROTO_TCP) + static_cast<uint32_t>(kTcpLen);
		if (udp_) {
			uint16_t c = fold(sum16(th, kTcpLen, s));
			put16(th + 6, c ? c : 0xffff);
			return;
		}
		put16(th + 4, static_cast<uint16_t>(seq >> 16));
		put16(th + 6, static_cast<uint16_t>(seq));
		put16(th + 16, fold(sum16(th, kTcpLen, s)));
	}

private:
	size_t saddr_off() const { return v6_ ? 8 : 12; }
	size_t daddr_off() const { return v6_ ? 24 : 16; }

	bool v6_, udp_;
	size_t alen_, l3_, off_;
	std::vector<uint8_t> tmpl_;
};

} // namespace

int main(int argc, char **argv)
{
	std::string ifname, dmac, dst, spoof, via = "packet", tuples = "random", proto = "tcp";
	uint64_t count = 10000, seed = 1, first = 0, batch = 64;
	bool have_first = false;
	int port = 80;
	double rate = 0;
	try {
		if (argc % 2 == 0)
			throw std::invalid_argument(std::string("option ") + argv[argc - 1] + " wants a value");
		for (int i = 1; i + 1 < argc; i += 2) {
			std::string a = argv[i], v = argv[i + 1];
			if (a == "--ifname")
				ifname = v;
			else if (a == "--dmac")
				dmac = v;
			else if (a == "--dst")
				dst = v;
			else if (a == "--port")
				port = static_cast<int>(number(a, v, 65535));
			else if (a == "--spoof")
				spoof = v;
			else if (a == "--count")
				count = number(a, v, 1000000000);
			else if (a == "--rate") {
				char *end = nullptr;
				rate = std::strtod(v.c_str(), &end);
				if (v.empty() || *end || rate < 0)
					throw std::invalid_argument("--rate '" + v + "' is not a rate");
			} else if (a == "--seed")
				seed = number(a, v, UINT64_MAX, 0);
			else if (a == "--via")
				via = v;
			else if (a == "--batch")
				batch = number(a, v, 1024);
			else if (a == "--tuples")
				tuples = v;
			else if (a == "--proto")
				proto = v;
			else if (a == "--first") {
				first = number(a, v, 1000000000000);
				have_first = true;
			} else
				throw std::invalid_argument("unknown option " + a);
		}
		if (via != "packet" && via != "raw")
			throw std::invalid_argument("--via is packet or raw");
		if (proto != "tcp" && proto != "udp")
			throw std::invalid_argument("--proto is tcp or udp");
		if (tuples != "random" && tuples != "seq")
			throw std::invalid_argument("--tuples is random or seq");
		if (have_first && tuples != "seq")
			throw std::invalid_argument("--first needs --tuples seq");
		if (!batch)
			throw std::invalid_argument("--batch must be at least 1");
	} catch (const std::exception &e) {
		std::fprintf(stderr, "fnat-synflood: %s\n", e.what());
		return 2;
	}
	bool packet = via == "packet";
	if (dst.empty() || spoof.empty() || (packet && (ifname.empty() || dmac.empty()))) {
		std::fprintf(stderr,
			     "usage: fnat-synflood --dst ADDR --port P --spoof PREFIX [--count N]\n"
			     "         [--via packet --ifname IF --dmac MAC | --via raw [--batch N]]\n"
			     "         [--tuples random [--seed S] | --tuples seq [--first I]] [--rate PPS]\n"
			     "         [--proto tcp|udp]\n");
		return 2;
	}
	try {
		bool v6 = dst.find(':') != std::string::npos;
		int af = v6 ? AF_INET6 : AF_INET;
		Prefix pfx{};
		pfx.alen = v6 ? 16 : 4;
		uint8_t daddr[16];
		auto slash = spoof.find('/');
		if (slash == std::string::npos)
			throw std::invalid_argument("--spoof wants PREFIX/LEN");
		pfx.plen = std::atoi(spoof.c_str() + slash + 1);
		if (inet_pton(af, dst.c_str(), daddr) != 1 ||
		    inet_pton(af, spoof.substr(0, slash).c_str(), pfx.net) != 1 || pfx.plen < 1 ||
		    pfx.plen > static_cast<int>(pfx.alen * 8) - 2)
			throw std::invalid_argument("bad --dst or --spoof (same family, prefix with room)");

		// Sequential tuples: from the address written in the prefix on, and the last
		// one this run needs must still be a host of the prefix.
		uint8_t seq_base[16];
		if (tuples == "seq") {
			std::memcpy(seq_base, pfx.net, pfx.alen);
			if (pfx.host_bits_all(seq_base, 0))
				add(seq_base, pfx.net, pfx.alen, 1);
			uint8_t last[16];
			add(last, seq_base, pfx.alen, count ? (first + count - 1) / kPortsPerAddr : 0);
			if (!pfx.contains(last) || pfx.host_bits_all(last, 0xff))
				throw std::invalid_argument("tuple " + std::to_string(first + count - 1) +
							    " needs a client address beyond " + spoof);
		}

		Syn syn(v6, packet, daddr, static_cast<uint16_t>(port), proto == "udp");
		int fd;
		if (packet) {
			fd = socket(AF_PACKET, SOCK_RAW, 0);
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
			syn.set_macs(parse_mac(dmac).data(), me.sll_addr);
		} else {
			// IPPROTO_RAW implies the header is ours (IP_HDRINCL), for both families.
			fd = socket(af, SOCK_RAW, IPPROTO_RAW);
			if (fd < 0)
				throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
			int sndbuf = 4 << 20;
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		}
		sockaddr_storage to{};
		socklen_t tolen = 0;
		if (v6) {
			auto *s6 = reinterpret_cast<sockaddr_in6 *>(&to);
			s6->sin6_family = AF_INET6;
			std::memcpy(&s6->sin6_addr, daddr, 16);
			tolen = sizeof(*s6);
		} else {
			auto *s4 = reinterpret_cast<sockaddr_in *>(&to);
			s4->sin_family = AF_INET;
			std::memcpy(&s4->sin_addr, daddr, 4);
			tolen = sizeof(*s4);
		}

		// AF_PACKET goes one frame at a time, paced every 64 (as it always has);
		// the raw socket a batch per system call, paced every batch.
		const size_t chunk = packet ? 64 : batch;
		const size_t len = syn.len();
		std::vector<uint8_t> bufs(chunk * len);
		std::vector<iovec> iov(chunk);
		std::vector<mmsghdr> msgs(chunk);
		std::mt19937_64 rng(seed);
		uint64_t sent = 0, dropped = 0;
		auto t0 = std::chrono::steady_clock::now();
		for (uint64_t n = 0; n < count;) {
			if (rate > 0) {
				// Ahead of the schedule: sleep until it catches up.
				for (;;) {
					double secs = std::chrono::duration<double>(
							      std::chrono::steady_clock::now() - t0)
							      .count();
					if (static_cast<double>(n) <= rate * secs)
						break;
					usleep(10000);
				}
			}
			size_t k = static_cast<size_t>(std::min<uint64_t>(chunk, count - n));
			for (size_t j = 0; j < k; j++) {
				uint8_t saddr[16];
				uint16_t sport;
				uint32_t isn;
				uint16_t ipid;
				if (tuples == "random") {
					pfx.random_host(saddr, rng);
					sport = static_cast<uint16_t>(1024 + rng() % 64512);
					isn = static_cast<uint32_t>(rng());
					ipid = v6 ? 0 : static_cast<uint16_t>(rng());
				} else {
					uint64_t idx = first + n + j;
					add(saddr, seq_base, pfx.alen, idx / kPortsPerAddr);
					sport = static_cast<uint16_t>(1024 + idx % kPortsPerAddr);
					isn = static_cast<uint32_t>(idx * 2654435761u);
					ipid = static_cast<uint16_t>(idx);
				}
				uint8_t *b = &bufs[j * len];
				syn.write(b, saddr, sport, isn, ipid);
				iov[j] = {b, len};
				msgs[j] = {};
				msgs[j].msg_hdr.msg_iov = &iov[j];
				msgs[j].msg_hdr.msg_iovlen = 1;
				msgs[j].msg_hdr.msg_name = &to;
				msgs[j].msg_hdr.msg_namelen = tolen;
			}
			if (packet) {
				for (size_t j = 0; j < k; j++) {
					if (send(fd, iov[j].iov_base, len, 0) < 0)
						dropped++;
					else
						sent++;
				}
			} else {
				for (size_t done = 0; done < k;) {
					int r = sendmmsg(fd, &msgs[done], static_cast<unsigned>(k - done), 0);
					if (r < 0) {
						if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
							usleep(1000);
							continue;
						}
						throw std::runtime_error(std::string("sendmmsg: ") +
									 std::strerror(errno));
					}
					done += static_cast<size_t>(r);
				}
				sent += k;
			}
			n += k;
		}
		auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
				  std::chrono::steady_clock::now() - t0)
				  .count();
		std::printf("sent=%llu dropped=%llu elapsed_ms=%lld\n", static_cast<unsigned long long>(sent),
			    static_cast<unsigned long long>(dropped), static_cast<long long>(ms));
		close(fd);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "fnat-synflood: %s\n", e.what());
		return 1;
	}
	return 0;
}
