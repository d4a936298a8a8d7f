#pragma once
// Plain data exchanged between a program (parser, formatters) and the kernel transport.
// Nothing here talks to the kernel: the values are what the IPVS_FNAT family carries
// (kernel/include/uapi/ipvs_fnat.h), in host byte order.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>

namespace fnat {

// An IPv4 or IPv6 address (AF_INET / AF_INET6), bytes in network order.
struct Address {
	int af = AF_UNSPEC;
	std::array<std::uint8_t, 16> bytes{};

	std::size_t size() const { return af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0; }
	// Numeric text: dotted quad or compressed IPv6 (inet_ntop), no brackets.
	std::string str() const;
	// A numeric address of either family, nothing else (no brackets, no port).
	static std::optional<Address> parse(std::string_view text);
	static Address from_bytes(int af, const void *data);
	bool is_multicast() const;  // 224.0.0.0/4, ff00::/8
	bool is_any() const;        // 0.0.0.0, ::
	bool operator==(const Address &) const = default;
	// Ordering for --sort: family, then bytes (network order compares numerically).
	bool operator<(const Address &o) const;
};

enum class Proto : std::uint8_t { TCP = IPPROTO_TCP, UDP = IPPROTO_UDP };
std::string_view proto_name(Proto p);  // "TCP" / "UDP"
std::string_view proto_flag(Proto p);  // "-t" / "-u"

// What names a virtual service: family (the address's), protocol, VIP and port.
struct ServiceKey {
	Proto proto = Proto::TCP;
	Address addr;
	std::uint16_t port = 0;
	int af() const { return addr.af; }
	bool operator==(const ServiceKey &) const = default;
};

// Counters and rates of a service or destination (IPVS_FNAT_STATS_ATTR_*).
struct Stats {
	std::uint64_t conns = 0, inpkts = 0, outpkts = 0, inbytes = 0, outbytes = 0;
	std::uint64_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
	bool operator==(const Stats &) const = default;
};

// A TCP service's SYN proxy counters (IPVS_FNAT_SP_STATS_ATTR_*).
struct SynProxyStats {
	std::uint64_t syn = 0, ack_ok = 0, ack_bad = 0, rs_fail = 0, data_dropped = 0;
	bool operator==(const SynProxyStats &) const = default;
};

// A request to add or change a service: fields left empty are not sent.
struct ServiceSpec {
	ServiceKey key;
	std::optional<std::string> sched;
	std::optional<std::uint32_t> flags;
	std::optional<std::uint32_t> timeout;
	std::optional<std::uint8_t> netmask;
	std::optional<std::uint32_t> owner;  // IPVS_FNAT_OWNER_*: NEW_SERVICE only
	bool operator==(const ServiceSpec &) const = default;
};

// A service as the kernel reports it.
struct Service {
	ServiceKey key;
	std::string sched;
	std::uint32_t flags = 0;
	std::uint32_t timeout = 0;
	std::uint8_t netmask = 0;  // prefix length
	std::uint32_t num_dests = 0;
	std::uint32_t num_laddrs = 0;
	std::uint32_t owner = 0;  // IPVS_FNAT_OWNER_*: who made it (0 = by hand)
	Stats stats;
	std::optional<SynProxyStats> sp_stats;  // TCP services (the kernel's SYNPROXY_STATS)
	bool persistent() const;
	bool synproxy() const;
	bool dest_check() const;
	bool operator==(const Service &) const = default;
};

// A request to add, change or delete a destination (real server).
struct DestSpec {
	Address addr;
	std::uint16_t port = 0;
	std::optional<std::uint32_t> weight;
	std::optional<std::uint32_t> u_thresh;
	std::optional<std::uint32_t> l_thresh;
	bool operator==(const DestSpec &) const = default;
};

struct Dest {
	Address addr;
	std::uint16_t port = 0;
	std::uint32_t weight = 0;
	std::uint32_t u_thresh = 0;
	std::uint32_t l_thresh = 0;
	std::uint32_t active_conns = 0;
	std::uint32_t inact_conns = 0;
	std::uint32_t persist_conns = 0;
	// The passive health check (the service's --dest-check).
	std::uint8_t check_state = 0;      // IPVS_FNAT_DEST_CHECK_*
	std::uint32_t check_fails = 0;     // handshakes failed in a row
	std::uint32_t inhibit_left_ms = 0; // of the current inhibit period
	std::uint64_t inhibits = 0;        // times inhibited
	Stats stats;
	bool operator==(const Dest &) const = default;
};

// A local address (LIP) of a service's pool.
struct Laddr {
	Address addr;
	std::uint64_t port_conflicts = 0;
	std::uint32_t conns = 0;
	bool peer = false;  // another director's (IPVS_FNAT_LADDR_F_PEER)
	bool operator==(const Laddr &) const = default;
};

// One message of the GET_LADDR dump: a LIP and the service it belongs to, or none
// for the namespace's default pool.
struct LaddrEntry {
	std::optional<ServiceKey> service;
	Laddr laddr;
};

// The namespace's tunables; absent = not reported (GET) or unchanged (SET).
struct Config {
	std::optional<std::uint32_t> timeout_tcp, timeout_tcp_fin, timeout_udp, timeout_syn;
	std::optional<std::uint32_t> conn_max;
	std::optional<std::uint16_t> port_min, port_max;
	std::optional<bool> toa, keep_timestamps, expire_rst;
	std::optional<std::uint32_t> dc_fails, dc_inhibit_min, dc_inhibit_max;  // seconds
	bool operator==(const Config &) const = default;
};

struct Info {
	std::uint32_t version = 0;  // IPVS_FNAT_VERSION_CODE(major, minor, patch)
	std::uint32_t conn_tab_size = 0;
	std::uint32_t conn_count = 0;
	std::uint32_t service_count = 0;
	bool operator==(const Info &) const = default;
};

struct Endpoint {
	Address addr;
	std::uint16_t port = 0;
	bool operator==(const Endpoint &) const = default;
};

// A live connection: client -> VIP rewritten to LIP -> real server.
struct Conn {
	Proto proto = Proto::TCP;
	Endpoint client, virt, local, dest;
	std::uint16_t state = 0;
	std::string state_name;
	std::uint32_t expires_ms = 0;
	std::uint32_t flags = 0;
	bool operator==(const Conn &) const = default;
};

// A service with everything listed under it.
struct ServiceView {
	Service svc;
	std::vector<Dest> dests;
	std::vector<Laddr> laddrs;
};

// What -L, -S and -G print: the services (and, for a full listing, the module info),
// then the namespace's default LIP pool.
struct Listing {
	std::optional<Info> info;
	std::vector<ServiceView> services;
	std::vector<Laddr> default_laddrs;
};

// A connection sync daemon to start (NEW_DAEMON). Absent fields are not sent: the
// kernel's defaults apply (docs/sync.md). The key's bytes are the caller's to wipe.
struct DaemonConfig {
	std::uint32_t state = 0;  // IPVS_FNAT_DAEMON_MASTER or _BACKUP
	std::string mcast_ifn;
	std::optional<std::uint32_t> syncid;
	std::optional<Address> group;
	std::vector<Address> peers;
	std::optional<std::uint16_t> port;
	std::optional<std::uint8_t> ttl;
	std::optional<std::uint32_t> threshold;  // master only
	std::vector<std::uint8_t> key;           // empty: unauthenticated
	bool operator==(const DaemonConfig &) const = default;
};

// The namespace's sync counters, in the order of enum ipvs_fnat_sync_stats_attr from
// TX_MSGS on (PAD left out); sync_stat_name(i) names each ("tx_msgs", ...),
// sync_stat_attr(i) is its attribute.
inline constexpr std::size_t kSyncStatCount = 23;
std::string_view sync_stat_name(std::size_t i);
int sync_stat_attr(std::size_t i);

// A master a backup follows (GET_DAEMON of the backup).
struct SyncMaster {
	std::uint32_t syncid = 0;
	std::optional<Address> addr;
	std::uint64_t epoch = 0;
	bool synced = false;  // a full resync of its table, asked by this backup, completed
	std::uint32_t heard_ms = 0;
	bool operator==(const SyncMaster &) const = default;
};

// A running daemon as GET_DAEMON reports it (never its key).
struct Daemon {
	std::uint32_t state = 0;
	std::string mcast_ifn;
	std::uint32_t syncid = 0;
	std::optional<Address> group;  // or peers
	std::vector<Address> peers;
	std::uint16_t port = 0;
	std::uint8_t ttl = 0;
	bool key_set = false;
	std::optional<std::uint32_t> threshold;
	std::uint64_t epoch = 0;
	std::array<std::uint64_t, kSyncStatCount> stats{};
	// The backup's: whether it holds every live master's table, and the masters.
	std::optional<bool> synced;
	std::vector<SyncMaster> masters;
	bool operator==(const Daemon &) const = default;
};
std::string_view daemon_state_name(std::uint32_t state);  // "master" / "backup"

// Full prefix length of a family: 32 or 128.
inline std::uint8_t full_prefix(int af) { return af == AF_INET6 ? 128 : 32; }

}  // namespace fnat
