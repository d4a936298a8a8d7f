#include "fnat/netlink_kernel.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "fnat/netlink_codec.hpp"
#include "fnat/uapi.hpp"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace fnat {

using namespace nl;

namespace {

// --- the receive loop ----------------------------------------------------------------

struct Exchange {
	std::uint32_t seq = 0;
	const std::function<void(nlattr **)> *handler = nullptr;
	std::exception_ptr exc;
	int err = 0;  // the kernel's errno, positive
	std::string extack;
	bool done = false;
	bool interrupted = false;  // a dump part saw the tables change (NLM_F_DUMP_INTR)
};

int on_seq(nl_msg *msg, void *arg)
{
	const auto *x = static_cast<Exchange *>(arg);
	return nlmsg_hdr(msg)->nlmsg_seq == x->seq ? NL_OK : NL_SKIP;
}

int on_valid(nl_msg *msg, void *arg)
{
	auto *x = static_cast<Exchange *>(arg);
	try {
		nlattr *tb[IPVS_FNAT_ATTR_MAX + 1];
		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IPVS_FNAT_ATTR_MAX, nullptr) < 0)
			malformed("bad generic netlink message");
		if (x->handler && *x->handler)
			(*x->handler)(tb);
		return NL_OK;
	} catch (...) {
		x->exc = std::current_exception();
		x->done = true;
		return NL_STOP;
	}
}

// NLMSG_DONE carries the dump's error, if any, then (NLM_F_ACK_TLVS) the extack.
int on_finish(nl_msg *msg, void *arg)
{
	auto *x = static_cast<Exchange *>(arg);
	const nlmsghdr *h = nlmsg_hdr(msg);
	if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		int e;
		const auto *data = static_cast<const unsigned char *>(nlmsg_data(h));
		std::memcpy(&e, data, sizeof(e));
		if (e < 0) {
			x->err = -e;
			if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
				const std::size_t off = NLMSG_ALIGN(sizeof(int));
				const std::size_t total = h->nlmsg_len - NLMSG_HDRLEN;
				if (total > off)
					x->extack = extack_text(data + off, total - off);
			}
		}
	}
	x->done = true;
	return NL_STOP;
}

// Keep reading: the dump is complete but possibly inconsistent; it is repeated.
int on_interrupted(nl_msg *, void *arg)
{
	static_cast<Exchange *>(arg)->interrupted = true;
	return NL_OK;
}

int on_ack(nl_msg *, void *arg)
{
	static_cast<Exchange *>(arg)->done = true;
	return NL_STOP;
}

// NLMSG_ERROR: the raw errno (libnl would fold ESRCH and ENOENT together), then the
// extack TLVs after the echoed request (or right after the header when capped).
int on_error(sockaddr_nl *, nlmsgerr *e, void *arg)
{
	auto *x = static_cast<Exchange *>(arg);
	x->err = -e->error;
	x->done = true;
	const auto *h = reinterpret_cast<const nlmsghdr *>(reinterpret_cast<const unsigned char *>(e) - NLMSG_HDRLEN);
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		std::size_t off = NLMSG_ALIGN(sizeof(nlmsgerr));
		if (!(h->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		const std::size_t total = h->nlmsg_len - NLMSG_HDRLEN;
		if (total > off)
			x->extack = extack_text(reinterpret_cast<const unsigned char *>(e) + off, total - off);
	}
	return NL_STOP;
}

}  // namespace

NetlinkKernel::NetlinkKernel()
{
	sk_ = nl_socket_alloc();
	if (!sk_)
		throw std::bad_alloc();
	int rc = genl_connect(sk_);
	if (rc < 0) {
		nl_socket_free(sk_);
		throw TransportError(std::string("cannot open a generic netlink socket: ") + nl_geterror(rc));
	}
	nl_socket_disable_auto_ack(sk_);
	nl_socket_enable_msg_peek(sk_);
	const int one = 1;
	// Best effort: without extended acks there is just no kernel text to show.
	setsockopt(nl_socket_get_fd(sk_), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk_), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	family_ = genl_ctrl_resolve(sk_, IPVS_FNAT_GENL_NAME);
	if (family_ < 0) {
		const int err = -family_;
		nl_socket_free(sk_);
		if (err == NLE_OBJ_NOTFOUND)
			throw ModuleNotLoaded();
		throw TransportError(std::string("cannot resolve the " IPVS_FNAT_GENL_NAME " family: ") +
				     nl_geterror(family_));
	}
}

NetlinkKernel::~NetlinkKernel() { nl_socket_free(sk_); }

bool NetlinkKernel::transact(std::uint8_t cmd, bool dump, const Filler &fill, const Handler &on_reply)
{
	struct MsgDeleter {
		// Wiped first: a NEW_DAEMON request holds the sync key.
		void operator()(nl_msg *m) const
		{
			nlmsghdr *h = nlmsg_hdr(m);
			explicit_bzero(h, h->nlmsg_len);
			nlmsg_free(m);
		}
	};
	struct CbDeleter {
		void operator()(nl_cb *c) const { nl_cb_put(c); }
	};
	std::unique_ptr<nl_msg, MsgDeleter> msg(nlmsg_alloc());
	if (!msg)
		throw std::bad_alloc();
	const int flags = dump ? NLM_F_DUMP : NLM_F_ACK;
	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, flags, cmd, IPVS_FNAT_GENL_VERSION))
		throw TransportError("netlink: cannot build the request header");
	if (fill)
		fill(msg.get());

	std::unique_ptr<nl_cb, CbDeleter> cb(nl_cb_alloc(NL_CB_CUSTOM));
	if (!cb)
		throw std::bad_alloc();
	Exchange x;
	x.handler = &on_reply;
	nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq, &x);
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &x);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
	nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_interrupted, &x);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &x);

	const int sent = nl_send_auto(sk_, msg.get());
	if (sent < 0)
		throw TransportError(std::string("netlink: cannot send the request: ") + nl_geterror(sent));
	x.seq = nlmsg_hdr(msg.get())->nlmsg_seq;

	while (!x.done) {
		const int rc = nl_recvmsgs(sk_, cb.get());
		if (x.done)
			break;
		if (rc < 0)
			throw TransportError(std::string("netlink: ") + nl_geterror(rc));
	}
	if (x.exc)
		std::rethrow_exception(x.exc);
	if (x.err)
		throw KernelError(cmd, x.err, x.extack);
	return !x.interrupted;
}

template <typename T>
std::vector<T> NetlinkKernel::dump(std::uint8_t cmd, const Filler &fill, const std::function<T(nlattr **)> &item)
{
	std::vector<T> out;
	for (int attempt = 1;; attempt++) {
		out.clear();
		if (transact(cmd, true, fill, [&](nlattr **tb) { out.push_back(item(tb)); }))
			return out;
		if (attempt == kDumpAttempts)
			throw TransportError("netlink: the table kept changing during " + std::to_string(kDumpAttempts) +
					     " dumps; try again");
	}
}

void NetlinkKernel::add_service(const ServiceSpec &spec)
{
	transact(IPVS_FNAT_CMD_NEW_SERVICE, false, [&](nl_msg *m) { put_service_spec(m, spec); });
}

void NetlinkKernel::edit_service(const ServiceSpec &spec)
{
	transact(IPVS_FNAT_CMD_SET_SERVICE, false, [&](nl_msg *m) { put_service_spec(m, spec); });
}

void NetlinkKernel::del_service(const ServiceKey &key)
{
	transact(IPVS_FNAT_CMD_DEL_SERVICE, false, [&](nl_msg *m) { put_key(m, key); });
}

Service NetlinkKernel::get_service(const ServiceKey &key)
{
	std::optional<Service> out;
	transact(
		IPVS_FNAT_CMD_GET_SERVICE, false, [&](nl_msg *m) { put_key(m, key); },
		[&](nlattr **tb) { out = parse_service(tb[IPVS_FNAT_ATTR_SERVICE]); });
	if (!out)
		malformed("no service in the reply");
	return *out;
}

std::vector<Service> NetlinkKernel::services()
{
	return dump<Service>(IPVS_FNAT_CMD_GET_SERVICE, {},
			     [](nlattr **tb) { return parse_service(tb[IPVS_FNAT_ATTR_SERVICE]); });
}

void NetlinkKernel::add_dest(const ServiceKey &key, const DestSpec &dest)
{
	transact(IPVS_FNAT_CMD_NEW_DEST, false, [&](nl_msg *m) {
		put_key(m, key);
		put_dest_spec(m, dest, true);
	});
}

void NetlinkKernel::edit_dest(const ServiceKey &key, const DestSpec &dest)
{
	transact(IPVS_FNAT_CMD_SET_DEST, false, [&](nl_msg *m) {
		put_key(m, key);
		put_dest_spec(m, dest, false);
	});
}

void NetlinkKernel::del_dest(const ServiceKey &key, const Address &a, std::uint16_t p)
{
	transact(IPVS_FNAT_CMD_DEL_DEST, false, [&](nl_msg *m) {
		put_key(m, key);
		put_dest_spec(m, DestSpec{a, p, std::nullopt, std::nullopt, std::nullopt}, false);
	});
}

std::vector<Dest> NetlinkKernel::dests(const ServiceKey &key)
{
	return dump<Dest>(
		IPVS_FNAT_CMD_GET_DEST, [&](nl_msg *m) { put_key(m, key); },
		[&](nlattr **tb) { return parse_dest(tb[IPVS_FNAT_ATTR_DEST], key.af()); });
}

void NetlinkKernel::add_laddr(const std::optional<ServiceKey> &key, const Address &a, bool peer)
{
	transact(IPVS_FNAT_CMD_NEW_LADDR, false, [&](nl_msg *m) {
		if (key)
			put_key(m, *key);
		put_laddr(m, a, peer ? std::optional<std::uint32_t>(IPVS_FNAT_LADDR_F_PEER) : std::nullopt);
	});
}

void NetlinkKernel::del_laddr(const std::optional<ServiceKey> &key, const Address &a)
{
	transact(IPVS_FNAT_CMD_DEL_LADDR, false, [&](nl_msg *m) {
		if (key)
			put_key(m, *key);
		put_laddr(m, a);
	});
}

std::vector<LaddrEntry> NetlinkKernel::laddrs(const std::optional<ServiceKey> &key)
{
	return dump<LaddrEntry>(
		IPVS_FNAT_CMD_GET_LADDR,
		[&](nl_msg *m) {
			if (key)
				put_key(m, *key);
		},
		[](nlattr **tb) {
			LaddrEntry e;
			int af = AF_UNSPEC;  // the default pool's messages carry their AF
			if (tb[IPVS_FNAT_ATTR_SERVICE]) {
				e.service = parse_key_nest(tb[IPVS_FNAT_ATTR_SERVICE]);
				af = e.service->af();
			}
			e.laddr = parse_laddr(tb[IPVS_FNAT_ATTR_LADDR], af);
			return e;
		});
}

void NetlinkKernel::set_config(const Config &c)
{
	transact(IPVS_FNAT_CMD_SET_CONFIG, false, [&](nl_msg *m) { put_config(m, c); });
}

Config NetlinkKernel::config()
{
	std::optional<Config> out;
	transact(IPVS_FNAT_CMD_GET_CONFIG, false, {},
		 [&](nlattr **tb) { out = parse_config(tb[IPVS_FNAT_ATTR_CONFIG]); });
	if (!out)
		malformed("no configuration in the reply");
	return *out;
}

Info NetlinkKernel::info()
{
	std::optional<Info> out;
	transact(IPVS_FNAT_CMD_GET_INFO, false, {}, [&](nlattr **tb) { out = parse_info(tb[IPVS_FNAT_ATTR_INFO]); });
	if (!out)
		malformed("no info in the reply");
	return *out;
}

void NetlinkKernel::zero(const std::optional<ServiceKey> &key)
{
	transact(IPVS_FNAT_CMD_ZERO, false, [&](nl_msg *m) {
		if (key)
			put_key(m, *key);
	});
}

void NetlinkKernel::flush() { transact(IPVS_FNAT_CMD_FLUSH, false, {}); }

std::vector<Conn> NetlinkKernel::conns()
{
	return dump<Conn>(IPVS_FNAT_CMD_GET_CONN, {}, [](nlattr **tb) { return parse_conn(tb[IPVS_FNAT_ATTR_CONN]); });
}

void NetlinkKernel::start_daemon(const DaemonConfig &cfg)
{
	transact(IPVS_FNAT_CMD_NEW_DAEMON, false, [&](nl_msg *m) { put_daemon_config(m, cfg); });
}

void NetlinkKernel::stop_daemon(std::uint32_t state)
{
	transact(IPVS_FNAT_CMD_DEL_DAEMON, false, [&](nl_msg *m) { put_daemon_state(m, state); });
}

std::vector<Daemon> NetlinkKernel::daemons()
{
	return dump<Daemon>(IPVS_FNAT_CMD_GET_DAEMON, {},
			    [](nlattr **tb) { return parse_daemon(tb[IPVS_FNAT_ATTR_DAEMON]); });
}

}  // namespace fnat
