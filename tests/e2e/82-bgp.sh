#!/usr/bin/env bash
# Scale-out on real routing (docs/scale-out.md): three directors announce the VIPs
# and their own LIPs over BGP (BIRD 2) to an upstream router, which installs one
# equal-cost route per director and spreads new connections over them by a layer-4
# hash; the real servers' replies reach each LIP's director through the same router.
#
#   client 198.51.100.2 ── cl0 ┐                        ┌ up0 .130  d1  AS 65001
#          2001:db8:c::2       │  router  AS 65000 ─────┼ up0 .134  d2  AS 65002
#                              │  198.51.100.1 ─────────┴ up0 .138  d3  AS 65003
#                              │  (links 192.0.2.128/30 + 4n, 2001:db8:n::/64,
#                              │   router ::1 / .125+4n, director ::2 / .126+4n)
#                              └ lan0 203.0.113.254, 2001:db8:5::fe ── "lan" bridge
#                                      ── rs0 of d1 .1, d2 .2, d3 .3 (::1, ::2, ::3)
#                                      ── rs1 203.0.113.11, rs2 .12 (::11, ::12), nginx,
#                                         default route via the router
#   Sync: every director a master (its own syncid) and a backup of all (syncid 0),
#   over the LAN; the other directors' LIPs in its pools as peer LIPs, and announced
#   by it with a path three hops longer than their owner's.
#
#   Every director: VIP 192.0.2.10, 2001:db8:10::10 and its own LIP 192.0.2.20N,
#   2001:db8:20::N on lo; the dummy rhi0, whose addresses BIRD's "direct" protocol
#   turns into the routes it announces, holds the LIPs, and the VIPs while
#   ipvs-fnat-rhi (route health injection) finds that their services can serve.
#   The router: BIRD, ECMP ("merge paths"), the kernel's layer-4 multipath hash on
#   the headers (policy 3, fields 0x37).
. "$(dirname "$0")/lib.sh"

VIP4=192.0.2.10
VIP6=2001:db8:10::10
N_DIRS=3
CONNS=200
SOCKETS="$PY $(dirname "$0")/sockets.py"
T=$E2E_TMP

command -v bird >/dev/null || { fail "bird is missing: scripts/deps.sh installs bird2"; finish; }

fnat() {
	local ns=$1
	shift
	on "$ns" "$FNAT_TOOL" "$@"
}
stat_of() { on "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }
# own_new D: the connections director D has made itself, all services together (the
# services' counters; conn_new counts the other directors' synced copies too).
own_new() { fnat "$1" -L -n --stats --exact | awk '$1 == "TCP" || $1 == "UDP" { n += $3 } END { print n + 0 }'; }
birdc_of() { on "$1" birdc -s "$T/$1.ctl" "${@:2}"; }

# bird_start NS: BIRD in NS with $T/NS.conf, in the foreground of a background job
# (the namespace's cleanup kills it).
bird_start() {
	on "$1" bird -f -c "$T/$1.conf" -s "$T/$1.ctl" -P "$T/$1.pid" >"$T/$1.bird.log" 2>&1 &
	wait_until 10 test -S "$T/$1.ctl"
}

# established NS PROTO...: BIRD in NS has these BGP sessions up.
established() {
	local ns=$1 p
	shift
	for p in "$@"; do
		birdc_of "$ns" show protocols "$p" | grep -q Established || return 1
	done
}

# How every BGP session of the test runs, both ends alike: on the directly connected
# link, down at once when the link goes (check link), a 3 s hold time otherwise, and
# quick to come back.
BGP_SESSION="direct; check link yes; hold time 3; keepalive time 1;
	connect retry time 1; connect delay time 1; error wait time 1, 4;"

router_conf() {
	local n
	{
		cat <<-EOF
		router id 198.51.100.1;
		protocol device { scan time 2; }
		protocol kernel k4 { ipv4 { export all; }; merge paths on; }
		protocol kernel k6 { ipv6 { export all; }; merge paths on; }
		template bgp director {
			local as 65000;
			$BGP_SESSION
		}
		EOF
		for ((n = 1; n <= N_DIRS; n++)); do
			cat <<-EOF
			protocol bgp d${n}v4 from director {
				neighbor 192.0.2.$((126 + 4 * n)) as $((65000 + n));
				ipv4 { import all; export none; };
			}
			protocol bgp d${n}v6 from director {
				neighbor 2001:db8:$n::2 as $((65000 + n));
				ipv6 { import all; export none; };
			}
			EOF
		done
	} >"$T/router.conf"
}

director_conf() {
	local n=$1 i peers4= peers6=
	for ((i = 1; i <= N_DIRS; i++)); do
		[ $i -eq $n ] && continue
		peers4="$peers4 route 192.0.2.20$i/32 blackhole;"
		peers6="$peers6 route 2001:db8:20::$i/128 blackhole;"
	done
	cat >"$T/d$n.conf" <<-EOF
	router id 192.0.2.$((126 + 4 * n));
	protocol device { scan time 2; }
	protocol direct rhi { ipv4; ipv6; interface "rhi0"; }
	# The other directors' LIPs, announced with a path three hops longer than their
	# owners' own: the router sends a LIP's replies to its owner while it lives, and
	# to the survivors (which hold its connections, synced) when it is gone.
	protocol static peers4 { ipv4;$peers4 }
	protocol static peers6 { ipv6;$peers6 }
	filter to_router {
		if proto = "rhi" then accept;
		if proto = "peers4" || proto = "peers6" then {
			bgp_path.prepend($((65000 + n)));
			bgp_path.prepend($((65000 + n)));
			bgp_path.prepend($((65000 + n)));
			accept;
		}
		reject;
	}
	template bgp upstream {
		local as $((65000 + n));
		$BGP_SESSION
	}
	protocol bgp up4 from upstream {
		neighbor 192.0.2.$((125 + 4 * n)) as 65000;
		ipv4 { import none; export filter to_router; };
	}
	protocol bgp up6 from upstream {
		neighbor 2001:db8:$n::1 as 65000;
		ipv6 { import none; export filter to_router; };
	}
	EOF
}

director() {
	local n=$1 d=d$1 i
	ns_add $d
	link router to$d $d up0
	addr router to$d 192.0.2.$((125 + 4 * n))/30 2001:db8:$n::1/64
	addr $d up0 192.0.2.$((126 + 4 * n))/30 2001:db8:$n::2/64
	on $d ip route add default via 192.0.2.$((125 + 4 * n))
	on $d ip -6 route add default via 2001:db8:$n::1
	link $d rs0 lan $d
	ip -n lan link set $d master br0
	addr $d rs0 203.0.113.$n/24 2001:db8:5::$n/64
	addr $d lo $VIP4/32 $VIP6/128 192.0.2.20$n/32 2001:db8:20::$n/128
	on $d ip link add rhi0 type dummy
	on $d ip link set rhi0 up
	addr $d rhi0 192.0.2.20$n/32 2001:db8:20::$n/128
	director_conf $n
	bird_start $d || return 1
	local p peer
	for p in 80 7; do
		fnat $d -A -t $VIP4:$p -s rr &&
			fnat $d -a -t $VIP4:$p -r 203.0.113.11:$p -b &&
			fnat $d -a -t $VIP4:$p -r 203.0.113.12:$p -b &&
			fnat $d -A -t "[$VIP6]:$p" -s rr &&
			fnat $d -a -t "[$VIP6]:$p" -r "[2001:db8:5::11]:$p" -b &&
			fnat $d -a -t "[$VIP6]:$p" -r "[2001:db8:5::12]:$p" -b || return 1
		# Its own LIP; the other directors' as peers, for the connections they sync.
		for ((i = 1; i <= N_DIRS; i++)); do
			peer=
			[ $i -eq $n ] || peer=--peer
			fnat $d -P -t $VIP4:$p -z 192.0.2.20$i $peer &&
				fnat $d -P -t "[$VIP6]:$p" -z 2001:db8:20::$i $peer || return 1
		done
	done
	# Master of its own connections, backup of every other director's (N-way sync
	# over the real servers' LAN).
	fnat $d --start-daemon master --mcast-interface rs0 --syncid $n &&
		fnat $d --start-daemon backup --mcast-interface rs0 || return 1
	on $d "$BUILD/ipvs-fnat-rhi" --interface rhi0 --interval 200 >"$T/$d.rhi.log" 2>&1 &
}

setup() {
	local n i
	head -c 3000000 /dev/urandom >"$T/big"
	SHA_BIG=$(sha256sum <"$T/big" | cut -d' ' -f1)
	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	ns_add client
	ns_add router
	ns_add lan
	router router
	on router sysctl -q -w net.ipv4.fib_multipath_hash_policy=3 net.ipv4.fib_multipath_hash_fields=0x37 \
		net.ipv6.fib_multipath_hash_policy=3 net.ipv6.fib_multipath_hash_fields=0x37
	link client eth0 router cl0
	addr client eth0 198.51.100.2/24 2001:db8:c::2/64
	addr router cl0 198.51.100.1/24 2001:db8:c::1/64
	on client ip route add default via 198.51.100.1
	on client ip -6 route add default via 2001:db8:c::1
	on lan ip link add br0 type bridge mcast_snooping 0
	on lan ip link set br0 up
	link router lan0 lan router
	ip -n lan link set router master br0
	addr router lan0 203.0.113.254/24 2001:db8:5::fe/64
	for i in 1 2; do
		ns_add rs$i
		link rs$i eth0 lan rs$i
		ip -n lan link set rs$i master br0
		addr rs$i eth0 203.0.113.1$i/24 2001:db8:5::1$i/64
		on rs$i ip route add default via 203.0.113.254
		on rs$i ip -6 route add default via 2001:db8:5::fe
		nginx_start rs$i rs$i || return 1
		cp "$T/big" "$T/rs$i/big"
		on rs$i socat TCP6-LISTEN:7,fork,reuseaddr,ipv6only=0 EXEC:cat &
	done
	for i in 1 2; do
		wait_until 10 on rs$i ss -Htln 'sport = :7' || return 1
	done
	router_conf
	bird_start router || return 1
	for ((n = 1; n <= N_DIRS; n++)); do
		director $n || return 1
	done
}

# nexthops PREFIX: how many next hops the router's route to PREFIX has.
nexthops() {
	local ip=ip
	case $1 in *:*) ip="ip -6" ;; esac
	on router $ip route show "$1" | awk '/nexthop/ { m++ } /via/ { v++ } END { print m ? m : (v ? 1 : 0) }'
}
# via PREFIX: the next hop of the router's single-path route to PREFIX.
via() {
	local ip=ip
	case $1 in *:*) ip="ip -6" ;; esac
	on router $ip route show "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == "via") { print $(i + 1); exit } }'
}

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
nexthops_are() { [ "$(nexthops "$1")" = "$2" ]; }
now() { date +%s.%N; }

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
started_on() {	# started_on BEFORE...: the director whose own_new moved past BEFORE
	local n
	for ((n = 1; n <= N_DIRS; n++)); do
		[ "$(own_new d$n)" -gt "${!n}" ] && { echo $n; return 0; }
	done
	return 1
}
# start_each KIND VIP: long connections of KIND (download: a sha256-checked transfer
# of 3 MB at 100 kB/s; session: one echoed line a second), one at a time, until every
# director carries one (the router's hash decides which gets each).
start_each() {
	local kind=$1 vip=$2 tries=0 n d out
	local -a got=()
	while [ ${#got[@]} -lt $N_DIRS ]; do
		[ $tries -ge 30 ] && { fail "$kind: 30 connections did not reach every director"; return 1; }
		local b1 b2 b3
		b1=$(own_new d1) b2=$(own_new d2) b3=$(own_new d3)
		out=$T/$kind.$tries.$(echo "$vip" | tr -d ':[]')
		if [ "$kind" = download ]; then
			on client curl -s -g -m "$(scaled 180)" -o "$out" "http://$vip/slow" &
		else
			on client $TRAFFIC session "$(echo "$vip" | tr -d '[]')" 7 "$(scaled 50)" >"$out" 2>&1 &
		fi
		JOBS+=("$! $kind $out")
		wait_until 10 started_on "$b1" "$b2" "$b3" || { fail "$kind: no director took the connection"; return 1; }
		d=$(started_on "$b1" "$b2" "$b3")
		got[d]=1
		tries=$((tries + 1))
	done
	info "$kind to $vip: $tries connections to reach all $N_DIRS directors"
}

# established D: director D's established connections, as "client vip" lines.
established_set() { fnat "$1" -L -c -n | awk 'NR > 2 && $3 == "ESTABLISHED" { print $4, $5 }' | sort; }
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
	local j pid kind out rc bad=0 total
	on client tcpdump -i eth0 -n -U -w "$T/rst.pcap" \
		"(ip and tcp[tcpflags] & tcp-rst != 0) or (ip6 and ip6[6] == 6 and ip6[53] & 4 != 0)" \
		>/dev/null 2>&1 &
	local rst=$!
	wait_until 5 test -s "$T/rst.pcap"
	start_each download $VIP4 && start_each session $VIP4 || return
	start_each download "[$VIP6]" && start_each session "[$VIP6]" || return
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
	check "the router's BGP sessions to d3 drop" \
		wait_until 10 sh -c "! ip netns exec router birdc -s '$T/router.ctl' show protocols d3v4 | grep -q Established"
	check "the router's route to $VIP4 keeps d1 and d2" wait_until 10 nexthops_are $VIP4 2
	check "and to $VIP6" wait_until 10 nexthops_are $VIP6 2
	check "d3's LIP 192.0.2.203 is routed to a survivor" \
		wait_until 10 sh -c "ip netns exec router ip route show 192.0.2.203 | grep -Eq 'via 192.0.2.13[04]'"
	info "routing converged $(echo "$(now) - $t0" | bc) s after the cut"
	for j in "${JOBS[@]}"; do
		read -r pid kind out <<<"$j"
		rc=0
		wait "$pid" || rc=$?
		if [ "$kind" = download ]; then
			[ $rc -eq 0 ] && [ "$(sha256sum <"$out" | cut -d' ' -f1)" = "$SHA_BIG" ] ||
				{ bad=$((bad + 1)); info "download $out: curl exit $rc, $(stat -c %s "$out" 2>/dev/null) bytes"; }
		else
			[ $rc -eq 0 ] || { bad=$((bad + 1)); info "session $out: $(cat "$out")"; }
		fi
	done
	check_eq "all $total transfers and sessions ended intact (sha256, every line echoed)" 0 $bad
	kill "$rst" 2>/dev/null
	wait "$rst" 2>/dev/null
	check_eq "no RST reached the client" 0 "$(on client tcpdump -n -r "$T/rst.pcap" 2>/dev/null | wc -l)"
	local moved=0 n
	for n in 1 2; do moved=$((moved + $(stat_of d$n sync_moved))); done
	info "survivors: d1 in_pkts $(stat_of d1 in_pkts), d2 $(stat_of d2 in_pkts); sync_moved at d1+d2 $moved"
	out=$(on client $SOCKETS many $VIP4 80 30)
	check "new connections work on the survivors ($out)" test "$(echo "$out" | awk '{ print $2, $4 }')" = "30 0"
}

if setup; then
	test_sessions
	test_spread 4 $VIP4
	test_spread 6 $VIP6
	test_rhi
	test_director_loss
else
	fail "setup: router, three directors with BIRD, real servers"
fi
finish
