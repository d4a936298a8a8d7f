// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path's entry: netfilter PRE_ROUTING hooks for IPv4 and IPv6 in every
 * namespace, at a priority after the kernel's defragmentation for conntrack (-400)
 * and before raw and conntrack (-300, -200). A packet that belongs to FULLNAT is
 * translated and sent from here and the hook returns NF_STOLEN, so conntrack never
 * sees it; anything else is accepted untouched.
 *
 *   client -> VIP:vport   found by its client-side tuple, or a new connection
 *   RS     -> LIP:lport   found by its real-server-side tuple
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_frag.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include "dp.h"
#include "sync.h"

#define FNAT_HOOK_PRIORITY	(NF_IP_PRI_CONNTRACK_DEFRAG + 50)

unsigned int fnat_dp_net_id __read_mostly;

/* Is addr a virtual address or a local address of one of net's services? Only asked
 * for fragments (rare), so a walk of the services is fine. Under RCU. */
static bool fnat_addr_is_ours(struct fnat_net *fn, u16 af, const union nf_inet_addr *addr)
{
	struct fnat_service *svc;
	struct fnat_laddr *la;

	list_for_each_entry_rcu(svc, &fn->svc_list, list) {
		if (svc->key.af != af)
			continue;
		if (fnat_addr_equal(af, &svc->key.addr, addr))
			return true;
		list_for_each_entry_rcu(la, &svc->laddrs.list, list)
			if (fnat_addr_equal(af, &la->addr, addr))
				return true;
	}
	list_for_each_entry_rcu(la, &fn->default_laddrs.list, list)
		if (la->af == af && fnat_addr_equal(af, &la->addr, addr))
			return true;
	return false;
}

static struct fnat_dest *fnat_schedule(struct fnat_service *svc, struct sk_buff *skb)
{
	struct fnat_sched_state *st = rcu_dereference(svc->sched);

	if (!st || !st->ops->schedule)
		return NULL;
	return st->ops->schedule(svc, st, skb);
}

/* Translate skb (network header at skb->data, L4 at thoff) for cp and send it. */
static unsigned int fnat_forward(struct net *net, struct sk_buff *skb, struct fnat_conn *cp,
				 unsigned int thoff, bool from_client, bool new_conn)
{
	struct fnat_dest *dest = cp->dest;
	enum fnat_verdict v;
	unsigned int len;

	/* The route the packet arrived with (a packet looped back from a local socket
	 * has one) is no use: from here on, a dst on skb is the connection's route for
	 * the translated packet, which the handler may have set (fnat_conn_route(), for
	 * a TOA's MTU check). */
	skb_dst_drop(skb);
	if (cp->protocol == IPPROTO_TCP)
		v = from_client ? tcp_fnat_in_handler(skb, cp, thoff, new_conn) :
				  tcp_fnat_out_handler(skb, cp, thoff);
	else
		v = from_client ? fnat_udp_in(skb, cp, thoff) : fnat_udp_out(skb, cp, thoff);
	if (v == FNAT_DROP)
		return NF_DROP;
	if (v == FNAT_STOLEN)
		return NF_STOLEN;

	len = skb->len;
	if (from_client) {
		fnat_sync_packet(fnat_net(net), cp);
		fnat_stats_in(&dest->svc->stats, len);
		fnat_stats_in(&dest->stats, len);
		fnat_dp_count(net, FNAT_C_IN_PKTS);
	} else {
		fnat_stats_out(&dest->svc->stats, len);
		fnat_stats_out(&dest->stats, len);
		fnat_dp_count(net, FNAT_C_OUT_PKTS);
	}
	if (!skb_dst(skb) &&
	    !fnat_conn_route(cp, skb, from_client ? FNAT_DIR_IN : FNAT_DIR_OUT)) {
		fnat_dp_count(net, FNAT_C_NO_ROUTE_DROP);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	fnat_xmit_routed(net, skb, cp->af);
	return NF_STOLEN;
}

unsigned int fnat_conn_forward(struct net *net, struct sk_buff *skb, struct fnat_conn *cp,
			       unsigned int thoff, bool from_client)
{
	return fnat_forward(net, skb, cp, thoff, from_client, false);
}

/* A packet to a virtual service without a connection: a new one, if it may start
 * one. A SYN-proxied service answers SYNs itself and starts a connection on a valid
 * cookie ACK instead (synproxy.c). */
static unsigned int fnat_new_conn(struct net *net, struct fnat_net *fn, struct sk_buff *skb,
				  struct fnat_tuple *t, unsigned int thoff)
{
	struct fnat_svc_key key = {
		.af = t->af,
		.protocol = t->protocol,
		.port = t->dport,
		.addr = t->daddr,
	};
	struct fnat_service *svc = fnat_svc_find(fn, &key);
	struct fnat_synproxy_ack spa, *sp = NULL;
	struct fnat_dest *dest;
	struct fnat_conn *cp;
	unsigned int verdict;
	int reason;

	if (!svc)
		return NF_ACCEPT;
	if (t->protocol == IPPROTO_TCP &&
	    (READ_ONCE(svc->svc_flags) & IPVS_FNAT_SVC_F_SYNPROXY)) {
		verdict = fnat_synproxy_syn_or_ack(net, svc, skb, thoff, &spa);
		if (verdict != NF_ACCEPT)
			return verdict;
		sp = &spa;
	} else if (t->protocol == IPPROTO_TCP) {
		const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);

		/* (the caller pulled the whole fixed TCP header) */
		if (!th->syn || th->ack || th->rst) {
			fnat_dp_count(net, FNAT_C_NO_CONN_DROP);
			return NF_DROP;
		}
	}
	/* The schedulers read the ports at the transport header. */
	skb_set_transport_header(skb, thoff);
	if (READ_ONCE(svc->svc_flags) & IPVS_FNAT_SVC_F_PERSISTENT)
		dest = fnat_persist_schedule(net, svc, t, fnat_schedule, skb);
	else
		dest = fnat_schedule(svc, skb);
	if (!dest) {
		fnat_dp_count(net, FNAT_C_NO_SERVICE_DROP);
		if (sp)
			fnat_synproxy_refuse(net, skb, thoff);
		return NF_DROP;
	}
	cp = fnat_conn_new(net, svc, dest, t, sp, &reason);
	if (!cp) {
		if (reason == FNAT_C_MAX) {	/* created meanwhile on another CPU */
			cp = fnat_conn_lookup_in(net, t);
			if (cp)
				return fnat_forward(net, skb, cp, thoff, true, false);
			reason = FNAT_C_NO_PORT;
		}
		fnat_dp_count(net, reason);
		if (sp)
			fnat_synproxy_refuse(net, skb, thoff);
		return NF_DROP;
	}
	if (unlikely(test_bit(FNAT_DEST_F_CHECK, &dest->flags)))
		fnat_dc_conn_new(cp);
	if (sp)
		return fnat_synproxy_start(net, skb, cp, thoff, sp);
	return fnat_forward(net, skb, cp, thoff, true, true);
}

/*
 * IPv6 reassembly lives in nf_defrag_ipv6. It is taken at load with
 * symbol_request() (which loads that module on demand) rather than linked, so that
 * ipvs_fnat.ko also loads with a plain insmod; if it cannot be had, IPv6 fragments
 * to our addresses are dropped and counted.
 */
static int (*fnat_frag6_gather)(struct net *net, struct sk_buff *skb, u32 user);

/* Reassemble a fragment of ours; returns false when skb was consumed (queued or
 * dropped by the reassembly). */
static bool fnat_defrag(struct net *net, struct sk_buff *skb, u16 af)
{
	if (af == AF_INET6) {
		if (!fnat_frag6_gather) {
			fnat_dp_count(net, FNAT_C_BAD_PACKET_DROP);
			kfree_skb(skb);
			return false;
		}
		return fnat_frag6_gather(net, skb, IP6_DEFRAG_CONNTRACK_IN + 0xfff0) == 0;
	}
	if (ip_defrag(net, skb, IP_DEFRAG_VS_IN))
		return false;
	ip_send_check(ip_hdr(skb));
	return true;
}

static unsigned int fnat_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	struct net *net = state->net;
	struct fnat_net *fn = fnat_net(net);
	u16 af = state->pf == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	struct fnat_tuple t;
	struct fnat_conn *cp;
	unsigned int thoff, l4min;
	enum fnat_dir dir;
	bool frag;
	u8 proto;

	if (!READ_ONCE(fn->num_services))
		return NF_ACCEPT;

	if (af == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		proto = iph->protocol;
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP)
			return NF_ACCEPT;
		frag = ip_is_fragment(iph);
		t.saddr.ip = iph->saddr;
		t.daddr.ip = iph->daddr;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off;
		int off;

		proto = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &proto, &frag_off);
		if (off < 0 || (proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
				proto != IPPROTO_ICMPV6))
			return NF_ACCEPT;
		frag = ipv6_find_hdr(skb, &(unsigned int){ 0 }, NEXTHDR_FRAGMENT, NULL, NULL) >= 0;
		t.saddr.in6 = ip6h->saddr;
		t.daddr.in6 = ip6h->daddr;
	}
	if (frag) {
		if (!fnat_addr_is_ours(fn, af, &t.daddr))
			return NF_ACCEPT;
		if (!fnat_defrag(net, skb, af))
			return NF_STOLEN;
	}
	/* Where the transport header starts, now that the packet is whole. */
	if (af == AF_INET) {
		thoff = ip_hdrlen(skb);
	} else {
		__be16 frag_off;
		int off;

		proto = ipv6_hdr(skb)->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &proto, &frag_off);
		if (off < 0)
			return NF_ACCEPT;
		thoff = off;
	}
	/* ICMP errors about connections (icmp.c). */
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return fnat_icmp(net, skb, af, thoff);

	l4min = proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	if (!pskb_may_pull(skb, thoff + l4min))
		return NF_ACCEPT;	/* too short to be ours; the stack deals with it */
	t.af = af;
	t.protocol = proto;
	t.sport = ((const __be16 *)(skb->data + thoff))[0];
	t.dport = ((const __be16 *)(skb->data + thoff))[1];

	/* One lookup finds the packet's connection either way: from a client (to a
	 * VIP) or from a real server (to a LIP). */
	cp = fnat_conn_lookup(net, &t, &dir);
	if (!cp)
		return fnat_new_conn(net, fn, skb, &t, thoff);
	if (dir == FNAT_DIR_IN && proto == IPPROTO_TCP) {
		const struct tcphdr *th = (const struct tcphdr *)(skb->data + thoff);
		u8 state = READ_ONCE(cp->state);

		/* A new SYN on a closed connection is a new connection: it is scheduled
		 * again (weights, thresholds) rather than sent to the old server. */
		if (th->syn && !th->ack && !th->rst &&
		    (state == FNAT_S_TIME_WAIT || state == FNAT_S_CLOSE)) {
			fnat_conn_expire_now(cp);
			return fnat_new_conn(net, fn, skb, &t, thoff);
		}
	}
	return fnat_forward(net, skb, cp, thoff, dir == FNAT_DIR_IN, false);
}

static const struct nf_hook_ops fnat_hook_ops[] = {
	{
		.hook = fnat_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = FNAT_HOOK_PRIORITY,
	},
	{
		.hook = fnat_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = FNAT_HOOK_PRIORITY,
	},
};

static int __net_init fnat_dp_net_init(struct net *net)
{
	struct fnat_dp_net *dn = fnat_dp_net(net);
	int err;

	dn->stats = alloc_percpu(struct fnat_dp_cpu_stats);
	if (!dn->stats)
		return -ENOMEM;
	err = fnat_dp_proc_net_init(net);
	if (err)
		goto err_stats;
	err = fnat_sysctl_net_init(net);
	if (err)
		goto err_proc;
	err = nf_register_net_hooks(net, fnat_hook_ops, ARRAY_SIZE(fnat_hook_ops));
	if (err)
		goto err_sysctl;
	dn->hooks_registered = true;
	return 0;

err_sysctl:
	fnat_sysctl_net_exit(net);
err_proc:
	fnat_dp_proc_net_exit(net);
err_stats:
	free_percpu(dn->stats);
	return err;
}

static void __net_exit fnat_dp_net_exit(struct net *net)
{
	struct fnat_dp_net *dn = fnat_dp_net(net);

	/* No packet is in the hooks after this (it waits for them)... */
	nf_unregister_net_hooks(net, fnat_hook_ops, ARRAY_SIZE(fnat_hook_ops));
	dn->hooks_registered = false;
	/* The sync daemons next: none installs a connection or holds one queued
	 * after this... */
	fnat_sync_net_exit(net);
	/* ...so no connection appears after the flush. */
	fnat_conn_flush_net(net);
	/* And no route kept for the services holds a device being unregistered. */
	mutex_lock(&fnat_net(net)->lock);
	fnat_routes_drop_net(fnat_net(net));
	mutex_unlock(&fnat_net(net)->lock);
	fnat_sysctl_net_exit(net);
	fnat_dp_proc_net_exit(net);
	free_percpu(dn->stats);
}

/* A device's pernet operations (register_pernet_device): a namespace going away runs
 * their exit before it unregisters its devices, and the subsystems' (the control
 * plane's, netns.c) after. What holds a device or a route to it goes here first: the
 * hooks' packets, the sync daemons' sockets, the connections (and the packets the SYN
 * proxy holds), the services' kept routes; otherwise the devices' unregistration would
 * wait for them forever ("waiting for lo to become free"). The connections go before
 * the services too. */
static struct pernet_operations fnat_dp_net_ops = {
	.init = fnat_dp_net_init,
	.exit = fnat_dp_net_exit,
	.id = &fnat_dp_net_id,
	.size = sizeof(struct fnat_dp_net),
};

int fnat_dp_init(void)
{
	int err = fnat_conn_init();

	if (err)
		return err;
	fnat_persist_init();
	fnat_frag6_gather = symbol_request(nf_ct_frag6_gather);
	if (!fnat_frag6_gather)
		pr_warn("nf_defrag_ipv6 unavailable: IPv6 fragments to FULLNAT addresses are dropped\n");
	err = register_pernet_device(&fnat_dp_net_ops);
	if (err) {
		if (fnat_frag6_gather)
			symbol_put(nf_ct_frag6_gather);
		fnat_conn_exit();
		return err;
	}
	return 0;
}

/* The caller waits for RCU callbacks (connections, then what they held) before
 * fnat_conn_exit() frees the table and the cache: see main.c. */
void fnat_dp_exit(void)
{
	unregister_pernet_device(&fnat_dp_net_ops);
	if (fnat_frag6_gather)
		symbol_put(nf_ct_frag6_gather);
}

void fnat_dp_free(void)
{
	fnat_conn_exit();
}
