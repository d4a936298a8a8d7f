// SPDX-License-Identifier: GPL-2.0
/*
 * getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &struct toa_nat64_peer, &len).
 *
 * ip_getsockopt() hands options it doesn't know (-ENOPROTOOPT) to nf_getsockopt(),
 * which calls whoever registered the range with nf_register_sockopt(); AF_INET6 TCP
 * sockets reach ip_getsockopt() for SOL_IP too. No hook is needed. nf_sockopt holds a
 * reference on this module while the call runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "compat.h"
#include "sockopt.h"
#include "stats.h"
#include "table.h"

static int toa_sockopt_get(struct sock *sk, int optval, void __user *user, int *len)
{
	struct toa_nat64_peer peer;
	struct toa_data toa;

	if (optval != TOA_SO_GET_LOOKUP || sk->sk_protocol != IPPROTO_TCP ||
	    sk->sk_type != SOCK_STREAM)
		return -ENOPROTOOPT;
	if (*len < (int)sizeof(peer))
		return -EINVAL;
	if (toa_table_lookup(sk, &toa) != TOA_LOOKUP_OK) {
		toa_stat_inc(TOA_STAT_GETSOCKOPT_TOA_EMPTY);
		return -ENOENT;
	}

	memset(&peer, 0, sizeof(peer));
	if (toa.family == TOA_FAMILY_IPV4) {
		peer.saddr[10] = 0xff;
		peer.saddr[11] = 0xff;
		memcpy(&peer.saddr[12], toa.addr, 4);
	} else {
		memcpy(peer.saddr, toa.addr, 16);
	}
	peer.sport = toa.port;
	if (copy_to_user(user, &peer, sizeof(peer)))
		return -EFAULT;
	*len = sizeof(peer);
	toa_stat_inc(TOA_STAT_GETSOCKOPT_TOA_OK);
	return 0;
}

static struct nf_sockopt_ops toa_sockopt_ops = {
	.pf = PF_INET,
	.get_optmin = TOA_SO_GET_LOOKUP,
	.get_optmax = TOA_SO_GET_LOOKUP + 1,
	.get = toa_sockopt_get,
	.owner = THIS_MODULE,
};

int __init toa_sockopt_init(void)
{
	int err = nf_register_sockopt(&toa_sockopt_ops);

	if (err)
		pr_err("cannot register getsockopt %d (another TOA module loaded?): %d\n",
		       TOA_SO_GET_LOOKUP, err);
	return err;
}

void toa_sockopt_exit(void)
{
	nf_unregister_sockopt(&toa_sockopt_ops);
}
