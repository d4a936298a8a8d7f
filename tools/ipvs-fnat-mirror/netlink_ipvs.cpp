#include "netlink_ipvs.hpp"

#include <fcntl.h>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>

#include "ipvs_codec.hpp"

namespace mirror {
namespace {

// An fd closed on every path out.
struct Fd {
	int fd = -1;
	explicit Fd(int f) : fd(f) {}
	~Fd()
	{
		if (fd >= 0)
			::close(fd);
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
};

struct DumpCtx {
	std::function<void(nlattr **)> on_msg;
	std::exception_ptr exc;
};

int on_valid(nl_msg *msg, void *arg)
{
	auto *ctx = static_cast<DumpCtx *>(arg);
	try {
		nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IPVS_CMD_ATTR_MAX, nullptr) < 0)
			throw ipvs::MalformedReply("IPVS: malformed reply: bad generic netlink message");
		ctx->on_msg(tb);
		return NL_OK;
	} catch (...) {
		ctx->exc = std::current_exception();
		return NL_STOP;
	}
}

constexpr int kDumpAttempts = 5;

}  // namespace

NetlinkIpvs::NetlinkIpvs(std::string netns) : netns_(std::move(netns)) {}

NetlinkIpvs::~NetlinkIpvs() { disconnect(); }

void NetlinkIpvs::disconnect()
{
	if (sk_)
		nl_socket_free(sk_);
	sk_ = nullptr;
	family_ = -1;
}

void NetlinkIpvs::connect()
{
	const std::string path = "/run/netns/" + netns_;
	Fd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (target.fd < 0)
		throw IpvsUnavailable("network namespace " + netns_ + " does not exist (" + path + ": " +
				      std::strerror(errno) + ")");
	Fd self(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
	if (self.fd < 0)
		throw IpvsUnavailable(std::string("cannot open /proc/self/ns/net: ") + std::strerror(errno));
	if (::setns(target.fd, CLONE_NEWNET) < 0)
		throw IpvsUnavailable("cannot enter network namespace " + netns_ + ": " + std::strerror(errno));

	// Inside the shadow namespace: only make the socket, then leave at once.
	nl_sock *sk = nl_socket_alloc();
	int rc = sk ? genl_connect(sk) : -NLE_NOMEM;
	if (::setns(self.fd, CLONE_NEWNET) < 0) {
		if (sk)
			nl_socket_free(sk);
		throw NamespaceLost(std::string("cannot return to the daemon's network namespace: ") +
				    std::strerror(errno));
	}
	if (rc < 0) {
		if (sk)
			nl_socket_free(sk);
		throw IpvsUnavailable(std::string("cannot open a generic netlink socket in namespace ") + netns_ + ": " +
				      nl_geterror(rc));
	}
	// The socket belongs to the namespace it was made in: resolving here asks the
	// shadow namespace's controller.
	const int family = genl_ctrl_resolve(sk, IPVS_GENL_NAME);
	if (family < 0) {
		nl_socket_free(sk);
		if (-family == NLE_OBJ_NOTFOUND)
			throw IpvsUnavailable("the IPVS family is not registered in namespace " + netns_ +
					      " (ip_vs not loaded yet)");
		throw IpvsUnavailable(std::string("cannot resolve the IPVS family: ") + nl_geterror(family));
	}
	// Dumps end with NLMSG_DONE; no ACK is asked for.
	nl_socket_disable_auto_ack(sk);
	sk_ = sk;
	family_ = family;
}

IpvsSnapshot NetlinkIpvs::snapshot()
{
	for (int attempt = 1;; ++attempt) {
		try {
			if (!sk_)
				connect();
			return read();
		} catch (const NamespaceLost &) {
			throw;
		} catch (const IpvsUnavailable &) {
			disconnect();
			throw;
		} catch (const ipvs::MalformedReply &e) {
			disconnect();
			throw IpvsUnavailable(e.what());
		} catch (const std::runtime_error &e) {
			// The tables changed during the dump (NLE_DUMP_INTR) or another netlink
			// failure: a fresh socket and another go.
			disconnect();
			if (attempt >= kDumpAttempts)
				throw IpvsUnavailable(e.what());
		}
	}
}

// One dump: every reply message to on_msg; std::runtime_error on failure.
IpvsSnapshot NetlinkIpvs::read()
{
	const auto dump = [this](std::uint8_t cmd, const std::function<void(nl_msg *)> &fill,
				 const std::function<void(nlattr **)> &on_msg) {
		struct MsgDeleter {
			void operator()(nl_msg *m) const { nlmsg_free(m); }
		};
		std::unique_ptr<nl_msg, MsgDeleter> msg(nlmsg_alloc());
		if (!msg)
			throw std::bad_alloc();
		if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, NLM_F_DUMP, cmd, IPVS_GENL_VERSION))
			throw std::runtime_error("IPVS: cannot build the request header");
		if (fill)
			fill(msg.get());
		DumpCtx ctx{on_msg, nullptr};
		nl_socket_modify_cb(sk_, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ctx);
		const int sent = nl_send_auto(sk_, msg.get());
		if (sent < 0)
			throw std::runtime_error(std::string("IPVS: cannot send the request: ") + nl_geterror(sent));
		// Reads up to NLMSG_DONE; a dump error or NLM_F_DUMP_INTR comes back negative.
		const int rc = nl_recvmsgs_default(sk_);
		nl_socket_modify_cb(sk_, NL_CB_VALID, NL_CB_DEFAULT, nullptr, nullptr);
		if (ctx.exc)
			std::rethrow_exception(ctx.exc);
		if (rc < 0)
			throw std::runtime_error(std::string("IPVS: netlink: ") + nl_geterror(rc));
	};

	IpvsSnapshot snap;
	dump(IPVS_CMD_GET_SERVICE, {}, [&snap](nlattr **tb) {
		snap.services.push_back(ipvs::parse_service(tb[IPVS_CMD_ATTR_SERVICE]));
	});
	for (IpvsService &svc : snap.services)
		dump(IPVS_CMD_GET_DEST, [&svc](nl_msg *m) { ipvs::put_service_key(m, svc); },
		     [&svc](nlattr **tb) { svc.dests.push_back(ipvs::parse_dest(tb[IPVS_CMD_ATTR_DEST], svc.af)); });
	return snap;
}

}  // namespace mirror
