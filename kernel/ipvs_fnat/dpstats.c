// SPDX-License-Identifier: GPL-2.0
/*
 * The datapath's per-namespace counters (/proc/net/ip_vs_fnat_stats) and the live
 * connections (/proc/net/ip_vs_fnat_conn). Counters are per-CPU and summed on read;
 * each namespace has its own and sees only its own connections.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/jiffies.h>
#include <net/net_namespace.h>
#include "dp.h"

const char *const fnat_dp_counter_names[FNAT_C_MAX] = {
	[FNAT_C_CONN_NEW] = "conn_new",
	[FNAT_C_CONN_EXPIRED] = "conn_expired",
	[FNAT_C_TOA_ADDED] = "toa_added",
	[FNAT_C_TOA_NO_ROOM] = "toa_no_room",
	[FNAT_C_NO_PORT] = "no_port",
	[FNAT_C_CONN_LIMIT] = "conn_limit",
	[FNAT_C_NO_SERVICE_DROP] = "no_service_drop",
	[FNAT_C_NO_LADDR_DROP] = "no_laddr_drop",
	[FNAT_C_NO_CONN_DROP] = "no_conn_drop",
	[FNAT_C_NOMEM_DROP] = "nomem_drop",
	[FNAT_C_BAD_PACKET_DROP] = "bad_packet_drop",
	[FNAT_C_NO_ROUTE_DROP] = "no_route_drop",
	[FNAT_C_ICMP_TRANSLATED] = "icmp_translated",
	[FNAT_C_IN_PKTS] = "in_pkts",
	[FNAT_C_OUT_PKTS] = "out_pkts",
	[FNAT_C_EXPIRE_RST] = "expire_rst",
	[FNAT_C_EXPIRE_RST_FAIL] = "expire_rst_fail",
	[FNAT_C_CONN_LIMIT_GLOBAL] = "conn_limit_global",
	[FNAT_C_CONN_RACE] = "conn_race",
	[FNAT_C_SYNPROXY_SYN] = "synproxy_syn",
	[FNAT_C_SYNPROXY_ACK_OK] = "synproxy_ack_ok",
	[FNAT_C_SYNPROXY_ACK_BAD] = "synproxy_ack_bad",
	[FNAT_C_SYNPROXY_RS_FAIL] = "synproxy_rs_fail",
	[FNAT_C_SYNPROXY_DATA_DROPPED] = "synproxy_data_dropped",
	[FNAT_C_DEST_CHECK_FAIL] = "dest_check_fail",
	[FNAT_C_DEST_CHECK_INHIBIT] = "dest_check_inhibit",
	[FNAT_C_DEST_CHECK_TRIAL] = "dest_check_trial",
	[FNAT_C_DEST_CHECK_RESTORE] = "dest_check_restore",
	[FNAT_C_SYNPROXY_RS_RETRY] = "synproxy_rs_retry",
	[FNAT_C_SYNC_TX_MSGS] = "sync_tx_msgs",
	[FNAT_C_SYNC_TX_CONNS] = "sync_tx_conns",
	[FNAT_C_SYNC_RX_MSGS] = "sync_rx_msgs",
	[FNAT_C_SYNC_RX_CONNS] = "sync_rx_conns",
	[FNAT_C_SYNC_RESENT] = "sync_resent",
	[FNAT_C_SYNC_RESYNC] = "sync_resync",
	[FNAT_C_SYNC_RESYNC_REQ] = "sync_resync_req",
	[FNAT_C_SYNC_QUEUE_DROPS] = "sync_queue_drops",
	[FNAT_C_SYNC_AUTH_FAIL] = "sync_auth_fail",
	[FNAT_C_SYNC_REPLAY] = "sync_replay",
	[FNAT_C_SYNC_VERSION_ERR] = "sync_version_err",
	[FNAT_C_SYNC_MALFORMED] = "sync_malformed",
	[FNAT_C_SYNC_NACK_TX] = "sync_nack_tx",
	[FNAT_C_SYNC_NACK_RX] = "sync_nack_rx",
	[FNAT_C_SYNC_GAP_LOST] = "sync_gap_lost",
	[FNAT_C_SYNC_NO_SERVICE] = "sync_no_service",
	[FNAT_C_SYNC_NO_DEST] = "sync_no_dest",
	[FNAT_C_SYNC_NO_LADDR] = "sync_no_laddr",
	[FNAT_C_SYNC_CONN_LIMIT] = "sync_conn_limit",
	[FNAT_C_SYNC_CONFLICT] = "sync_conflict",
	[FNAT_C_SYNC_DELETED] = "sync_deleted",
	[FNAT_C_SYNC_MOVED] = "sync_moved",
	[FNAT_C_SYNC_RESYNC_DONE] = "sync_resync_done",
	[FNAT_C_ROUTE_LOOKUP] = "route_lookups",
};

u64 fnat_dp_counter_read(struct net *net, enum fnat_dp_counter c)
{
	struct fnat_dp_net *dn = fnat_dp_net(net);
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(dn->stats, cpu)->c[c]);
	return sum;
}

static int fnat_stats_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	int c;

	seq_printf(seq, "%-24s %llu\n", "conns", (u64)atomic_read(&fnat_net(net)->conn_count));
	for (c = 0; c < FNAT_C_MAX; c++)
		seq_printf(seq, "%-24s %llu\n", fnat_dp_counter_names[c],
			   fnat_dp_counter_read(net, c));
	return 0;
}

/* --- /proc/net/ip_vs_fnat_conn ------------------------------------------------------ */

struct fnat_conn_iter {
	struct seq_net_private p;	/* first: seq_file_net() */
	unsigned int bucket, idx;
	loff_t next_pos;		/* the position (bucket, idx) leads to */
};

static struct fnat_conn *fnat_conn_seq_at(struct seq_file *seq, loff_t pos)
{
	struct fnat_conn_iter *it = seq->private;
	struct net *net = seq_file_net(seq);
	struct fnat_conn *cp = NULL;

	/* Sequential reads resume where the last one stopped; a seek starts over. */
	if (pos != it->next_pos) {
		it->bucket = 0;
		it->idx = 0;
		it->next_pos = 0;
	}
	while (it->next_pos <= pos) {
		cp = fnat_conn_next(net, &it->bucket, &it->idx);
		if (!cp)
			return NULL;
		it->next_pos++;
	}
	return cp;
}

static void *fnat_conn_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	rcu_read_lock();
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return fnat_conn_seq_at(seq, *pos - 1);
}

static void *fnat_conn_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return fnat_conn_seq_at(seq, *pos - 1);
}

static void fnat_conn_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int fnat_conn_seq_show(struct seq_file *seq, void *v)
{
	const struct fnat_conn *cp = v;
	long left;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "Pro Client Virtual Local RealServer State Expires\n");
		return 0;
	}
	left = (long)READ_ONCE(cp->expires) - (long)jiffies;
	if (left < 0)
		left = 0;
	if (cp->af == AF_INET6)
		seq_printf(seq, "%s [%pI6c]:%u [%pI6c]:%u [%pI6c]:%u [%pI6c]:%u %s %lu\n",
			   cp->protocol == IPPROTO_TCP ? "TCP" : "UDP",
			   &cp->caddr.in6, ntohs(cp->cport), &cp->vaddr.in6, ntohs(cp->vport),
			   &cp->laddr.in6, ntohs(cp->lport), &cp->daddr.in6, ntohs(cp->dport),
			   fnat_conn_state_name(cp->state), left / HZ);
	else
		seq_printf(seq, "%s %pI4:%u %pI4:%u %pI4:%u %pI4:%u %s %lu\n",
			   cp->protocol == IPPROTO_TCP ? "TCP" : "UDP",
			   &cp->caddr.ip, ntohs(cp->cport), &cp->vaddr.ip, ntohs(cp->vport),
			   &cp->laddr.ip, ntohs(cp->lport), &cp->daddr.ip, ntohs(cp->dport),
			   fnat_conn_state_name(cp->state), left / HZ);
	return 0;
}

static const struct seq_operations fnat_conn_seq_ops = {
	.start = fnat_conn_seq_start,
	.next = fnat_conn_seq_next,
	.stop = fnat_conn_seq_stop,
	.show = fnat_conn_seq_show,
};

int fnat_dp_proc_net_init(struct net *net)
{
	if (!proc_create_net_single("ip_vs_fnat_stats", 0444, net->proc_net, fnat_stats_show,
				    NULL))
		return -ENOMEM;
	/* The connection list shows clients' addresses: root only, like the dump. */
	if (!proc_create_net("ip_vs_fnat_conn", 0400, net->proc_net, &fnat_conn_seq_ops,
			     sizeof(struct fnat_conn_iter))) {
		remove_proc_entry("ip_vs_fnat_stats", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void fnat_dp_proc_net_exit(struct net *net)
{
	remove_proc_entry("ip_vs_fnat_conn", net->proc_net);
	remove_proc_entry("ip_vs_fnat_stats", net->proc_net);
}
