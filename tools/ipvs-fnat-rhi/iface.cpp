#include "iface.hpp"

#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>

namespace rhi {
namespace {

unsigned host_prefix(const fnat::Address &a) { return a.af == AF_INET6 ? 128 : 32; }

struct DumpState {
	int ifindex;
	std::set<fnat::Address> *out;
};

int on_addr(nl_msg *msg, void *arg)
{
	auto *st = static_cast<DumpState *>(arg);
	nlmsghdr *h = nlmsg_hdr(msg);
	if (h->nlmsg_type != RTM_NEWADDR || !nlmsg_valid_hdr(h, sizeof(ifaddrmsg)))
		return NL_OK;
	auto *ifa = static_cast<ifaddrmsg *>(nlmsg_data(h));
	if (static_cast<int>(ifa->ifa_index) != st->ifindex || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return NL_OK;
	nlattr *tb[IFA_MAX + 1];
	if (nlmsg_parse(h, sizeof(ifaddrmsg), tb, IFA_MAX, nullptr) < 0)
		return NL_OK;
	nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	const int len = ifa->ifa_family == AF_INET6 ? 16 : 4;
	if (!a || nla_len(a) != len || ifa->ifa_prefixlen != (len == 16 ? 128 : 32))
		return NL_OK;
	st->out->insert(fnat::Address::from_bytes(ifa->ifa_family, nla_data(a)));
	return NL_OK;
}

}  // namespace

NetlinkAddresses::NetlinkAddresses(const std::string &ifname) : ifname_(ifname)
{
	ifindex_ = static_cast<int>(if_nametoindex(ifname.c_str()));
	if (!ifindex_)
		throw IfaceError("no interface " + ifname + ": " + std::strerror(errno));
	sk_ = nl_socket_alloc();
	if (!sk_)
		throw IfaceError("no memory for a netlink socket");
	if (const int err = nl_connect(sk_, NETLINK_ROUTE); err < 0) {
		nl_socket_free(sk_);
		throw IfaceError(std::string("rtnetlink: ") + nl_geterror(err));
	}
}

NetlinkAddresses::~NetlinkAddresses() { nl_socket_free(sk_); }

std::set<fnat::Address> NetlinkAddresses::list()
{
	std::set<fnat::Address> out;
	DumpState st{ifindex_, &out};
	for (int family : {AF_INET, AF_INET6}) {
		ifaddrmsg ifa{};
		ifa.ifa_family = static_cast<unsigned char>(family);
		if (const int err = nl_send_simple(sk_, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa)); err < 0)
			throw IfaceError(std::string("listing the addresses of ") + ifname_ + ": " + nl_geterror(err));
		nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
		if (!cb)
			throw IfaceError("no memory for a netlink callback");
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_addr, &st);
		const int err = nl_recvmsgs(sk_, cb);
		nl_cb_put(cb);
		if (err < 0)
			throw IfaceError(std::string("listing the addresses of ") + ifname_ + ": " + nl_geterror(err));
	}
	return out;
}

void NetlinkAddresses::change(int type, const fnat::Address &a)
{
	const int flags = type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	nl_msg *m = nlmsg_alloc_simple(type, flags | NLM_F_ACK);
	if (!m)
		throw IfaceError("no memory for a netlink message");
	ifaddrmsg ifa{};
	ifa.ifa_family = static_cast<unsigned char>(a.af);
	ifa.ifa_prefixlen = static_cast<unsigned char>(host_prefix(a));
	ifa.ifa_flags = a.af == AF_INET6 ? IFA_F_NODAD : 0;
	ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	ifa.ifa_index = static_cast<unsigned>(ifindex_);
	int err = nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	if (!err)
		err = nla_put(m, IFA_LOCAL, static_cast<int>(a.size()), a.bytes.data());
	if (!err)
		err = nla_put(m, IFA_ADDRESS, static_cast<int>(a.size()), a.bytes.data());
	if (!err)
		err = nl_send_auto(sk_, m);
	nlmsg_free(m);
	if (err >= 0)
		err = nl_wait_for_ack(sk_);
	// Adding one that is there, or deleting one that is not, is what was wanted.
	if (err < 0 && !(type == RTM_DELADDR && err == -NLE_NOADDR) && !(type == RTM_NEWADDR && err == -NLE_EXIST))
		throw IfaceError(std::string(type == RTM_NEWADDR ? "adding " : "deleting ") + a.str() + " on " + ifname_ +
				 ": " + nl_geterror(err));
}

void NetlinkAddresses::add(const fnat::Address &a) { change(RTM_NEWADDR, a); }
void NetlinkAddresses::del(const fnat::Address &a) { change(RTM_DELADDR, a); }

}  // namespace rhi
