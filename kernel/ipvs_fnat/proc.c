// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/ip_vs_fnat: the namespace's services, destinations and local addresses,
 * in the format of `ipvsadm-fnat -L -n` (defined in the uapi header). One record per
 * service, then one for the default LIP pool when it is not empty; walked under RCU,
 * so a read never blocks the control plane.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/inetdevice.h>
#include "fnat.h"

#define FNAT_PROC_NAME	"ip_vs_fnat"
/* The record after the last service: the default pool (never a real pointer). */
#define FNAT_PROC_DEFAULT_POOL	((void *)2)

static void *fnat_proc_pool_or_null(struct fnat_net *fn)
{
	return list_empty(&fn->default_laddrs.list) ? NULL : FNAT_PROC_DEFAULT_POOL;
}

static void *fnat_proc_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct fnat_net *fn = fnat_net(seq_file_net(seq));
	struct fnat_service *svc;
	loff_t n = *pos;

	rcu_read_lock();
	if (n == 0)
		return SEQ_START_TOKEN;
	list_for_each_entry_rcu(svc, &fn->svc_list, list)
		if (--n == 0)
			return svc;
	return --n == 0 ? fnat_proc_pool_or_null(fn) : NULL;
}

static void *fnat_proc_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct fnat_net *fn = fnat_net(seq_file_net(seq));
	struct fnat_service *svc = v;

	++*pos;
	if (v == FNAT_PROC_DEFAULT_POOL)
		return NULL;
	if (v == SEQ_START_TOKEN)
		svc = list_first_or_null_rcu(&fn->svc_list, struct fnat_service, list);
	else
		svc = list_next_or_null_rcu(&fn->svc_list, &svc->list, struct fnat_service, list);
	return svc ?: fnat_proc_pool_or_null(fn);
}

static void fnat_proc_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* "192.0.2.10:80" or "[2001:db8::10]:80" */
static void fnat_fmt_addr_port(char *buf, size_t len, u16 af,
			       const union nf_inet_addr *addr, __be16 port)
{
	if (af == AF_INET6)
		snprintf(buf, len, "[%pI6c]:%u", &addr->in6, ntohs(port));
	else
		snprintf(buf, len, "%pI4:%u", &addr->ip, ntohs(port));
}

static void fnat_fmt_addr(char *buf, size_t len, u16 af, const union nf_inet_addr *addr)
{
	if (af == AF_INET6)
		snprintf(buf, len, "%pI6c", &addr->in6);
	else
		snprintf(buf, len, "%pI4", &addr->ip);
}

static void fnat_proc_show_laddr(struct seq_file *seq, struct fnat_laddr *la)
{
	char buf[64];

	fnat_fmt_addr(buf, sizeof(buf), la->af, &la->addr);
	seq_printf(seq, "  => %-28s %-10llu %u%s\n", buf,
		   (unsigned long long)atomic64_read(&la->port_conflicts), atomic_read(&la->conns),
		   la->lflags & IPVS_FNAT_LADDR_F_PEER ? " peer" : "");
}

static void fnat_proc_show_service(struct seq_file *seq, struct fnat_service *svc)
{
	u32 flags = READ_ONCE(svc->svc_flags);
	u8 netmask = READ_ONCE(svc->netmask);
	struct fnat_laddr *la;
	struct fnat_dest *dest;
	char buf[64];

	fnat_fmt_addr_port(buf, sizeof(buf), svc->key.af, &svc->key.addr, svc->key.port);
	seq_printf(seq, "%s  %s %s", svc->key.protocol == IPPROTO_TCP ? "TCP" : "UDP",
		   buf, fnat_sched_name(svc));
	if (flags & IPVS_FNAT_SVC_F_PERSISTENT) {
		seq_printf(seq, " persistent %u", READ_ONCE(svc->timeout));
		if (svc->key.af == AF_INET6 && netmask != 128) {
			seq_printf(seq, " mask %u", netmask);
		} else if (svc->key.af == AF_INET && netmask != 32) {
			__be32 mask = inet_make_mask(netmask);

			seq_printf(seq, " mask %pI4", &mask);
		}
	}
	if (flags & IPVS_FNAT_SVC_F_SYNPROXY)
		seq_puts(seq, " synproxy");
	if (flags & IPVS_FNAT_SVC_F_DEST_CHECK)
		seq_puts(seq, " dest-check");
	seq_putc(seq, '\n');

	list_for_each_entry_rcu(dest, &svc->dests, list) {
		u8 state = READ_ONCE(dest->check.state);

		fnat_fmt_addr_port(buf, sizeof(buf), dest->af, &dest->addr, dest->port);
		seq_printf(seq, "  -> %-28s %-7s %-6u %-10u %-10u%s\n", buf, "FullNat",
			   atomic_read(&dest->weight), atomic_read(&dest->activeconns),
			   atomic_read(&dest->inactconns),
			   state == IPVS_FNAT_DEST_CHECK_INHIBITED ? " inhibited" :
			   state == IPVS_FNAT_DEST_CHECK_TRIAL ? " trial" : "");
	}
	list_for_each_entry_rcu(la, &svc->laddrs.list, list)
		fnat_proc_show_laddr(seq, la);
}

static int fnat_proc_show(struct seq_file *seq, void *v)
{
	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "IP Virtual Server FULLNAT version %u.%u.%u (size=%u)\n",
			   FNAT_VERSION_MAJOR, FNAT_VERSION_MINOR, FNAT_VERSION_PATCH,
			   fnat_conn_tab_size());
		seq_puts(seq, "Prot LocalAddress:Port Scheduler Flags\n");
		seq_puts(seq, "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
		seq_puts(seq, "  => LocalAddress                 Conflicts  Conns\n");
		return 0;
	}
	if (v == FNAT_PROC_DEFAULT_POOL) {
		struct fnat_net *fn = fnat_net(seq_file_net(seq));
		struct fnat_laddr *la;

		seq_puts(seq, "Default local addresses\n");
		list_for_each_entry_rcu(la, &fn->default_laddrs.list, list)
			fnat_proc_show_laddr(seq, la);
		return 0;
	}
	fnat_proc_show_service(seq, v);
	return 0;
}

static const struct seq_operations fnat_proc_ops = {
	.start = fnat_proc_start,
	.next = fnat_proc_next,
	.stop = fnat_proc_stop,
	.show = fnat_proc_show,
};

int fnat_proc_net_init(struct net *net)
{
	if (!proc_create_net(FNAT_PROC_NAME, 0444, net->proc_net, &fnat_proc_ops,
			     sizeof(struct seq_net_private)))
		return -ENOMEM;
	return 0;
}

void fnat_proc_net_exit(struct net *net)
{
	remove_proc_entry(FNAT_PROC_NAME, net->proc_net);
}
