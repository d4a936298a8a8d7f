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
#
#   Every director: VIP 192.0.2.10, 2001:db8:10::10 and its own LIP 192.0.2.20N,
#   2001:db8:20::N on lo, and the same addresses on the dummy rhi0, whose addresses
#   BIRD's "direct" protocol turns into the routes it announces (route health
#   injection takes them off rhi0). The router: BIRD, ECMP ("merge paths"), the
#   kernel's layer-4 multipath hash on the headers (policy 3, fields 0x37).
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
			direct;
			check link yes;
			hold time 3;
			keepalive time 1;
			connect retry time 1;
			connect delay time 1;
			error wait time 1, 4;
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
	local n=$1
	cat >"$T/d$n.conf" <<-EOF
	router id 192.0.2.$((126 + 4 * n));
	protocol device { scan time 2; }
	protocol direct rhi { ipv4; ipv6; interface "rhi0"; }
	template bgp upstream {
		local as $((65000 + n));
		direct;
		check link yes;
		hold time 3;
		keepalive time 1;
		connect retry time 1;
		connect delay time 1;
		error wait time 1, 4;
	}
	protocol bgp up4 from upstream {
		neighbor 192.0.2.$((125 + 4 * n)) as 65000;
		ipv4 { import none; export where proto = "rhi"; };
	}
	protocol bgp up6 from upstream {
		neighbor 2001:db8:$n::1 as 65000;
		ipv6 { import none; export where proto = "rhi"; };
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
	addr $d rhi0 $VIP4/32 $VIP6/128 192.0.2.20$n/32 2001:db8:20::$n/128
	director_conf $n
	bird_start $d || return 1
	fnat $d -A -t $VIP4:80 -s rr &&
		fnat $d -a -t $VIP4:80 -r 203.0.113.11:80 -b &&
		fnat $d -a -t $VIP4:80 -r 203.0.113.12:80 -b &&
		fnat $d -A -t "[$VIP6]:80" -s rr &&
		fnat $d -a -t "[$VIP6]:80" -r "[2001:db8:5::11]:80" -b &&
		fnat $d -a -t "[$VIP6]:80" -r "[2001:db8:5::12]:80" -b || return 1
	# Its own LIP; the other directors' as peers, for the connections they sync.
	for ((i = 1; i <= N_DIRS; i++)); do
		local peer=
		[ $i -eq $n ] || peer=--peer
		fnat $d -P -t $VIP4:80 -z 192.0.2.20$i $peer &&
			fnat $d -P -t "[$VIP6]:80" -z 2001:db8:20::$i $peer || return 1
	done
}

setup() {
	local n i
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
	on lan ip link add br0 type bridge
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
	for ((n = 1; n <= N_DIRS; n++)); do before[n]=$(stat_of d$n conn_new); done
	out=$(on client $SOCKETS many "$vip" 80 $CONNS)
	check "IPv$fam: $CONNS new connections to the VIP, all answered ($out)" \
		test "$(echo "$out" | awk '{ print $2, $4 }')" = "$CONNS 0"
	for ((n = 1; n <= N_DIRS; n++)); do
		share=$(($(stat_of d$n conn_new) - before[n]))
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

if setup; then
	test_sessions
	test_spread 4 $VIP4
	test_spread 6 $VIP6
else
	fail "setup: router, three directors with BIRD, real servers"
fi
finish
