#pragma once
// The mirror's decision, as a pure function: from what IPVS holds (desired) and what
// IPVS_FNAT holds (current), the list of IPVS_FNAT changes that make them agree, and
// notes on what cannot be mirrored. No I/O: unit-tested with tables of snapshots.
#include <string>
#include <vector>

#include "fnat/model.hpp"

#include "ipvs_model.hpp"

namespace mirror {

// One IPVS_FNAT service as read back (owner included) with its destinations.
struct FnatServiceState {
	fnat::Service svc;
	std::vector<fnat::Dest> dests;
};
using FnatSnapshot = std::vector<FnatServiceState>;

struct Action {
	enum class Kind { AddService, EditService, DelService, AddDest, EditDest, DelDest };
	Kind kind = Kind::AddService;
	// The service: its key always; for AddService/EditService the fields to set
	// (EditService carries only what differs).
	fnat::ServiceSpec svc;
	// For the dest actions: the destination (DelDest: address and port only).
	fnat::DestSpec dest;
	bool operator==(const Action &) const = default;
};

// A thing the mirror does not do, or does differently, for one service. service is
// its name as describe() writes it ("TCP 192.0.2.10:80", "FWM 7", ...).
struct Note {
	std::string service;
	std::string text;
	bool operator==(const Note &) const = default;
	auto operator<=>(const Note &) const = default;
};

struct Plan {
	std::vector<Action> actions;  // service adds/edits, dest changes, service deletes
	std::vector<Note> notes;
};

// How the services the mirror creates are made (the daemon's --dest-check and
// --synproxy): extra flags at creation only, never enforced afterwards.
struct PlanOptions {
	bool dest_check = false;
	bool synproxy = false;  // TCP services only
};

Plan plan(const IpvsSnapshot &desired, const FnatSnapshot &current, const PlanOptions &opts);

// "TCP 192.0.2.10:80", "UDP [2001:db8::10]:53".
std::string service_text(const fnat::ServiceKey &key);
// "192.0.2.10:80", "[2001:db8::10]:53".
std::string endpoint_text(const fnat::Address &addr, std::uint16_t port);
// The change as one log line (without the program's prefix), e.g.
// "add service TCP 192.0.2.10:80 wlc", "add dest TCP 192.0.2.10:80 -> 203.0.113.11:80 weight 0".
std::string describe(const Action &a);

}  // namespace mirror
