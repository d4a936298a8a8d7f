// SPDX-License-Identifier: GPL-2.0
/*
 * Connection sync daemons: their lifecycle in a namespace, their sockets, the MAC.
 * The master's and the backup's protocols are in sync_master.c and sync_backup.c,
 * the wire format in sync_wire.c; docs/sync.md tells the whole.
 *
 * Lifetimes and locking
 *   - fnat_net.sync_master / .sync_backup are set and cleared under fnat_net.lock
 *     (netlink, and the namespace's exit). The master is published with RCU for the
 *     packet path; stopping it unpublishes it, waits a grace period, then stops its
 *     works. Nothing here takes fnat_net.lock from a work, so stop may wait for the
 *     works while holding it.
 *   - A daemon's socket is a kernel UDP socket in the namespace. Its data_ready
 *     callback only queues the daemon's rx work (under sk_callback_lock, which stop
 *     takes to restore the callback before cancelling the work).
 *   - A daemon's works (rx, tick, and the master's tx) run on fnat_sync_wq and take
 *     the daemon's mutex; they stop queueing each other once ->stopping is set.
 *   - The key goes to the hmac(sha256) transform at start and its bytes are wiped
 *     from our copy; it is never logged or read back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/timekeeping.h>
#include <crypto/hash.h>
#include <crypto/algapi.h>
#include <net/sock.h>
#include <net/ipv6.h>
#include "sync.h"

struct workqueue_struct *fnat_sync_wq;

void fnat_sync_count(struct fnat_sync_daemon *d, enum fnat_dp_counter c)
{
	this_cpu_inc(fnat_dp_net(d->net)->stats->c[c]);
}

void fnat_sync_count_n(struct fnat_sync_daemon *d, enum fnat_dp_counter c, unsigned int n)
{
	this_cpu_add(fnat_dp_net(d->net)->stats->c[c], n);
}

/* --- the MAC ---------------------------------------------------------------------- */

static int fnat_sync_mac(struct fnat_sync_daemon *d, const u8 *data, unsigned int len,
			 u8 *out)
{
	SHASH_DESC_ON_STACK(desc, d->tfm);
	int err;

	desc->tfm = d->tfm;
	err = crypto_shash_digest(desc, data, len, out);
	shash_desc_zero(desc);
	return err;
}

void fnat_sync_sign(struct fnat_sync_daemon *d, struct fnat_sync_buf *b, unsigned int mac_off)
{
	if (!d->tfm || !mac_off)
		return;
	/* The MAC covers everything before its own value (zeroed until now). */
	if (fnat_sync_mac(d, b->data, mac_off, b->data + mac_off))
		memset(b->data + mac_off, 0, IPVS_FNAT_SYNC_MAC_LEN);
}

bool fnat_sync_verify(struct fnat_sync_daemon *d, const u8 *data, const struct fnat_sync_msg *m)
{
	u8 mac[IPVS_FNAT_SYNC_MAC_LEN];
	bool ok;

	if (!d->tfm)
		return !m->mac;
	if (!m->mac)
		return false;
	if (fnat_sync_mac(d, data, m->mac_covered, mac))
		return false;
	ok = !crypto_memneq(mac, m->mac, sizeof(mac));
	memzero_explicit(mac, sizeof(mac));
	return ok;
}

/* --- sending ------------------------------------------------------------------------ */

static void fnat_sync_sockaddr(u16 af, const union nf_inet_addr *addr, __be16 port,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = addr->in6;
		s6->sin6_port = port;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = addr->ip;
		s4->sin_port = port;
	}
}

int fnat_sync_send_to(struct fnat_sync_daemon *d, const void *data, unsigned int len,
		      const struct sockaddr_storage *to)
{
	struct kvec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)to,
		.msg_namelen = to->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
							   sizeof(struct sockaddr_in),
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	int err = kernel_sendmsg(d->sock, &msg, &iov, 1, len);

	if (err < 0) {
		/* A full socket buffer or no route: the message is lost (a NACK or
		 * the next refresh repairs it); counted. */
		fnat_sync_count(d, FNAT_C_SYNC_QUEUE_DROPS);
		return err;
	}
	return 0;
}

unsigned int fnat_sync_send_all(struct fnat_sync_daemon *d, const void *data, unsigned int len)
{
	const struct fnat_sync_conf *c = &d->conf;
	struct sockaddr_storage to;
	unsigned int i, sent = 0;

	if (!c->npeers) {
		fnat_sync_sockaddr(c->af, &c->group, c->port, &to);
		return fnat_sync_send_to(d, data, len, &to) == 0;
	}
	for (i = 0; i < c->npeers; i++) {
		fnat_sync_sockaddr(c->af, &c->peers[i], c->port, &to);
		sent += fnat_sync_send_to(d, data, len, &to) == 0;
	}
	return sent;
}

/* --- receiving ---------------------------------------------------------------------- */

#define FNAT_SYNC_RX_BUDGET	256

static void fnat_sync_rx_work(struct work_struct *work)
{
	struct fnat_sync_daemon *d = container_of(work, struct fnat_sync_daemon, rx_work);
	unsigned int n;

	mutex_lock(&d->lock);
	for (n = 0; n < FNAT_SYNC_RX_BUDGET && !d->stopping; n++) {
		struct sockaddr_storage from;
		struct kvec iov = { .iov_base = d->rxbuf, .iov_len = IPVS_FNAT_SYNC_MAX_MSG + 1 };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from) };
		int len;

		len = kernel_recvmsg(d->sock, &msg, &iov, 1, iov.iov_len, MSG_DONTWAIT);
		if (len < 0)
			break;
		if (len > IPVS_FNAT_SYNC_MAX_MSG || (msg.msg_flags & MSG_TRUNC)) {
			fnat_sync_count(d, FNAT_C_SYNC_MALFORMED);
			continue;
		}
		d->rx(d, d->rxbuf, len, &from);
	}
	/* More may be waiting: another round later rather than holding the CPU. */
	if (n == FNAT_SYNC_RX_BUDGET && !d->stopping)
		queue_work(fnat_sync_wq, &d->rx_work);
	mutex_unlock(&d->lock);
}

static void fnat_sync_data_ready(struct sock *sk)
{
	struct fnat_sync_daemon *d;

	read_lock_bh(&sk->sk_callback_lock);
	d = sk->sk_user_data;
	if (d && !READ_ONCE(d->stopping))
		queue_work(fnat_sync_wq, &d->rx_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void fnat_sync_tick_work(struct work_struct *work)
{
	struct fnat_sync_daemon *d = container_of(to_delayed_work(work), struct fnat_sync_daemon,
						  tick);

	mutex_lock(&d->lock);
	if (!d->stopping) {
		d->on_tick(d);
		queue_delayed_work(fnat_sync_wq, &d->tick, HZ / 10);
	}
	mutex_unlock(&d->lock);
}

/* --- the socket ---------------------------------------------------------------------- */

static int fnat_sync_setopt(struct socket *sock, int level, int name, const void *val,
			    unsigned int len)
{
	return sock->ops->setsockopt(sock, level, name, KERNEL_SOCKPTR((void *)val), len);
}

static int fnat_sync_socket(struct fnat_sync_daemon *d, struct netlink_ext_ack *extack)
{
	const struct fnat_sync_conf *c = &d->conf;
	bool master = c->state == IPVS_FNAT_DAEMON_MASTER;
	struct sockaddr_storage local;
	union nf_inet_addr any = {};
	struct socket *sock;
	int err, one = 1, zero = 0, ttl = c->ttl;

	err = sock_create_kern(d->net, c->af, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot create the sync socket");
		return err;
	}
	d->sock = sock;
	sock->sk->sk_allocation = GFP_KERNEL;
	/* Room for a burst (a resync, a table's worth of changes). */
	sock->sk->sk_sndbuf = 4 << 20;
	sock->sk->sk_rcvbuf = 4 << 20;
	sock->sk->sk_userlocks |= SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK;
	if (c->af == AF_INET6) {
		err = fnat_sync_setopt(sock, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (err)
			goto fail;
	}
	err = sock_bindtoindex(sock->sk, d->ifindex, true);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot bind the sync socket to the interface");
		goto fail;
	}
	/* The master sends from an ephemeral port and takes the backups' requests
	 * there; a backup listens on the sync port. */
	fnat_sync_sockaddr(c->af, &any, master ? 0 : c->port, &local);
	err = kernel_bind(sock, (struct sockaddr *)&local,
			  c->af == AF_INET6 ? sizeof(struct sockaddr_in6) :
					      sizeof(struct sockaddr_in));
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot bind the sync port (in use?)");
		goto fail;
	}
	if (c->npeers)
		goto callbacks;
	if (c->af == AF_INET6) {
		int ifindex = d->ifindex;

		err = fnat_sync_setopt(sock, SOL_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) ?:
		      fnat_sync_setopt(sock, SOL_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) ?:
		      fnat_sync_setopt(sock, SOL_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero));
		if (!err && !master) {
			struct ipv6_mreq mr = { .ipv6mr_multiaddr = c->group.in6,
						.ipv6mr_ifindex = d->ifindex };

			err = fnat_sync_setopt(sock, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr));
		}
	} else {
		struct ip_mreqn mr = { .imr_multiaddr.s_addr = c->group.ip,
				       .imr_ifindex = d->ifindex };

		err = fnat_sync_setopt(sock, SOL_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) ?:
		      fnat_sync_setopt(sock, SOL_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ?:
		      fnat_sync_setopt(sock, SOL_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero));
		if (!err && !master)
			err = fnat_sync_setopt(sock, SOL_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot set up multicast on the sync interface");
		goto fail;
	}
callbacks:
	write_lock_bh(&sock->sk->sk_callback_lock);
	d->saved_data_ready = sock->sk->sk_data_ready;
	sock->sk->sk_user_data = d;
	sock->sk->sk_data_ready = fnat_sync_data_ready;
	write_unlock_bh(&sock->sk->sk_callback_lock);
	return 0;

fail:
	sock_release(sock);
	d->sock = NULL;
	return err;
}

int fnat_sync_daemon_setup(struct fnat_sync_daemon *d, struct net *net,
			   const struct fnat_sync_conf *conf, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int err;

	d->net = net;
	d->conf = *conf;
	memzero_explicit(d->conf.key, sizeof(d->conf.key));
	mutex_init(&d->lock);
	INIT_WORK(&d->rx_work, fnat_sync_rx_work);
	INIT_DELAYED_WORK(&d->tick, fnat_sync_tick_work);
	/* Later than any epoch this director used before (a restart's is larger). */
	d->epoch = ktime_get_real_ns();

	dev = dev_get_by_name(net, conf->ifname);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no such sync interface");
		return -ENODEV;
	}
	d->ifindex = dev->ifindex;
	dev_put(dev);

	d->rxbuf = kmalloc(IPVS_FNAT_SYNC_MAX_MSG + 1, GFP_KERNEL);
	d->txbuf = kmalloc(IPVS_FNAT_SYNC_MAX_MSG, GFP_KERNEL);
	if (!d->rxbuf || !d->txbuf) {
		err = -ENOMEM;
		goto fail;
	}
	if (conf->key_len) {
		d->tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
		if (IS_ERR(d->tfm)) {
			err = PTR_ERR(d->tfm);
			d->tfm = NULL;
			NL_SET_ERR_MSG(extack, "the kernel has no hmac(sha256)");
			goto fail;
		}
		err = crypto_shash_setkey(d->tfm, conf->key, conf->key_len);
		if (err) {
			NL_SET_ERR_MSG(extack, "the sync key was refused");
			goto fail;
		}
	}
	err = fnat_sync_socket(d, extack);
	if (err)
		goto fail;
	return 0;

fail:
	if (d->tfm)
		crypto_free_shash(d->tfm);
	d->tfm = NULL;
	kfree(d->rxbuf);
	kfree(d->txbuf);
	d->rxbuf = d->txbuf = NULL;
	return err;
}

/* Stop receiving, ticking and sending, and free what setup made: none of the
 * daemon's works runs once this returns. */
void fnat_sync_daemon_teardown(struct fnat_sync_daemon *d)
{
	struct sock *sk = d->sock->sk;

	mutex_lock(&d->lock);
	WRITE_ONCE(d->stopping, true);
	mutex_unlock(&d->lock);
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = d->saved_data_ready;
	sk->sk_user_data = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
	cancel_work_sync(&d->rx_work);
	cancel_delayed_work_sync(&d->tick);
	/* The master's sender, which only the two above and itself queue. */
	if (d->tx_work)
		cancel_delayed_work_sync(d->tx_work);
	sock_release(d->sock);
	d->sock = NULL;
	if (d->tfm)
		crypto_free_shash(d->tfm);
	kfree(d->rxbuf);
	kfree(d->txbuf);
}

/* --- start and stop, per namespace ---------------------------------------------------- */

static void fnat_sync_log_start(struct fnat_sync_daemon *d)
{
	const struct fnat_sync_conf *c = &d->conf;
	const char *what = c->state == IPVS_FNAT_DAEMON_MASTER ? "master" : "backup";

	pr_info("sync %s started on %s, syncid %u, %s\n", what, c->ifname, c->syncid,
		c->npeers ? "unicast peers" : "multicast");
	if (!c->key_len)
		pr_warn("sync %s on %s is unauthenticated: no key was given\n", what, c->ifname);
}

int fnat_sync_start(struct net *net, const struct fnat_sync_conf *conf,
		    struct netlink_ext_ack *extack)
{
	struct fnat_net *fn = fnat_net(net);
	int err = 0;

	lockdep_assert_held(&fn->lock);
	if (conf->state == IPVS_FNAT_DAEMON_MASTER) {
		struct fnat_sync_master *m;

		if (rcu_access_pointer(fn->sync_master)) {
			NL_SET_ERR_MSG(extack, "a master sync daemon is already running");
			return -EEXIST;
		}
		m = fnat_sync_master_start(net, conf, extack, &err);
		if (!m)
			return err;
		rcu_assign_pointer(fn->sync_master, m);
		WRITE_ONCE(fn->sync_threshold, conf->threshold);
		fnat_sync_log_start(fnat_sync_master_daemon(m));
	} else {
		struct fnat_sync_backup *b;

		if (fn->sync_backup) {
			NL_SET_ERR_MSG(extack, "a backup sync daemon is already running");
			return -EEXIST;
		}
		b = fnat_sync_backup_start(net, conf, extack, &err);
		if (!b)
			return err;
		fn->sync_backup = b;
		fnat_sync_log_start(fnat_sync_backup_daemon(b));
	}
	return 0;
}

int fnat_sync_stop(struct net *net, u32 state)
{
	struct fnat_net *fn = fnat_net(net);

	lockdep_assert_held(&fn->lock);
	if (state == IPVS_FNAT_DAEMON_MASTER) {
		struct fnat_sync_master *m = rcu_dereference_protected(fn->sync_master,
								       lockdep_is_held(&fn->lock));

		if (!m)
			return -ESRCH;
		WRITE_ONCE(fn->sync_threshold, 0);
		RCU_INIT_POINTER(fn->sync_master, NULL);
		/* No packet path queues to it after this. */
		synchronize_rcu();
		fnat_sync_master_stop(m);
		pr_info("sync master stopped\n");
	} else {
		struct fnat_sync_backup *b = fn->sync_backup;

		if (!b)
			return -ESRCH;
		fn->sync_backup = NULL;
		fnat_sync_backup_stop(b);
		pr_info("sync backup stopped\n");
	}
	return 0;
}

int fnat_sync_info(struct net *net, u32 state, struct fnat_sync_conf *conf, u64 *epoch,
		   struct fnat_sync_backup_status *st)
{
	struct fnat_net *fn = fnat_net(net);
	struct fnat_sync_daemon *d = NULL;

	lockdep_assert_held(&fn->lock);
	if (state == IPVS_FNAT_DAEMON_MASTER) {
		struct fnat_sync_master *m = rcu_dereference_protected(fn->sync_master,
								       lockdep_is_held(&fn->lock));

		if (m)
			d = fnat_sync_master_daemon(m);
	} else if (fn->sync_backup) {
		d = fnat_sync_backup_daemon(fn->sync_backup);
		if (st)
			fnat_sync_backup_status(fn->sync_backup, st);
	}
	if (!d)
		return -ESRCH;
	*conf = d->conf;
	memzero_explicit(conf->key, sizeof(conf->key));
	*epoch = d->epoch;
	return 0;
}

void fnat_sync_net_exit(struct net *net)
{
	struct fnat_net *fn = fnat_net(net);

	mutex_lock(&fn->lock);
	fnat_sync_stop(net, IPVS_FNAT_DAEMON_MASTER);
	fnat_sync_stop(net, IPVS_FNAT_DAEMON_BACKUP);
	mutex_unlock(&fn->lock);
}

int fnat_sync_init(void)
{
	/* Ordered per work item by the workqueue itself; unbound so that a resync
	 * does not sit on the CPU that takes the packets. */
	fnat_sync_wq = alloc_workqueue("ipvs_fnat_sync", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return fnat_sync_wq ? 0 : -ENOMEM;
}

void fnat_sync_exit(void)
{
	destroy_workqueue(fnat_sync_wq);
}
