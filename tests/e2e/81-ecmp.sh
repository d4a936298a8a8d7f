#!/usr/bin/env bash
# Scale-out with ECMP (docs/scale-out.md): two directors hold the same VIP, a router
# spreads the clients' connections over both with a layer-4 multipath hash, and each
# director owns its own LIP, which the real servers route back to it, so every reply
# comes back to the director that holds the connection.
#
#   c1 198.51.100.2,.3 ┐              192.0.2.130 ┌ d1  VIP 192.0.2.10 (lo)  rs0 203.0.113.1 ┐
#   c2 198.51.100.4,.5 ├─ br0 ─ router ───────────┤     LIP 192.0.2.201 (lo)                 ├ lan ─ rs1 203.0.113.11
#   c3 198.51.100.6,.7 ┘  198.51.100.1 \          └                                          │       rs2 203.0.113.12
#                                        \ 192.0.2.134 ─ d2  VIP 192.0.2.10 (lo)  rs0 203.0.113.2 ┘   (toa, nginx)
#                                                          LIP 192.0.2.202 (lo)
#   router: 192.0.2.10/32 nexthop via 192.0.2.130 nexthop via 192.0.2.134,
#           net.ipv4.fib_multipath_hash_policy=1 (source/destination address and port)
#   rs1, rs2: 192.0.2.201 via 203.0.113.1, 192.0.2.202 via 203.0.113.2; no route to
#           the clients. Directors: no ip_forward (FULLNAT sends what it translates).
. "$(dirname "$0")/lib.sh"

CLIENTS="c1 c2 c3"
PER_ADDR=12     # connections per client address: 3 clients x 2 addresses x 12 = 72

director() {
	local d=$1 n=$2 lip=$3
	ns_add "$d"
	link router "to$d" "$d" up0
	addr router "to$d" "192.0.2.$((125 + 4 * n))/30"
	addr "$d" up0 "192.0.2.$((126 + 4 * n))/30"
	on "$d" ip route add 198.51.100.0/24 via "192.0.2.$((125 + 4 * n))"
	addr "$d" lo 192.0.2.10/32 "$lip/32"
	link "$d" rs0 lan "$d"
	ip -n lan link set "$d" master br0
	addr "$d" rs0 "203.0.113.$n/24"
}

setup() {
	local i c n
	ns_add router
	ns_add lan
	router router
	on router sysctl -q -w net.ipv4.fib_multipath_hash_policy=1
	on router ip link add br0 type bridge
	on router ip link set br0 up
	addr router br0 198.51.100.1/24
	n=2
	for c in $CLIENTS; do
		ns_add "$c"
		link "$c" eth0 router "$c"
		ip -n router link set "$c" master br0
		addr "$c" eth0 "198.51.100.$n/24" "198.51.100.$((n + 1))/24"
		on "$c" ip route add default via 198.51.100.1
		n=$((n + 2))
	done
	on lan ip link add br0 type bridge
	on lan ip link set br0 up
	director d1 1 192.0.2.201
	director d2 2 192.0.2.202
	on router ip route add 192.0.2.10/32 nexthop via 192.0.2.130 nexthop via 192.0.2.134
	for i in 1 2; do
		ns_add "rs$i"
		link "rs$i" eth0 lan "rs$i"
		ip -n lan link set "rs$i" master br0
		addr "rs$i" eth0 "203.0.113.1$i/24"
		on "rs$i" ip route add 192.0.2.201/32 via 203.0.113.1
		on "rs$i" ip route add 192.0.2.202/32 via 203.0.113.2
	done

	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	insmod "$BUILD/toa.ko" trusted=192.0.2.201/32,192.0.2.202/32 || return 1
	at_exit "rmmod toa"
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1

	# The same service on both directors, each with its own LIP.
	for i in 1 2; do
		on "d$i" "$FNAT_TOOL" -A -t 192.0.2.10:80 -s rr &&
			on "d$i" "$FNAT_TOOL" -a -t 192.0.2.10:80 -r 203.0.113.11:80 -b &&
			on "d$i" "$FNAT_TOOL" -a -t 192.0.2.10:80 -r 203.0.113.12:80 -b &&
			on "d$i" "$FNAT_TOOL" -P -t 192.0.2.10:80 -z "192.0.2.20$i" || return 1
	done
}

stat_of() { on "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }

# Each client address opens PER_ADDR connections one after another (new source port
# each time); the clients run in parallel. Every answer is "rsN <peer it saw>".
test_spread() {
	local c a n out=$E2E_TMP/answers total answered wrong d1 d2 c1n c2n
	: >"$out"
	n=2
	for c in $CLIENTS; do
		for a in "198.51.100.$n" "198.51.100.$((n + 1))"; do
			(
				for _ in $(seq $PER_ADDR); do
					r=$(on "$c" curl -s -m 10 --interface "$a" http://192.0.2.10/) &&
						echo "$a $r" >>"$out.$a"
				done
			) &
		done
		n=$((n + 2))
	done
	wait
	cat "$out".* >"$out"
	total=$((3 * 2 * PER_ADDR))
	answered=$(wc -l <"$out")
	check_eq "all $total connections from 6 client addresses completed" "$total" "$answered"
	# The peer each server saw is the address the client sent from.
	wrong=$(awk '$3 != $1' "$out" | wc -l)
	check_eq "every real server saw the client's own address (toa trusted = both LIPs)" 0 "$wrong"
	d1=$(stat_of d1 conn_new)
	d2=$(stat_of d2 conn_new)
	info "connections: d1 ${d1:-?}, d2 ${d2:-?}"
	check "both directors carried connections (d1 ${d1:-?}, d2 ${d2:-?})" \
		test "${d1:-0}" -gt 0 -a "${d2:-0}" -gt 0
	check_eq "the directors' new connections add up to the $total requests" "$total" \
		"$((${d1:-0} + ${d2:-0}))"
	c1n=$(on d1 "$FNAT_TOOL" -L -n --stats --exact -t 192.0.2.10:80 | awk '$1 == "TCP" { print $3 }')
	c2n=$(on d2 "$FNAT_TOOL" -L -n --stats --exact -t 192.0.2.10:80 | awk '$1 == "TCP" { print $3 }')
	check_eq "ipvsadm-fnat -L --stats in each director agrees (d1 $c1n, d2 $c2n)" "${d1:-0} ${d2:-0}" \
		"$c1n $c2n"
	check_eq "no connection was dropped for lack of state (a reply at the wrong director)" "0 0" \
		"$(stat_of d1 no_conn_drop) $(stat_of d2 no_conn_drop)"
	check "the access logs list every client address and no LIP" bash -c '
		logs="$1/rs1/access.log $1/rs2/access.log"
		for a in 198.51.100.2 198.51.100.3 198.51.100.4 198.51.100.5 198.51.100.6 198.51.100.7; do
			grep -q "^$a GET / HTTP/1.1 200" $logs || { echo "no line for $a"; exit 1; }
		done
		! grep -E "^192\.0\.2\.20[12] " $logs' _ "$E2E_TMP"
	check_eq "the access logs hold exactly the $total requests" "$total" \
		"$(cat "$E2E_TMP/rs1/access.log" "$E2E_TMP/rs2/access.log" | wc -l)"
}

if setup; then
	test_spread
else
	fail "setup: router, two directors, real servers, modules, nginx, services"
fi
finish
