// A raw generic-netlink socket for the IPVS_FNAT family. The kernel's answer is read
// as it is: the errno of the ack (or of a dump's NLMSG_DONE), the extended-ack
// message, and every data message, with NLM_F_DUMP_INTR noted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nlmsg.hpp"

namespace nlc {

struct Reply {
	int error = 0;			// positive errno, 0 for success
	bool done = false;		// the ack or NLMSG_DONE was read
	std::string extack;		// NLMSGERR_ATTR_MSG
	bool bad_attr = false;		// NLMSGERR_ATTR_OFFS present
	bool miss_attr = false;		// NLMSGERR_ATTR_MISS_TYPE present
	std::vector<AttrSet> msgs;	// data messages (attributes after the genl header)
	std::vector<uint8_t> cmds;	// their genl commands
	bool dump_intr = false;		// some message carried NLM_F_DUMP_INTR
	int batches = 0;		// datagrams read
};

class Socket {
public:
	Socket();			// resolves the family; throws if it is not there
	~Socket();
	Socket(const Socket &) = delete;
	Socket &operator=(const Socket &) = delete;

	uint16_t family() const { return family_; }

	// Send and read everything up to the ack / NLMSG_DONE.
	Reply call(const Request &req);
	Reply call_raw(const Bytes &msg);

	// Step by step (dumps read in parts): send, then read one datagram at a time.
	void send(const Request &req);
	void send_raw(const Bytes &msg);
	void recv_one(Reply &r);

	uint32_t next_seq() { return ++seq_; }

	// The buffer each recv() offers. The kernel sizes the parts of a dump after the
	// largest buffer seen, and builds the next part while the current one is read.
	void set_recv_len(size_t len) { recv_len_ = len; }

private:
	int fd_ = -1;
	uint16_t family_ = 0;
	uint32_t seq_ = 0;
	uint32_t cur_seq_ = 0;
	size_t recv_len_ = 65536;
};

std::string errno_name(int e);

} // namespace nlc
