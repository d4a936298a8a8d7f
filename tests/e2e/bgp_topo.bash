# shellcheck shell=bash
# The BGP + ECMP topology of docs/scale-out.md, sourced (after tests/e2e/lib.sh) by
# tests/e2e/82-bgp.sh and tests/bench/scaleout.sh; setup builds it. Three directors
# announce the VIPs and their own LIPs over BGP (BIRD 2) to an upstream router, which installs one
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
#   turns into the routes it announces, holds what ipvs-fnat-rhi puts there: the
#   director's own LIPs and the VIPs while their services can serve (route health
#   injection), both only once its sync backup holds the others' connections.
#   The router: BIRD, ECMP ("merge paths"), the kernel's layer-4 multipath hash on
#   the headers (policy 3, fields 0x37).

VIP4=192.0.2.10
VIP6=2001:db8:10::10
N_DIRS=3
SOCKETS="$PY $(dirname "${BASH_SOURCE[0]}")/sockets.py"
T=$E2E_TMP

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

# director N [rejoin]: director dN, its links, BIRD, services, sync and route health
# injection. rejoin: a director coming back, whose sync backup the test starts.
director() {
	local n=$1 d=d$1 mode=${2:-} i
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
	# TIME_WAIT (the FIN timeout) 10 s: the tables stay short between scenarios.
	fnat $d --set 900 10 300 || return 1
	# Master of its own connections, backup of every other director's (N-way sync
	# over the real servers' LAN).
	fnat $d --start-daemon master --mcast-interface rs0 --syncid $n || return 1
	[ "$mode" = rejoin ] || fnat $d --start-daemon backup --mcast-interface rs0 || return 1
	# Its VIPs while they can serve and its own LIPs, both only once its backup holds
	# the other directors' connections.
	on $d "$BUILD/ipvs-fnat-rhi" --interface rhi0 --interval 200 --lips --sync-wait \
		>"$T/$d.rhi.log" 2>&1 &
}

setup() {
	local n i
	head -c 6000000 /dev/urandom >"$T/big"
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

nexthops_are() { [ "$(nexthops "$1")" = "$2" ]; }
now() { date +%s.%N; }
# established D: director D's established connections, as "client vip" lines.
established_set() { fnat "$1" -L -c -n | awk 'NR > 2 && $3 == "ESTABLISHED" { print $4, $5 }' | sort; }
