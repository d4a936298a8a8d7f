#pragma once
// The kernel IPVS family's attribute trees (<linux/ip_vs.h>) <-> IpvsService/IpvsDest:
// functions over libnl attributes, apart from the socket so that the unit tests can
// feed them messages built by hand (short and malformed ones included).
#include <stdexcept>

#include "ipvs_model.hpp"

struct nl_msg;
struct nlattr;

namespace mirror::ipvs {

// A reply that does not read as IPVS: what is wrong, never a crash.
class MalformedReply : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// IPVS_CMD_ATTR_SERVICE { AF, PROTOCOL, ADDR, PORT } or { AF, FWMARK }: names the
// service of a GET_DEST request. Throws std::runtime_error if the message is full.
void put_service_key(nl_msg *m, const IpvsService &svc);

// The IPVS_CMD_ATTR_SERVICE nest of a GET_SERVICE reply (dests left empty).
IpvsService parse_service(nlattr *nest);

// The IPVS_CMD_ATTR_DEST nest of a GET_DEST reply; svc_af is the family of the
// service, used when the destination carries no ADDR_FAMILY (kernels before 4.x).
IpvsDest parse_dest(nlattr *nest, int svc_af);

// A be32 IPv4 netmask (network byte order) as a prefix length; -1 if the mask is
// not contiguous.
int prefix_from_mask(std::uint32_t mask_be);

}  // namespace mirror::ipvs
