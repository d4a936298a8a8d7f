#include "nlsock.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

#include "uapi/ipvs_fnat.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

namespace nlc {

namespace {

uint16_t resolve_family()
{
	nl_sock *s = nl_socket_alloc();
	if (!s)
		throw std::runtime_error("nl_socket_alloc failed");
	int id = genl_connect(s);
	if (id == 0)
		id = genl_ctrl_resolve(s, IPVS_FNAT_GENL_NAME);
	nl_socket_free(s);
	if (id < 0)
		throw std::runtime_error("generic netlink family " IPVS_FNAT_GENL_NAME
					 " not found (is ipvs_fnat.ko loaded?)");
	return static_cast<uint16_t>(id);
}

void parse_ack_tlvs(Reply &r, const uint8_t *p, size_t len)
{
	AttrSet tlv(p, len);
	if (tlv.has(NLMSGERR_ATTR_MSG))
		r.extack = tlv.get_str(NLMSGERR_ATTR_MSG);
	r.bad_attr = tlv.has(NLMSGERR_ATTR_OFFS);
#ifdef NLMSGERR_ATTR_MISS_TYPE
	r.miss_attr = tlv.has(NLMSGERR_ATTR_MISS_TYPE);
#else
	r.miss_attr = tlv.has(5);
#endif
}

} // namespace

Socket::Socket()
{
	family_ = resolve_family();
	fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd_ < 0)
		throw std::runtime_error(std::string("socket: ") + strerror(errno));
	int one = 1;
	setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	sockaddr_nl sa{};
	sa.nl_family = AF_NETLINK;
	if (bind(fd_, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0)
		throw std::runtime_error(std::string("bind: ") + strerror(errno));
}

Socket::~Socket()
{
	if (fd_ >= 0)
		close(fd_);
}

void Socket::send_raw(const Bytes &msg)
{
	if (msg.size() >= sizeof(nlmsghdr)) {
		nlmsghdr nh;
		std::memcpy(&nh, msg.data(), sizeof(nh));
		cur_seq_ = nh.nlmsg_seq;
	}
	sockaddr_nl sa{};
	sa.nl_family = AF_NETLINK;
	ssize_t n = sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr *>(&sa),
			   sizeof(sa));
	if (n < 0 || static_cast<size_t>(n) != msg.size())
		throw std::runtime_error(std::string("sendto: ") + strerror(errno));
}

void Socket::send(const Request &req)
{
	send_raw(encode_request(req, family_, next_seq()));
}

void Socket::recv_one(Reply &r)
{
	static thread_local std::vector<uint8_t> buf(65536);
	ssize_t n;
	do {
		n = recv(fd_, buf.data(), std::min(buf.size(), recv_len_), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		throw std::runtime_error(std::string("recv: ") + strerror(errno));
	r.batches++;
	size_t len = static_cast<size_t>(n);
	if (len > std::min(buf.size(), recv_len_))
		throw std::runtime_error("truncated datagram");
	for (auto *nh = reinterpret_cast<nlmsghdr *>(buf.data()); NLMSG_OK(nh, len);
	     nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_seq != cur_seq_)
			continue;	/* a late answer to an earlier request */
		const uint8_t *payload = static_cast<const uint8_t *>(NLMSG_DATA(nh));
		size_t plen = nh->nlmsg_len - NLMSG_HDRLEN;
		if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
			r.dump_intr = true;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			nlmsgerr e;
			if (plen < sizeof(e))
				throw std::runtime_error("short NLMSG_ERROR");
			std::memcpy(&e, payload, sizeof(e));
			r.error = -e.error;
			r.done = true;
			if (nh->nlmsg_flags & NLM_F_ACK_TLVS) {
				size_t off = sizeof(e);
				if (!(nh->nlmsg_flags & NLM_F_CAPPED))
					off += e.msg.nlmsg_len - NLMSG_HDRLEN;
				if (off < plen)
					parse_ack_tlvs(r, payload + off, plen - off);
			}
			return;
		}
		if (nh->nlmsg_type == NLMSG_DONE) {
			int err = 0;
			if (plen >= sizeof(err))
				std::memcpy(&err, payload, sizeof(err));
			r.error = -err;
			r.done = true;
			if ((nh->nlmsg_flags & NLM_F_ACK_TLVS) && plen > sizeof(err))
				parse_ack_tlvs(r, payload + sizeof(err), plen - sizeof(err));
			return;
		}
		if (nh->nlmsg_type != family_)
			throw std::runtime_error("message of unexpected type " +
						 std::to_string(nh->nlmsg_type));
		if (plen < GENL_HDRLEN)
			throw std::runtime_error("short generic netlink message");
		genlmsghdr gh;
		std::memcpy(&gh, payload, sizeof(gh));
		r.cmds.push_back(gh.cmd);
		r.msgs.emplace_back(payload + GENL_HDRLEN, plen - GENL_HDRLEN);
	}
}

Reply Socket::call_raw(const Bytes &msg)
{
	send_raw(msg);
	Reply r;
	while (!r.done)
		recv_one(r);
	return r;
}

Reply Socket::call(const Request &req)
{
	return call_raw(encode_request(req, family_, next_seq()));
}

std::string errno_name(int e)
{
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EEXIST: return "EEXIST";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMSGSIZE: return "EMSGSIZE";
	case ERANGE: return "ERANGE";
	default: return "errno " + std::to_string(e);
	}
}

} // namespace nlc
