#pragma once
// Everything the tool prints, as pure functions over plain data: the ipvsadm-style
// listings (plain, --stats, --rate, --exact, --timeout, -c), -G, the -S rules and the
// --json forms. The plain numeric listing is byte for byte /proc/net/ip_vs_fnat.
#include <string>
#include <vector>

#include "fnat/model.hpp"

#include "resolver.hpp"

namespace fnat {

// "192.0.2.10:80", "[2001:db8::10]:80"; without FMT_NUMERIC the resolver's names
// (IPv4 hosts, /etc/services ports), as ipvsadm prints them.
std::string format_addr_port(const Address &addr, std::uint16_t port, Proto proto, unsigned fmt,
			     const Resolver &resolver);

// -L: the version line when listing.info is set (the whole table), the column titles,
// then each service with its destinations and local addresses. fmt: FMT_* flags.
std::string format_list(const Listing &listing, unsigned fmt, const Resolver &resolver);

// -S: one command per line that -R reads back.
std::string format_rules(const Listing &listing, unsigned fmt, const Resolver &resolver);

// -L --timeout.
std::string format_timeout(const Config &cfg);

// -L -c.
std::string format_conns(const std::vector<Conn> &conns, unsigned fmt, const Resolver &resolver);

// -G: each service (its key) with its local addresses, then the namespace's default
// pool (when it is not empty) under the heading "Default local addresses".
std::string format_laddrs(const Listing &listing, unsigned fmt, const Resolver &resolver);

// -L --daemon: one line per sync daemon, ipvsadm's way; with FMT_STATS its counters
// after it, "  name value" each.
std::string format_daemons(const std::vector<Daemon> &daemons, unsigned fmt);
std::string json_daemons(const std::vector<Daemon> &daemons);

// --json forms of the same listings: complete, every field the kernel returned.
std::string json_list(const Listing &listing);
std::string json_timeout(const Config &cfg);
std::string json_conns(const std::vector<Conn> &conns);
// with_default_pool: a "default_laddrs" array after the services (-G without -t).
std::string json_laddrs(const Listing &listing, bool with_default_pool);

// Names used by --json and --prometheus: a destination's IPVS_FNAT_DEST_CHECK_* as
// "ok", "inhibited", "trial"; a service's IPVS_FNAT_OWNER_* as "none", "mirror" or
// the number.
std::string_view check_state_name(std::uint8_t state);
std::string owner_name(std::uint32_t owner);

// --sort, as ipvsadm sorts: services by family, protocol, address and port;
// destinations by address and port; local addresses by address. Without it,
// listings keep the kernel's (creation) order.
void sort_listing(Listing &listing);

// "%u.%u.%u" of an IPVS_FNAT_VERSION_CODE.
std::string version_string(std::uint32_t code);

}  // namespace fnat
