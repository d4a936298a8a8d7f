// SPDX-License-Identifier: GPL-2.0
/*
 * The IPVS_FNAT_CMD_GET_CONN dump: the namespace's connection table (conn.c), walked
 * under rcu_read_lock() one hash bucket after another, without the control mutex:
 * connections come and go during the dump, and each is read as it is at that moment.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "fnat.h"
#include "dp.h"
#include "netlink.h"

static int fnat_nl_fill_conn(struct sk_buff *skb, const struct fnat_conn *cp,
			     struct netlink_callback *cb)
{
	int alen = fnat_addr_len(cp->af);
	unsigned long expires = READ_ONCE(cp->expires);
	struct nlattr *nest;
	u32 flags = 0;
	void *hdr;

	hdr = fnat_nl_dump_hdr(skb, cb, IPVS_FNAT_CMD_GET_CONN);
	if (!hdr)
		return -EMSGSIZE;
	if (test_bit(FNAT_CONN_F_TOA_DONE, &cp->flags))
		flags |= IPVS_FNAT_CONN_F_TOA_DONE;
	nest = nla_nest_start(skb, IPVS_FNAT_ATTR_CONN);
	if (!nest ||
	    nla_put_u8(skb, IPVS_FNAT_CONN_ATTR_PROTOCOL, cp->protocol) ||
	    nla_put_u16(skb, IPVS_FNAT_CONN_ATTR_AF, cp->af) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_CADDR, alen, &cp->caddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_CPORT, cp->cport) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_VADDR, alen, &cp->vaddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_VPORT, cp->vport) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_LADDR, alen, &cp->laddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_LPORT, cp->lport) ||
	    nla_put(skb, IPVS_FNAT_CONN_ATTR_DADDR, alen, &cp->daddr) ||
	    nla_put_be16(skb, IPVS_FNAT_CONN_ATTR_DPORT, cp->dport) ||
	    nla_put_u16(skb, IPVS_FNAT_CONN_ATTR_STATE, READ_ONCE(cp->state)) ||
	    nla_put_string(skb, IPVS_FNAT_CONN_ATTR_STATE_NAME,
			   fnat_conn_state_name(READ_ONCE(cp->state))) ||
	    nla_put_u32(skb, IPVS_FNAT_CONN_ATTR_EXPIRES,
			time_after(expires, jiffies) ? jiffies_to_msecs(expires - jiffies) : 0) ||
	    nla_put_u32(skb, IPVS_FNAT_CONN_ATTR_FLAGS, flags)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Resumes at (bucket, index) = (cb->args[0], cb->args[1]) (fnat_conn_next()). A part
 * ends between buckets: when a bucket's connections do not all fit, those of it
 * already in this part are taken out again and the next part starts with the whole
 * bucket, so a connection that is in the table for the whole dump is listed once
 * however many others come and go meanwhile (an index within a bucket would shift).
 * Only a bucket too large for one message is split, at an index.
 */
int fnat_nl_dump_conns(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned int bucket = cb->args[0], idx = cb->args[1];
	const unsigned char *start = skb_tail_pointer(skb), *mark = start;
	unsigned int mark_bucket = bucket;
	struct fnat_conn *cp;

	rcu_read_lock();
	for (;;) {
		unsigned int b = bucket, i = idx;

		cp = fnat_conn_next(net, &bucket, &idx);
		if (!cp)
			break;
		if (idx == 1) {		/* the first of its bucket */
			mark = skb_tail_pointer(skb);
			mark_bucket = bucket;
		}
		if (fnat_nl_fill_conn(skb, cp, cb)) {
			if (mark_bucket == bucket && mark > start) {
				nlmsg_trim(skb, mark);
				bucket = mark_bucket;
				idx = 0;
			} else {
				bucket = b;	/* this one goes in the next message */
				idx = i;
			}
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = bucket;
	cb->args[1] = idx;
	return skb->len;
}
