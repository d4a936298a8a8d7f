#include "fnat/model.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "fnat/uapi.hpp"

namespace fnat {

std::string Address::str() const
{
	char buf[INET6_ADDRSTRLEN] = "";
	if (af != AF_INET && af != AF_INET6)
		return "?";
	inet_ntop(af, bytes.data(), buf, sizeof(buf));
	return buf;
}

std::optional<Address> Address::parse(std::string_view text)
{
	// inet_pton needs a terminated string; anything longer than an IPv6 text is no address.
	if (text.empty() || text.size() >= INET6_ADDRSTRLEN)
		return std::nullopt;
	std::string s(text);
	Address a;
	if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
		a.af = AF_INET;
		return a;
	}
	if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
		a.af = AF_INET6;
		return a;
	}
	return std::nullopt;
}

Address Address::from_bytes(int af, const void *data)
{
	Address a;
	a.af = af;
	std::memcpy(a.bytes.data(), data, a.size());
	return a;
}

bool Address::is_multicast() const
{
	return af == AF_INET ? (bytes[0] & 0xf0) == 0xe0 : af == AF_INET6 && bytes[0] == 0xff;
}

bool Address::is_any() const
{
	for (std::size_t i = 0; i < size(); i++)
		if (bytes[i])
			return false;
	return true;
}

bool Address::operator<(const Address &o) const
{
	if (af != o.af)
		return af < o.af;
	return std::memcmp(bytes.data(), o.bytes.data(), size()) < 0;
}

std::string_view proto_name(Proto p) { return p == Proto::UDP ? "UDP" : "TCP"; }
std::string_view proto_flag(Proto p) { return p == Proto::UDP ? "-u" : "-t"; }

bool Service::persistent() const { return flags & IPVS_FNAT_SVC_F_PERSISTENT; }
bool Service::synproxy() const { return flags & IPVS_FNAT_SVC_F_SYNPROXY; }
bool Service::dest_check() const { return flags & IPVS_FNAT_SVC_F_DEST_CHECK; }

namespace {

// The comments of enum ipvs_fnat_sync_stats_attr name them; /proc prints sync_<name>.
constexpr std::array<std::string_view, kSyncStatCount> kSyncStatNames = {
	"tx_msgs",  "tx_conns",    "rx_msgs",    "rx_conns",  "resent",     "resync",    "resync_req",
	"queue_drops", "auth_fail", "replay",    "version_err", "malformed", "nack_tx",   "nack_rx",
	"gap_lost", "no_service",  "no_dest",    "no_laddr",  "conn_limit", "conflict",  "deleted",
	"moved",    "resync_done",
};
static_assert(kSyncStatCount == IPVS_FNAT_SYNC_STATS_ATTR_DELETED - IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS + 3);

}  // namespace

std::string_view sync_stat_name(std::size_t i) { return i < kSyncStatCount ? kSyncStatNames[i] : "?"; }

int sync_stat_attr(std::size_t i)
{
	// TX_MSGS..DELETED in order, then MOVED.. (after the nest's PAD).
	constexpr std::size_t kContiguous = IPVS_FNAT_SYNC_STATS_ATTR_DELETED - IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS + 1;
	return i < kContiguous ? IPVS_FNAT_SYNC_STATS_ATTR_TX_MSGS + static_cast<int>(i)
			       : IPVS_FNAT_SYNC_STATS_ATTR_MOVED + static_cast<int>(i - kContiguous);
}

std::string_view daemon_state_name(std::uint32_t state)
{
	return state == IPVS_FNAT_DAEMON_MASTER ? "master" : state == IPVS_FNAT_DAEMON_BACKUP ? "backup" : "?";
}

}  // namespace fnat
