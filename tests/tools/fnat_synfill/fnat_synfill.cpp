// fnat_synfill — fill a load balancer's connection table: TCP SYNs to one virtual
// service, each from a different client tuple, over a raw IPv4 socket. Nothing is
// waited for: the replies (if any) are the sender namespace's business.
//
// Tuple number i (from --first on) is the client address A.B.C.(base + i / P) and
// source port 1024 + i % P, with P = 64512 ports per address, so that successive
// runs with --first continuing where the last one stopped never repeat a tuple and
// every SYN starts a new connection on the balancer. 1,000,000 tuples take 16
// addresses: --src-net 198.51.100.0 --src-base 10 uses 198.51.100.10 - .25.
//
//   fnat_synfill --dst ADDR --port PORT --count N [--first I] [--src-net A.B.C.0]
//                [--src-base B] [--batch N]
//
// Prints "sent=N elapsed_ms=N" and exits 0 when all N were sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr uint32_t kPortsPerAddr = 64512;	// 1024 .. 65535
constexpr size_t kPktLen = sizeof(iphdr) + sizeof(tcphdr) + 4;	// + MSS option

[[noreturn]] void usage()
{
	std::fprintf(stderr,
		     "usage: fnat_synfill --dst ADDR --port PORT --count N [--first I]\n"
		     "                    [--src-net A.B.C.0] [--src-base B] [--batch N]\n");
	std::exit(2);
}

[[noreturn]] void die(const std::string &what)
{
	std::fprintf(stderr, "fnat_synfill: %s: %s\n", what.c_str(), std::strerror(errno));
	std::exit(1);
}

uint64_t number(const char *s, uint64_t max)
{
	char *end = nullptr;
	errno = 0;
	unsigned long long v = std::strtoull(s, &end, 10);
	if (errno || !*s || *end || v > max) {
		std::fprintf(stderr, "fnat_synfill: '%s' is not a number up to %llu\n", s,
			     static_cast<unsigned long long>(max));
		std::exit(2);
	}
	return v;
}

uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const auto *p = static_cast<const uint8_t *>(data);
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += static_cast<uint32_t>(p[len - 1] << 8);
	return sum;
}

uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return static_cast<uint16_t>(~sum & 0xffff);
}

// One SYN from saddr:sport to daddr:dport into buf (kPktLen bytes), checksums done.
void build_syn(uint8_t *buf, in_addr saddr, uint16_t sport, in_addr daddr, uint16_t dport,
	       uint32_t isn)
{
	std::memset(buf, 0, kPktLen);
	auto *ip = reinterpret_cast<iphdr *>(buf);
	auto *th = reinterpret_cast<tcphdr *>(buf + sizeof(iphdr));
	uint8_t *opt = buf + sizeof(iphdr) + sizeof(tcphdr);

	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(kPktLen);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = saddr.s_addr;
	ip->daddr = daddr.s_addr;
	ip->frag_off = htons(IP_DF);
	ip->check = htons(fold(sum16(ip, sizeof(*ip), 0)));

	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(isn);
	th->doff = (sizeof(tcphdr) + 4) / 4;
	th->syn = 1;
	th->window = htons(64240);
	opt[0] = 2;	// MSS 1460
	opt[1] = 4;
	opt[2] = 1460 >> 8;
	opt[3] = 1460 & 0xff;

	uint8_t pseudo[12];
	std::memcpy(pseudo, &ip->saddr, 4);
	std::memcpy(pseudo + 4, &ip->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	uint16_t tcplen = htons(sizeof(tcphdr) + 4);
	std::memcpy(pseudo + 10, &tcplen, 2);
	uint32_t sum = sum16(pseudo, sizeof(pseudo), 0);
	sum = sum16(th, sizeof(tcphdr) + 4, sum);
	th->check = htons(fold(sum));
}

}  // namespace

int main(int argc, char **argv)
{
	in_addr dst{}, net{};
	uint16_t port = 0;
	uint64_t count = 0, first = 0, base = 10, batch = 64;
	bool have_dst = false;

	inet_pton(AF_INET, "198.51.100.0", &net);
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (a == "--dst") {
			if (inet_pton(AF_INET, v, &dst) != 1)
				usage();
			have_dst = true;
		} else if (a == "--port") {
			port = static_cast<uint16_t>(number(v, 65535));
		} else if (a == "--count") {
			count = number(v, 100000000);
		} else if (a == "--first") {
			first = number(v, 100000000);
		} else if (a == "--src-net") {
			if (inet_pton(AF_INET, v, &net) != 1)
				usage();
		} else if (a == "--src-base") {
			base = number(v, 254);
		} else if (a == "--batch") {
			batch = number(v, 1024);
		} else {
			usage();
		}
	}
	if (!have_dst || !port || !count || !batch)
		usage();
	uint64_t last = first + count - 1;
	if (base + last / kPortsPerAddr > 254) {
		std::fprintf(stderr, "fnat_synfill: tuple %llu needs a client address beyond .254\n",
			     static_cast<unsigned long long>(last));
		return 2;
	}

	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);	// IPPROTO_RAW implies IP_HDRINCL
	if (fd < 0)
		die("socket");
	int sndbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	std::vector<uint8_t> bufs(batch * kPktLen);
	std::vector<iovec> iov(batch);
	std::vector<mmsghdr> msgs(batch);
	sockaddr_in to{};
	to.sin_family = AF_INET;
	to.sin_addr = dst;
	uint32_t net_host = ntohl(net.s_addr) & 0xffffff00u;

	auto t0 = std::chrono::steady_clock::now();
	uint64_t sent = 0;
	while (sent < count) {
		size_t n = static_cast<size_t>(std::min<uint64_t>(batch, count - sent));
		for (size_t k = 0; k < n; k++) {
			uint64_t idx = first + sent + k;
			in_addr src{};
			src.s_addr = htonl(net_host | static_cast<uint32_t>(base + idx / kPortsPerAddr));
			uint16_t sport = static_cast<uint16_t>(1024 + idx % kPortsPerAddr);
			uint8_t *b = &bufs[k * kPktLen];
			build_syn(b, src, sport, dst, port, static_cast<uint32_t>(idx * 2654435761u));
			iov[k] = {b, kPktLen};
			msgs[k] = {};
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
			msgs[k].msg_hdr.msg_name = &to;
			msgs[k].msg_hdr.msg_namelen = sizeof(to);
		}
		int r = sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				usleep(1000);
				continue;
			}
			die("sendmmsg");
		}
		sent += static_cast<uint64_t>(r);
	}
	auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
			  std::chrono::steady_clock::now() - t0)
			  .count();
	std::printf("sent=%llu elapsed_ms=%lld\n", static_cast<unsigned long long>(sent),
		    static_cast<long long>(ms));
	close(fd);
	return 0;
}
