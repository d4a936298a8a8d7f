#!/usr/bin/env bash
# Scale-out on real routing (docs/scale-out.md): three directors announce the VIPs
# and their own LIPs over BGP (BIRD 2) to an upstream router, which installs one
# equal-cost route per director and spreads new connections over them by a layer-4
# hash; the real servers' replies reach each LIP's director through the same router.
#
# The topology (tests/e2e/bgp_topo.bash, its diagram there): a client, a router
# running BIRD with ECMP and a layer-4 hash, three directors each with BIRD, N-way
# connection sync and ipvs-fnat-rhi, two real servers. Scenarios: BGP sessions and
# routes; 200 connections spread; route health injection (withdraw, re-announce);
# a director lost with transfers and sessions through every director; that director
# rejoining (it announces only once its sync backup holds the others' connections).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgp_topo.bash"

CONNS=200

command -v bird >/dev/null || { fail "bird is missing: scripts/deps.sh installs bird2"; finish; }

test_sessions() {
	local n p=
	for ((n = 1; n <= N_DIRS; n++)); do p="$p d${n}v4 d${n}v6"; done
	# shellcheck disable=SC2086
	check "the router's six BGP sessions (three directors, IPv4 and IPv6) are established" \
		wait_until "$(scaled 30)" established router $p
	wait_until 10 sh -c "[ \$(ip netns exec router ip route show $VIP4 | grep -c nexthop) -eq 3 ]"
	check_eq "the router has an ECMP route to $VIP4 over the three directors" 3 "$(nexthops $VIP4)"
	wait_until 10 sh -c "[ \$(ip netns exec router ip -6 route show $VIP6 | grep -c nexthop) -eq 3 ]"
	check_eq "and to $VIP6" 3 "$(nexthops $VIP6)"
	for ((n = 1; n <= N_DIRS; n++)); do
		check_eq "each LIP is routed to its own director: 192.0.2.20$n via d$n" \
			"192.0.2.$((126 + 4 * n))" "$(via 192.0.2.20$n/32)"
		check_eq "2001:db8:20::$n via d$n" "2001:db8:$n::2" "$(via 2001:db8:20::$n/128)"
	done
}

# spread FAM VIP: $CONNS new connections from the client, one after another, each
# from a new port: all answered, and every director got a share.
test_spread() {
	local fam=$1 vip=$2 n out share total=0 shares=
	local -a before
	for ((n = 1; n <= N_DIRS; n++)); do before[n]=$(own_new d$n); done
	out=$(on client $SOCKETS many "$vip" 80 $CONNS)
	check "IPv$fam: $CONNS new connections to the VIP, all answered ($out)" \
		test "$(echo "$out" | awk '{ print $2, $4 }')" = "$CONNS 0"
	for ((n = 1; n <= N_DIRS; n++)); do
		share=$(($(own_new d$n) - before[n]))
		shares="$shares d$n $share"
		total=$((total + share))
	done
	info "IPv$fam shares:$shares"
	for ((n = 1; n <= N_DIRS; n++)); do
		share=$(echo "$shares" | awk -v d=d$n '{ for (i = 1; i < NF; i++) if ($i == d) print $(i + 1) }')
		check "IPv$fam: director d$n got a share of the new connections ($share of $CONNS)" test "$share" -gt 0
	done
	check_eq "IPv$fam: the shares add up to the $CONNS connections" $CONNS $total
	check_eq "IPv$fam: no packet reached a director without its connection (no_conn_drop)" "0 0 0" \
		"$(stat_of d1 no_conn_drop) $(stat_of d2 no_conn_drop) $(stat_of d3 no_conn_drop)"
}

# on_rhi D ADDR: director D announces ADDR (it is on its rhi0).
on_rhi() { on "$1" ip -br addr show dev rhi0 | grep -qw "$2"; }
# weights D W: director D's IPv4 real servers (of every IPv4 service) get weight W, as
# keepalived does when its checks find them failing (inhibit_on_failure) or back.
weights() {
	local rs p
	for p in 80 7; do
		for rs in 203.0.113.11 203.0.113.12; do
			fnat "$1" -e -t $VIP4:$p -r $rs:$p -w "$2" || return 1
		done
	done
}

# rhi: d3's real servers all fail (as its keepalived sees them): d3 withdraws the
# IPv4 VIP, the router drops d3 from its route, new connections go to d1 and d2
# only, IPv6 (healthy on d3) stays on three; one real server back, d3 announces again.
test_rhi() {
	local t0 t1 t2 c3 out d
	for d in d1 d2 d3; do
		check "$d announces both VIPs (ipvs-fnat-rhi put them on rhi0)" \
			wait_until 10 sh -c "ip -n $d -br addr show dev rhi0 | grep -qw $VIP4 && ip -n $d -br addr show dev rhi0 | grep -qw $VIP6"
	done
	weights d3 0 || { fail "d3's real servers taken out"; return; }
	t0=$(now)
	check "d3, all its IPv4 real servers out, withdraws $VIP4" wait_until 5 sh -c "! ip -n d3 -br addr show dev rhi0 | grep -qw $VIP4"
	t1=$(now)
	check "the router's route to $VIP4 keeps d1 and d2 only" wait_until 15 nexthops_are $VIP4 2
	t2=$(now)
	info "withdrawal: $(echo "$t1 - $t0" | bc) s at d3 after its last real server went, $(echo "$t2 - $t0" | bc) s until the router's route changed"
	check "d3 keeps announcing $VIP6, whose real servers are up" on_rhi d3 $VIP6
	check_eq "and the router's route to $VIP6 keeps three next hops" 3 "$(nexthops $VIP6)"
	c3=$(own_new d3)
	out=$(on client $SOCKETS many $VIP4 80 60)
	check "60 new IPv4 connections all answered without d3 ($out)" \
		test "$(echo "$out" | awk '{ print $2, $4 }')" = "60 0"
	check_eq "... none of them through d3" "$c3" "$(own_new d3)"
	fnat d3 -e -t $VIP4:80 -r 203.0.113.11:80 -w 1
	check "one real server back: d3 announces $VIP4 again" wait_until 5 on_rhi d3 $VIP4
	check "and the router spreads over three again" wait_until 15 nexthops_are $VIP4 3
	weights d3 1
}

# --- a director lost ----------------------------------------------------------------

TRAFFIC="$PY $(dirname "$0")/sync_traffic.py"
JOBS=()	# "pid kind out" of every long connection started
# long_job KIND VIP OUT: one long connection in the background, added to JOBS:
# download, a sha256-checked transfer of 6 MB at 100 kB/s (a minute, scaled); session,
# an echoed line a second for 90 s (scaled).
long_job() {
	if [ "$1" = download ]; then
		# (slower still by the time factor: a slower kernel takes longer to start them)
		on client curl -s -g -m "$(scaled 300)" --limit-rate "$((100 / ${E2E_TIME_FACTOR:-1}))k" \
			-o "$3" "http://$2/slow" &
	else
		on client $TRAFFIC session "$(echo "$2" | tr -d '[]')" 7 "$(scaled 90)" >"$3" 2>&1 &
	fi
	JOBS+=("$! $1 $3")
}

# lip_directors VIP:PORT: the directors whose LIPs the established connections to
# VIP:PORT use, in any director's table ("1 2 3"): a LIP tells its director.
lip_directors() {
	local n
	for ((n = 1; n <= N_DIRS; n++)); do fnat d$n -L -c -n; done |
		awk -v v="$1" '$3 == "ESTABLISHED" && $5 == v { print $6 }' |
		sed -E 's/^192\.0\.2\.20([0-9]):.*/\1/; s/^\[2001:db8:20::([0-9])\]:.*/\1/' | sort -u | paste -sd' '
}
# est_count VIP:PORT: the established connections to VIP:PORT, all tables together.
est_count() {
	local n
	for ((n = 1; n <= N_DIRS; n++)); do fnat d$n -L -c -n; done |
		awk -v v="$1" '$3 == "ESTABLISHED" && $5 == v { print $4 }' | sort -u | wc -l
}
established_to() { [ "$(est_count "$1")" -ge "$2" ]; }
# all_established N: N established connections to each VIP's ports 80 and 7, the
# directors' own tables together (not waiting for the copies).
all_established() {
	local v
	for v in "$VIP4:80" "$VIP4:7" "[$VIP6]:80" "[$VIP6]:7"; do
		established_to "$v" "$1" || return 1
	done
}

# start_batch KIND VIP N: N long connections of KIND to VIP, at once.
start_batch() {
	local i
	for ((i = 0; i < $3; i++)); do
		STARTED=$((STARTED + 1))
		long_job "$1" "$2" "$T/$1.$STARTED.$(echo "$2" | tr -d ':[]')"
	done
}
# cover KIND VIP: three more connections of KIND to VIP at a time until every
# director carries one (the router's hash decides which gets each).
cover() {
	local kind=$1 vip=$2 port=80 more=0 n
	[ "$kind" = session ] && port=7
	until [ "$(lip_directors "$vip:$port")" = "1 2 3" ]; do
		[ $more -lt 12 ] || { fail "$kind to $vip: no connection reached every director"; return 1; }
		n=$(est_count "$vip:$port")
		start_batch "$kind" "$vip" 3
		more=$((more + 3))
		wait_until 10 established_to "$vip:$port" $((n + 3))
	done
	info "$kind to $vip: on all $N_DIRS directors ($more more connections needed)"
}
STARTED=0

# all_synced: every director holds the same established connections (its own and the
# others' copies), and at least one.
all_synced() {
	local n first
	first=$(established_set d1)
	[ -n "$first" ] || return 1
	for ((n = 2; n <= N_DIRS; n++)); do
		[ "$(established_set d$n)" = "$first" ] || return 1
	done
}

# director_loss: downloads and sessions through every director, IPv4 and IPv6; d3's
# links are cut (it dies as a machine does, nothing stopped): the router's BGP
# sessions to it drop, the VIP's route keeps d1 and d2, d3's LIPs are routed to the
# survivors, which hold its connections: every transfer and session ends intact, no
# RST, and new connections work.
test_director_loss() {
	local out total
	on client tcpdump -i eth0 -n -U -w "$T/rst.pcap" \
		"(ip and tcp[tcpflags] & tcp-rst != 0) or (ip6 and ip6[6] == 6 and ip6[53] & 4 != 0)" \
		>/dev/null 2>&1 &
	local rst=$!
	wait_until 5 test -s "$T/rst.pcap"
	# Twelve of each at once (each director gets some of twelve but rarely none),
	# then more where one did not.
	local kind vip
	for kind in session download; do
		for vip in $VIP4 "[$VIP6]"; do start_batch $kind "$vip" 12; done
	done
	check "the $STARTED connections are established" wait_until 30 all_established 12
	for kind in session download; do
		for vip in $VIP4 "[$VIP6]"; do cover $kind "$vip" || return; done
	done
	total=${#JOBS[@]}
	check "every director holds the same established connections, its own and the others' (synced)" \
		wait_until 30 all_synced
	info "$(established_set d1 | wc -l) established connections on each director; d1's table by state:" \
		"$(fnat d1 -L -c -n | awk 'NR > 2 { print $3 }' | sort | uniq -c | paste -sd' ')"
	local t0
	t0=$(now)
	info "cutting d3's links"
	ip -n router link set tod3 down
	ip -n lan link set d3 down
	check_eq "all $total were still running when d3 was cut" "$total" "$(jobs_alive)"
	check "the router's BGP sessions to d3 drop" \
		wait_until 10 sh -c "! ip netns exec router birdc -s '$T/router.ctl' show protocols d3v4 | grep -q Established"
	check "the router's route to $VIP4 keeps d1 and d2" wait_until 10 nexthops_are $VIP4 2
	check "and to $VIP6" wait_until 10 nexthops_are $VIP6 2
	check "d3's LIP 192.0.2.203 is routed to a survivor" \
		wait_until 10 sh -c "ip netns exec router ip route show 192.0.2.203 | grep -Eq 'via 192.0.2.13[04]'"
	info "routing converged $(echo "$(now) - $t0" | bc) s after the cut"
	jobs_wait
	check_eq "all $total transfers and sessions ended intact (sha256, every line echoed)" 0 "$JOBS_BAD"
	kill "$rst" 2>/dev/null
	wait "$rst" 2>/dev/null
	check_eq "no RST reached the client" 0 "$(on client tcpdump -n -r "$T/rst.pcap" 2>/dev/null | wc -l)"
	local moved=0 n
	for n in 1 2; do moved=$((moved + $(stat_of d$n sync_moved))); done
	info "survivors: d1 in_pkts $(stat_of d1 in_pkts), d2 $(stat_of d2 in_pkts); sync_moved at d1+d2 $moved"
	out=$(on client $SOCKETS many $VIP4 80 30)
	check "new connections work on the survivors ($out)" test "$(echo "$out" | awk '{ print $2, $4 }')" = "30 0"
}

# --- a director rejoining ---------------------------------------------------------

# holds_for SECS CMD...: CMD succeeds at every poll for SECS seconds.
holds_for() {
	local end
	end=$(echo "$(now) + $(scaled "$1")" | bc)
	shift
	while [ "$(echo "$(now) < $end" | bc)" = 1 ]; do
		"$@" || return 1
		sleep 0.2
	done
}
lip_not_via_d3() { [ "$(via 192.0.2.203/32)" != 192.0.2.138 ] && [ "$(via 2001:db8:20::3/128)" != 2001:db8:3::2 ]; }
# d1_holds N: d1 lists at least N established connections.
d1_holds() { [ "$(established_set d1 | wc -l)" -ge "$1" ]; }
vip_on_two() { nexthops_are $VIP4 2 && nexthops_are $VIP6 2; }
# jobs_wait: wait for every job of JOBS (in this shell: they are its children); JOBS_BAD
# is how many did not end well (downloads checked by sha256, sessions by their echo).
jobs_wait() {
	local j pid kind out rc
	JOBS_BAD=0
	for j in "${JOBS[@]}"; do
		read -r pid kind out <<<"$j"
		rc=0
		wait "$pid" || rc=$?
		if [ "$kind" = download ]; then
			[ $rc -eq 0 ] && [ "$(sha256sum <"$out" | cut -d' ' -f1)" = "$SHA_BIG" ] ||
				{ JOBS_BAD=$((JOBS_BAD + 1)); info "download $out: curl exit $rc, $(stat -c %s "$out" 2>/dev/null) bytes"; }
		else
			[ $rc -eq 0 ] || { JOBS_BAD=$((JOBS_BAD + 1)); info "session $out: $(cat "$out")"; }
		fi
	done
}
# jobs_alive: how many jobs of JOBS are still running.
jobs_alive() {
	local j pid n=0
	for j in "${JOBS[@]}"; do
		read -r pid _ <<<"$j"
		kill -0 "$pid" 2>/dev/null && n=$((n + 1))
	done
	echo $n
}

# rejoin (after director_loss): d3 comes back as a rebooted machine does (a new
# namespace: empty tables, new daemons) while sessions and downloads run through d1
# and d2. Its ipvs-fnat-rhi waits for the sync backup: with the backup not started
# yet, d3's BGP sessions come up but it announces neither the VIPs nor its LIPs;
# once the backup holds d1's and d2's connections it announces both, the router
# moves a share of the running flows to d3, which carries them on: all end intact,
# no RST.
test_rejoin() {
	local vip i out t0 t1 missing moved0=0 moved=0 n rst
	for n in 1 2; do moved0=$((moved0 + $(stat_of d$n sync_moved))); done
	ip netns pids d3 | xargs -r kill -9
	t0=$(now)
	ip netns del d3
	rm -f "$T/d3.ctl" "$T/d3.pid"
	# The namespace's devices go once its module state is gone (the connections, the
	# sync sockets, the routes kept): a leak would hold them for ever. (BIRD's TCP
	# sessions, orphaned when it was killed on a cut link, keep the namespace for
	# their retransmissions first, ~30 s.)
	check "d3's namespace is torn down, its links with it" \
		wait_until "$(scaled 60)" sh -c "! ip -n router link show tod3 >/dev/null 2>&1"
	info "d3's namespace gone $(echo "$(now) - $t0" | bc) s after it was deleted"
	on client tcpdump -i eth0 -n -U -w "$T/rst2.pcap" \
		"(ip and tcp[tcpflags] & tcp-rst != 0) or (ip6 and ip6[6] == 6 and ip6[53] & 4 != 0)" \
		>/dev/null 2>&1 &
	rst=$!
	wait_until 5 test -s "$T/rst2.pcap"
	JOBS=()
	for vip in $VIP4 "[$VIP6]"; do
		for i in 1 2 3 4 5 6 7 8; do
			long_job session "$vip" "$T/rejoin.session.$i.$(echo "$vip" | tr -d ':[]')"
		done
	done
	info "rebooting d3 (its sync backup held back)"
	director 3 rejoin || { fail "d3 rejoin setup"; return 1; }
	check "d3's BGP sessions are up again" wait_until "$(scaled 30)" established router d3v4 d3v6
	for vip in $VIP4 "[$VIP6]"; do
		for i in 1 2 3; do
			long_job download "$vip" "$T/rejoin.download.$i.$(echo "$vip" | tr -d ':[]')"
		done
	done
	check "without its sync backup, d3 announces no VIP for 3 s (the router keeps d1 and d2)" \
		holds_for 3 vip_on_two
	check "nor its LIPs (the survivors carry them)" lip_not_via_d3
	check "its ipvs-fnat-rhi says why" grep -q "waiting to announce: no sync backup daemon runs" "$T/d3.rhi.log"
	check "d1 and d2 hold the running connections" wait_until 10 d1_holds ${#JOBS[@]}
	established_set d1 >"$T/rejoin.before"
	t0=$(now)
	fnat d3 --start-daemon backup --mcast-interface rs0
	check "with its backup started, d3 announces $VIP4 again" wait_until 15 nexthops_are $VIP4 3
	t1=$(now)
	missing=$(comm -23 "$T/rejoin.before" <(established_set d3) | wc -l)
	check_eq "and by then d3 held every connection running through d1 and d2" 0 "$missing"
	check "and $VIP6" wait_until 10 nexthops_are $VIP6 3
	check_eq "d3's LIP is routed to d3 again" 192.0.2.138 "$(via 192.0.2.203/32)"
	check "ipvs-fnat-rhi announced only once the backup was synced" \
		awk '/holds every live master/ { s = NR } /announce 192.0.2.10:/ && !a { a = NR } END { exit !(s && a > s) }' "$T/d3.rhi.log"
	info "d3: $(grep -o 'after [0-9]* ms' "$T/d3.rhi.log" | head -1) of waiting for the backup; route back $(echo "$t1 - $t0" | bc) s after it started"
	jobs_wait
	check_eq "all ${#JOBS[@]} sessions and downloads running across the rejoin ended intact" 0 "$JOBS_BAD"
	kill "$rst" 2>/dev/null
	wait "$rst" 2>/dev/null
	check_eq "no RST reached the client" 0 "$(on client tcpdump -n -r "$T/rst2.pcap" 2>/dev/null | wc -l)"
	for n in 1 2; do moved=$((moved + $(stat_of d$n sync_moved))); done
	info "d3 in_pkts $(stat_of d3 in_pkts); sync_moved at d1+d2 $moved0 -> $moved"
	check "the router moved running flows to d3, which carried them on (d1's and d2's sync_moved grew)" \
		test "$moved" -gt "$moved0"
	n=$(own_new d3)
	out=$(on client $SOCKETS many $VIP4 80 60)
	check "new connections work ($out)" test "$(echo "$out" | awk '{ print $2, $4 }')" = "60 0"
	check "and d3 takes a share of them" test "$(own_new d3)" -gt "$n"
}

# BGP_SCENARIOS: the scenarios to run, in this order (all by default; rejoin needs
# director_loss before it).
BGP_SCENARIOS=${BGP_SCENARIOS:-"sessions spread4 spread6 rhi director_loss rejoin"}
if setup; then
	for s in $BGP_SCENARIOS; do
		case $s in
		spread4) test_spread 4 $VIP4 ;;
		spread6) test_spread 6 $VIP6 ;;
		*) "test_$s" ;;
		esac
	done
else
	fail "setup: router, three directors with BIRD, real servers"
fi
finish
