// SPDX-License-Identifier: GPL-2.0
/*
 * The two places toa.ko changes the kernel's behaviour, both kretprobes.
 *
 * syn_recv_sock (tcp_v4_syn_recv_sock, tcp_v6_syn_recv_sock): the segment that creates
 * the child socket — the handshake-completing ACK, whether the request came from the
 * SYN queue or from a SYN cookie, or a Fast Open SYN — is parsed on entry; on return
 * the TOA is bound to the new socket, but only if the call returned one and *own_req
 * says this request owns it. When own_req is false (inet_ehash_nolisten() lost a race)
 * the child has already been destroyed inside the call, and an entry bound to it would
 * outlive it. An IPv4 client of a dual-stack listener goes through
 * tcp_v6_syn_recv_sock(), which calls tcp_v4_syn_recv_sock() itself: the inner call is
 * recognised by its AF_INET6 listener and left to the outer one.
 *
 * getname (inet_getname, inet6_getname): behind accept()'s address, getpeername() and
 * SO_PEERNAME. For a peer query on a TCP socket with an entry, the entry handler
 * copies the TOA into the instance and the return handler, if the call succeeded,
 * writes it over the address the kernel filled in. Every other call leaves on entry
 * without a return hook.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/request_sock.h>
#include <net/sock.h>

#include "compat.h"
#include "hooks.h"
#include "kinds.h"
#include "stats.h"
#include "table.h"
#include "trust.h"

#define TOA_ARG(regs, n) regs_get_kernel_argument(regs, n)

/* --- syn_recv_sock ----------------------------------------------------------------- */

struct toa_syn_ctx {
	bool *own_req;
	struct toa_data toa;
};

/*
 * struct sock *syn_recv_sock(const struct sock *sk, struct sk_buff *skb,
 *			      struct request_sock *req, struct dst_entry *dst,
 *			      struct request_sock *req_unhash, bool *own_req)
 */
static int toa_syn_recv_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct sk_buff *skb = (const struct sk_buff *)TOA_ARG(regs, 1);
	const struct request_sock *req = (const struct request_sock *)TOA_ARG(regs, 2);
	const struct inet_request_sock *ireq = inet_rsk(req);
	struct toa_syn_ctx *ctx = (struct toa_syn_ctx *)ri->data;
	const unsigned char *tail = skb_tail_pointer(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	enum toa_parse_result r;
	unsigned int thlen;
	bool trusted;

	/* The whole TCP header must be in the linear area: tcp_v{4,6}_rcv() pulled it. */
	if (unlikely((const unsigned char *)th < skb->head ||
		     (const unsigned char *)(th + 1) > tail)) {
		toa_stat_inc(TOA_STAT_SYN_RECV_SOCK_NO_TOA);
		return 1;
	}
	thlen = th->doff * 4;
	if (unlikely(thlen < sizeof(*th) || (const unsigned char *)th + thlen > tail)) {
		toa_stat_inc(TOA_STAT_SYN_RECV_SOCK_NO_TOA);
		return 1;
	}

	rcu_read_lock();
	r = toa_parse_options((const __u8 *)(th + 1), thlen - sizeof(*th), th->syn,
			      toa_kinds_current(), &ctx->toa);
	rcu_read_unlock();
	if (r != TOA_PARSE_FOUND) {
		if (toa_parse_malformed(r))
			toa_stat_inc(TOA_STAT_MALFORMED);
		toa_stat_inc(TOA_STAT_SYN_RECV_SOCK_NO_TOA);
		return 1;
	}

	/* The source of the segment: the load balancer, if it is one. */
	if (req->rsk_ops->family == AF_INET)
		trusted = toa_trusted_v4(ireq->ir_rmt_addr);
#if IS_ENABLED(CONFIG_IPV6)
	else
		trusted = toa_trusted_v6(&ireq->ir_v6_rmt_addr);
#else
	else
		trusted = false;
#endif
	if (!trusted) {
		toa_stat_inc(TOA_STAT_UNTRUSTED);
		return 1;
	}

	toa_stat_inc(TOA_STAT_SYN_RECV_SOCK_TOA);
	ctx->own_req = (bool *)TOA_ARG(regs, 5);
	return 0;
}

static int toa_syn_recv4_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct sock *sk = (const struct sock *)TOA_ARG(regs, 0);

	/* Called by tcp_v6_syn_recv_sock() for an IPv4 client: the outer probe has it. */
	if (sk->sk_family != AF_INET)
		return 1;
	return toa_syn_recv_entry(ri, regs);
}

static int toa_syn_recv_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_syn_ctx *ctx = (struct toa_syn_ctx *)ri->data;
	struct sock *newsk = (struct sock *)regs_return_value(regs);

	if (!newsk || !READ_ONCE(*ctx->own_req)) {
		toa_stat_inc(TOA_STAT_NO_CHILD);
		return 0;
	}
	toa_table_bind(newsk, &ctx->toa);
	return 0;
}

static struct kretprobe toa_syn_recv4_probe = {
	.kp.symbol_name = "tcp_v4_syn_recv_sock",
	.entry_handler = toa_syn_recv4_entry,
	.handler = toa_syn_recv_ret,
	.data_size = sizeof(struct toa_syn_ctx),
};

#if IS_ENABLED(CONFIG_IPV6)
static struct kretprobe toa_syn_recv6_probe = {
	.kp.symbol_name = "tcp_v6_syn_recv_sock",
	.entry_handler = toa_syn_recv_entry,
	.handler = toa_syn_recv_ret,
	.data_size = sizeof(struct toa_syn_ctx),
};
#endif

/* --- getname ----------------------------------------------------------------------- */

struct toa_getname_ctx {
	struct sockaddr *uaddr;
	int bound_dev_if;
	unsigned short family;
	struct toa_data toa;
};

/* int inet_getname(struct socket *sock, struct sockaddr *uaddr, int peer), and inet6 */
static int toa_getname_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct socket *sock = (const struct socket *)TOA_ARG(regs, 0);
	struct toa_getname_ctx *ctx = (struct toa_getname_ctx *)ri->data;
	const struct sock *sk = sock->sk;
	int peer = (int)TOA_ARG(regs, 2);

	if (!peer || !sk || sk->sk_protocol != IPPROTO_TCP || sk->sk_type != SOCK_STREAM) {
		toa_stat_inc(TOA_STAT_GETNAME_TOA_BYPASS);
		return 1;
	}
	switch (toa_table_lookup(sk, &ctx->toa)) {
	case TOA_LOOKUP_NONE:
		toa_stat_inc(TOA_STAT_GETNAME_TOA_EMPTY);
		return 1;
	case TOA_LOOKUP_STALE:
		toa_stat_inc(TOA_STAT_GETNAME_TOA_MISMATCH);
		return 1;
	case TOA_LOOKUP_OK:
		break;
	}
	ctx->family = sk->sk_family;
	/* NAT64: an IPv6 client has no AF_INET address; getsockopt(TOA_SO_GET_LOOKUP). */
	if (ctx->family == AF_INET && ctx->toa.family != TOA_FAMILY_IPV4) {
		toa_stat_inc(TOA_STAT_GETNAME_TOA_MISMATCH);
		return 1;
	}
	ctx->uaddr = (struct sockaddr *)TOA_ARG(regs, 1);
	ctx->bound_dev_if = READ_ONCE(sk->sk_bound_dev_if);
	return 0;
}

static int toa_getname_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_getname_ctx *ctx = (struct toa_getname_ctx *)ri->data;
	int ret = (int)regs_return_value(regs);
	__be32 v4;

	if (ret < 0) {
		toa_stat_inc(TOA_STAT_GETNAME_TOA_BYPASS);
		return 0;
	}
	if (ctx->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ctx->uaddr;

		sin->sin_port = ctx->toa.port;
		memcpy(&sin->sin_addr.s_addr, ctx->toa.addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ctx->uaddr;

		sin6->sin6_port = ctx->toa.port;
		if (ctx->toa.family == TOA_FAMILY_IPV4) {
			memcpy(&v4, ctx->toa.addr, 4);
			ipv6_addr_set_v4mapped(v4, &sin6->sin6_addr);
		} else {
			memcpy(sin6->sin6_addr.s6_addr, ctx->toa.addr, 16);
		}
		sin6->sin6_scope_id = ipv6_iface_scope_id(&sin6->sin6_addr, ctx->bound_dev_if);
	}
	toa_stat_inc(TOA_STAT_GETNAME_TOA_OK);
	return 0;
}

static struct kretprobe toa_getname4_probe = {
	.kp.symbol_name = "inet_getname",
	.entry_handler = toa_getname_entry,
	.handler = toa_getname_ret,
	.data_size = sizeof(struct toa_getname_ctx),
};

#if IS_ENABLED(CONFIG_IPV6)
static struct kretprobe toa_getname6_probe = {
	.kp.symbol_name = "inet6_getname",
	.entry_handler = toa_getname_entry,
	.handler = toa_getname_ret,
	.data_size = sizeof(struct toa_getname_ctx),
};
#endif

/* --- registration ------------------------------------------------------------------ */

/*
 * Readers before writers: the getname probes go in first and come out last, so that no
 * entry is ever bound while nothing reads it. The destroy hook (table.c) is in place
 * before any of these and leaves after them.
 */
static struct kretprobe *const toa_probes[] = {
	&toa_getname4_probe,
#if IS_ENABLED(CONFIG_IPV6)
	&toa_getname6_probe,
#endif
	&toa_syn_recv4_probe,
#if IS_ENABLED(CONFIG_IPV6)
	&toa_syn_recv6_probe,
#endif
};

unsigned long toa_hooks_missed(void)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(toa_probes); i++)
		n += READ_ONCE(toa_probes[i]->kp.nmissed) + READ_ONCE(toa_probes[i]->nmissed);
	return n;
}

int __init toa_hooks_init(void)
{
	unsigned int ncpu = num_possible_cpus();
	unsigned int i;
	int err;

	/*
	 * Instances: syn_recv_sock runs in softirq, at most two deep per CPU. getname can
	 * sleep (lock_sock()) while holding one, but only for sockets that carry a TOA;
	 * the others give theirs back on entry.
	 */
	toa_syn_recv4_probe.maxactive = max(16U, 4 * ncpu);
	toa_getname4_probe.maxactive = max(256U, 32 * ncpu);
#if IS_ENABLED(CONFIG_IPV6)
	toa_syn_recv6_probe.maxactive = max(16U, 4 * ncpu);
	toa_getname6_probe.maxactive = max(256U, 32 * ncpu);
#endif

	for (i = 0; i < ARRAY_SIZE(toa_probes); i++) {
		err = register_kretprobe(toa_probes[i]);
		if (err) {
			pr_err("cannot probe %s: %d\n", toa_probes[i]->kp.symbol_name, err);
			goto unwind;
		}
	}
	return 0;

unwind:
	while (i--)
		unregister_kretprobe(toa_probes[i]);
	return err;
}

void toa_hooks_exit(void)
{
	unsigned int i = ARRAY_SIZE(toa_probes);

	while (i--)
		unregister_kretprobe(toa_probes[i]);
}
