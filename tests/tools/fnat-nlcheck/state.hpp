// Requests for the IPVS_FNAT family built from readable parts, and a canonical text
// snapshot of a namespace's whole state (config, info, services with every reply
// attribute, destinations, local addresses), to prove that a failed command changed
// nothing.
#pragma once

#include <string>
#include <vector>

#include "nlmsg.hpp"
#include "nlsock.hpp"

namespace nlc {

struct SvcKey {
	uint16_t af;
	uint8_t proto;
	std::string addr;
	uint16_t port;
};

std::vector<Attr> key_attrs(const SvcKey &k);
Attr svc_nest(const SvcKey &k, std::vector<Attr> extra = {});
std::string key_str(const SvcKey &k);

Request req(uint8_t cmd, std::vector<Attr> attrs = {}, bool dump = false);

// Throws std::runtime_error if a request fails or a reply lacks an attribute.
std::string snapshot(Socket &s);

// Decoded replies.
std::string service_line(const AttrSet &svc);	// from an ATTR_SERVICE nest
std::string dest_line(const AttrSet &dest);	// from an ATTR_DEST nest
std::string laddr_line(const AttrSet &la);	// from an ATTR_LADDR nest
std::string check_line(const AttrSet &dest);	// the passive check's part of a dest nest
std::string laddr_owner_line(const AttrSet &msg); // a GET_LADDR message's service or "default"
std::string stats_line(const AttrSet &stats);
std::string svc_key_line(const AttrSet &svc);	// the key part of a service nest

} // namespace nlc
