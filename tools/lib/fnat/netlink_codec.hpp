#pragma once
// The IPVS_FNAT attribute trees <-> the tools' plain data: how each request is built
// and each reply read (libnl attributes, network byte order on the wire). Kept apart
// from the socket so that the unit tests can check the encoding without a kernel.
#include <cstddef>
#include <string>

#include "fnat/model.hpp"

struct nl_msg;
struct nlattr;

namespace fnat::nl {

// Requests: each opens its top-level nest (IPVS_FNAT_ATTR_*), fills it and closes it.
void put_key(nl_msg *m, const ServiceKey &k);                                // ATTR_SERVICE { key }
void put_service_spec(nl_msg *m, const ServiceSpec &s);                      // ATTR_SERVICE { key, ... }
void put_dest_spec(nl_msg *m, const DestSpec &d, bool with_family);          // ATTR_DEST
// ATTR_LADDR { AF, ADDR, [FLAGS] }
void put_laddr(nl_msg *m, const Address &a, std::optional<std::uint32_t> flags = std::nullopt);
void put_config(nl_msg *m, const Config &c);                                 // ATTR_CONFIG
void put_daemon_config(nl_msg *m, const DaemonConfig &d);                    // ATTR_DAEMON
void put_daemon_state(nl_msg *m, std::uint32_t state);                       // ATTR_DAEMON { STATE }

// Replies: each takes the nest of its top-level attribute. A missing required
// attribute or a short one throws TransportError.
Service parse_service(nlattr *nest);
ServiceKey parse_key_nest(nlattr *nest);
Stats parse_stats(nlattr *nest);
Dest parse_dest(nlattr *nest, int svc_af);
Laddr parse_laddr(nlattr *nest, int svc_af);
Conn parse_conn(nlattr *nest);
Config parse_config(nlattr *nest);
Info parse_info(nlattr *nest);
Daemon parse_daemon(nlattr *nest);

// The NLMSGERR_ATTR_MSG string among the extended-ack TLVs at [p, p + len), or "".
std::string extack_text(const unsigned char *p, std::size_t len);

[[noreturn]] void malformed(const char *what);

}  // namespace fnat::nl
