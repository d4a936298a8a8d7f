/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduling algorithms of ipvs_fnat, as plain C over plain arrays, so that the
 * kernel's schedulers (kernel/ipvs_fnat/sched_*.c) and the userspace unit tests run
 * the very same code. Nothing here allocates, locks or knows about services: the
 * caller passes the destinations' weights and availability, and owns any state
 * (the wrr cursor, the sh and mh lookup tables) and the lock around it.
 *
 * A destination is "available" when it may take a new connection: weight > 0 and not
 * over its upper threshold. The caller computes that; the algorithms only read it.
 */
#ifndef FNAT_SCHED_CORE_H
#define FNAT_SCHED_CORE_H

#include <linux/types.h>

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

/* ---- hashing ------------------------------------------------------------------- */

static inline __u32 fnat_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* MurmurHash3's 32-bit mixing over whole 32-bit words: fast, well spread, and the
 * same result in the kernel and in userspace. Input words are taken as they are in
 * memory (addresses in network order hash the same on every host of one byte order;
 * directors sharing VIPs behind ECMP run the same architecture). */
static inline __u32 fnat_hash_words(const __u32 *w, unsigned int n, __u32 seed)
{
	__u32 h = seed, k;
	unsigned int i;

	for (i = 0; i < n; i++) {
		k = w[i] * 0xcc9e2d51u;
		k = fnat_rotl32(k, 15) * 0x1b873593u;
		h ^= k;
		h = fnat_rotl32(h, 13) * 5 + 0xe6546b64u;
	}
	h ^= n * 4;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* ---- weighted round robin ------------------------------------------------------ */

static inline __u32 fnat_gcd(__u32 a, __u32 b)
{
	while (b) {
		__u32 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Interleaved weighted round robin: over one cycle destination i is picked weight[i]
 * times, and heavier destinations are spread between the lighter ones rather than
 * picked in a burst. The cursor (index, current weight) is the caller's, starting
 * at { -1, 0 } and reset whenever the set of destinations or their weights change.
 */
struct fnat_wrr_cursor {
	int index;
	int cw;
};

static inline void fnat_wrr_reset(struct fnat_wrr_cursor *c)
{
	c->index = -1;
	c->cw = 0;
}

/* Returns the chosen index, or -1 when no destination is available. */
static inline int fnat_wrr_next(struct fnat_wrr_cursor *c, const __u32 *weight,
				const __u8 *avail, int n)
{
	__u32 g = 0, maxw = 0;
	int i, steps;

	for (i = 0; i < n; i++) {
		if (!avail[i] || !weight[i])
			continue;
		g = fnat_gcd(weight[i], g);
		if (weight[i] > maxw)
			maxw = weight[i];
	}
	if (!maxw)
		return -1;
	if (c->index >= n)
		fnat_wrr_reset(c);
	/* The cursor's weight level may be above every available weight (the heavy
	 * destinations went over their threshold since it was set): such levels pick
	 * nothing, so go on from the heaviest available one. Without this, the bounded
	 * walk below could end on those empty levels and report nothing available. */
	if (c->cw > (int)maxw)
		c->cw = (int)maxw;
	/* At most one full pass over every weight level finds an available one. */
	for (steps = 0; steps <= n * (int)(maxw / g + 1); steps++) {
		c->index = (c->index + 1) % n;
		if (c->index == 0) {
			c->cw -= (int)g;
			if (c->cw <= 0)
				c->cw = (int)maxw;
		}
		if (avail[c->index] && weight[c->index] >= (__u32)c->cw)
			return c->index;
	}
	return -1;
}

/* ---- least connections ----------------------------------------------------------- */

/* IPVS's overhead: an active connection costs 256 times an inactive one. */
static inline __u64 fnat_conn_overhead(__u32 active, __u32 inactive)
{
	return ((__u64)active << 8) + inactive;
}

/*
 * Weighted least connections: the available destination with the lowest
 * overhead / weight (compared by cross-multiplication, no division); ties go to the
 * first. With every weight equal this is plain least connections, so lc calls it
 * with weights of 1.
 */
/* Is a destination with overhead oh and weight w a better pick than the best so far
 * (best_oh, best_w)? Strictly lower overhead per weight; w and best_w are non-zero.
 * The kernel's lockless loop over its destinations and fnat_wlc_pick() share it. */
static inline bool fnat_wlc_better(__u64 oh, __u32 w, __u64 best_oh, __u32 best_w)
{
	return oh * best_w < best_oh * w;
}

static inline int fnat_wlc_pick(const __u32 *active, const __u32 *inactive,
				const __u32 *weight, const __u8 *avail, int n)
{
	int i, best = -1;
	__u64 best_oh = 0;
	__u32 best_w = 0;

	for (i = 0; i < n; i++) {
		__u64 oh;

		if (!avail[i] || !weight[i])
			continue;
		oh = fnat_conn_overhead(active[i], inactive[i]);
		if (best < 0 || fnat_wlc_better(oh, weight[i], best_oh, best_w)) {
			best = i;
			best_oh = oh;
			best_w = weight[i];
		}
	}
	return best;
}

/* ---- source hashing -------------------------------------------------------------- */

#define FNAT_SH_TAB_BITS	8
#define FNAT_SH_TAB_SIZE	(1u << FNAT_SH_TAB_BITS)

/*
 * Fill the source-hash table: destinations take buckets in turn, each as many
 * consecutive turns as its weight, until all 256 are assigned; a table with no
 * weighted destination is all -1. Rebuilt by the caller on destination changes.
 */
static inline void fnat_sh_build(__s16 *tab, const __u32 *weight, int n)
{
	unsigned int b = 0;
	int i, any = 0;
	__u32 turn;

	for (i = 0; i < n; i++)
		any |= weight[i] != 0;
	if (!any) {
		for (b = 0; b < FNAT_SH_TAB_SIZE; b++)
			tab[b] = -1;
		return;
	}
	while (b < FNAT_SH_TAB_SIZE) {
		for (i = 0; i < n && b < FNAT_SH_TAB_SIZE; i++)
			for (turn = 0; turn < weight[i] && b < FNAT_SH_TAB_SIZE; turn++)
				tab[b++] = (__s16)i;
	}
}

/* The client's bucket; the caller falls back (or refuses) if its destination is not
 * available right now. addr_words: 1 for IPv4, 4 for IPv6. */
static inline unsigned int fnat_sh_bucket(const __u32 *addr, unsigned int addr_words,
					  __u32 seed)
{
	return fnat_hash_words(addr, addr_words, seed) & (FNAT_SH_TAB_SIZE - 1);
}

/* ---- Maglev hashing ---------------------------------------------------------------- */

/* A prime, so that every skip visits every slot: 65521 slots of s16 = 128 KiB. */
#define FNAT_MH_TAB_SIZE	65521u

/*
 * Maglev lookup table (Eisenbud et al., NSDI 2016). Each destination has its own
 * permutation of the slots, from two hashes of its key (address and port):
 * slot(j) = (offset + j * skip) mod M. Destinations take turns claiming their next
 * preferred free slot; a destination of weight w takes w turns per round (relative to
 * the gcd of the weights), so the table shares follow the weights. The table depends
 * only on the set of (key, weight): every director computes the same one, and when a
 * destination goes, the slots of the others barely move.
 *
 * scratch is caller-provided, 2 * n words (each destination's skip and position in its
 * permutation). keys[i] points at key_words words. Destinations of weight 0 take no
 * slots; a table with none weighted is all -1. All arithmetic stays in 32 bits.
 */
static inline void fnat_mh_build(__s16 *tab, __u32 *scratch, const __u32 *const *keys,
				 unsigned int key_words, const __u32 *weight, int n)
{
	__u32 *skip = scratch, *pos = scratch + n;
	__u32 g = 0, filled = 0, slot;
	int i;

	for (slot = 0; slot < FNAT_MH_TAB_SIZE; slot++)
		tab[slot] = -1;
	for (i = 0; i < n; i++) {
		pos[i] = fnat_hash_words(keys[i], key_words, 0x5bd1e995u) % FNAT_MH_TAB_SIZE;
		skip[i] = fnat_hash_words(keys[i], key_words, 0x27d4eb2fu) % (FNAT_MH_TAB_SIZE - 1) + 1;
		if (weight[i])
			g = fnat_gcd(weight[i], g);
	}
	if (!g)
		return;

	while (filled < FNAT_MH_TAB_SIZE) {
		for (i = 0; i < n && filled < FNAT_MH_TAB_SIZE; i++) {
			__u32 turns = weight[i] / g;

			while (turns-- && filled < FNAT_MH_TAB_SIZE) {
				/* Walk this destination's permutation to its next free slot;
				 * M is prime, so the walk visits every slot. */
				do {
					slot = pos[i];
					pos[i] = (pos[i] + skip[i]) % FNAT_MH_TAB_SIZE;
				} while (tab[slot] >= 0);
				tab[slot] = (__s16)i;
				filled++;
			}
		}
	}
}

/* The slot of a flow: hash of the client address and port. words: the flow key. */
static inline __u32 fnat_mh_slot(const __u32 *words, unsigned int n_words, __u32 seed)
{
	return fnat_hash_words(words, n_words, seed) % FNAT_MH_TAB_SIZE;
}

#endif /* FNAT_SCHED_CORE_H */
