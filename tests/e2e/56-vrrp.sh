#!/usr/bin/env bash
# Two FULLNAT directors, one active, with Debian's stock keepalived (VRRP only, unicast
# adverts): the VIPs and the LIPs are both keepalived virtual_ipaddress entries, so both
# move to the backup together when the master dies (docs/ha.md). Both directors hold
# the same FULLNAT services all the time, LIP included, configured before either
# address exists on them.
#
#            client 198.51.100.2, 2001:db8:c::2
#              │   routes: 192.0.2.10/32, 2001:db8:10::10/128 on-link (ARP/ND finds
#              │   the master; gratuitous ARP / unsolicited NA moves the entry)
#   ┌──────── cside bridge ─────────┐   client side 198.51.100.0/24, 2001:db8:c::/64
#   cli0 .11, ::11                  cli0 .12, ::12
#   d1 (priority 150)               d2 (priority 100)
#   rs0 203.0.113.1, 2001:db8:5::1  rs0 203.0.113.2, 2001:db8:5::2
#   └────────── lan bridge ─────────┘   real-server side 203.0.113.0/24, 2001:db8:5::/64
#        rs1 203.0.113.11, ::11    rs2 203.0.113.12, ::12   (nginx; no toa, no routes)
#
#   keepalived (vrrp_instance only, on rs0, unicast_src_ip/unicast_peer, advert_int 1)
#   on the master: VIP 192.0.2.10/32 on cli0, LIP 203.0.113.100/24 on rs0
#                  (virtual_ipaddress); VIP 2001:db8:10::10/128 on cli0, LIP
#                  2001:db8:5::100/64 on rs0 (virtual_ipaddress_excluded: an IPv4
#                  instance's own list takes IPv4 only)
#   FULLNAT on both: TCP 192.0.2.10:80 and [2001:db8:10::10]:80 -> rs1, rs2, rr,
#                  LIP 203.0.113.100 / 2001:db8:5::100 (-P -t VIP:80 -z LIP)
#
# Then d1 dies: keepalived is killed with SIGKILL (no priority-0 advert, no address
# removal) and both of its links go down. d2 takes VIPs and LIPs after the master-down
# interval (3 x advert_int + skew, about 3.6 s) and announces them; new connections
# succeed through d2. Connections open at the failover are lost (no connection sync
# yet): they are not tested here.
. "$(dirname "$0")/lib.sh"

VIP=192.0.2.10
VIP6=2001:db8:10::10
LIP=203.0.113.100
LIP6=2001:db8:5::100
RECOVERY_BOUND_MS=$((15000 * ${E2E_TIME_FACTOR:-1}))

fnat() {
	local ns=$1
	shift
	on "$ns" "$FNAT_TOOL" "$@"
}
stat_of() { on "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/ip_vs_fnat_stats; }

# owns NS DEV ADDR: ADDR (without prefix) is configured on NS's DEV.
owns() { ip -n "$1" -o addr show dev "$2" | grep -qF " $3/"; }
owns_all() { owns "$1" cli0 $VIP && owns "$1" rs0 $LIP && owns "$1" cli0 $VIP6 && owns "$1" rs0 $LIP6; }
owns_none() { ! owns "$1" cli0 $VIP && ! owns "$1" rs0 $LIP && ! owns "$1" cli0 $VIP6 && ! owns "$1" rs0 $LIP6; }
# addrs NS: the VIPs and LIPs NS holds, for messages.
addrs() {
	ip -n "$1" -o addr show | awk '{ print $4 }' |
		grep -E "^($VIP|$LIP|$VIP6|$LIP6)/" | paste -sd' '
}

bridge() {
	ns_add "$1"
	on "$1" ip link add br0 type bridge mcast_snooping 0
	on "$1" ip link set br0 up
}

# director NAME N: dN on both bridges, with the FULLNAT services (no VIP/LIP yet).
director() {
	local d=$1 n=$2
	ns_add "$d"
	link "$d" cli0 cside "$d"
	ip -n cside link set "$d" master br0
	addr "$d" cli0 "198.51.100.1$n/24" "2001:db8:c::1$n/64"
	link "$d" rs0 lan "$d"
	ip -n lan link set "$d" master br0
	addr "$d" rs0 "203.0.113.$n/24" "2001:db8:5::$n/64"
	fnat "$d" -A -t $VIP:80 -s rr &&
		fnat "$d" -a -t $VIP:80 -r 203.0.113.11:80 -b &&
		fnat "$d" -a -t $VIP:80 -r 203.0.113.12:80 -b &&
		fnat "$d" -P -t $VIP:80 -z $LIP &&
		fnat "$d" -A -t "[$VIP6]:80" -s rr &&
		fnat "$d" -a -t "[$VIP6]:80" -r '[2001:db8:5::11]:80' -b &&
		fnat "$d" -a -t "[$VIP6]:80" -r '[2001:db8:5::12]:80' -b &&
		fnat "$d" -P -t "[$VIP6]:80" -z $LIP6
}

# keepalived_conf N PRIORITY PEER: director dN's keepalived.conf.
keepalived_conf() {
	cat <<EOF
global_defs {
    router_id fnat-d$1
}

vrrp_instance fnat {
    state BACKUP
    interface rs0
    virtual_router_id 51
    priority $2
    advert_int 1
    unicast_src_ip 203.0.113.$1
    unicast_peer {
        203.0.113.$3
    }
    virtual_ipaddress {
        $VIP/32 dev cli0
        $LIP/24 dev rs0
    }
    virtual_ipaddress_excluded {
        $VIP6/128 dev cli0
        $LIP6/64 dev rs0
    }
}
EOF
}

# keepalived_start N PRIORITY PEER: keepalived's VRRP process in dN, not forking, in
# the background, its pid files and log in $E2E_TMP/dN.
keepalived_start() {
	local dir=$E2E_TMP/d$1
	mkdir -p "$dir"
	keepalived_conf "$@" >"$dir/keepalived.conf"
	ip netns exec "d$1" keepalived --vrrp --dont-fork --log-console --log-detail --no-syslog \
		--use-file="$dir/keepalived.conf" --pid="$dir/keepalived.pid" \
		--vrrp_pid="$dir/vrrp.pid" >"$dir/keepalived.log" 2>&1 &
	# Not a job of this shell: its SIGKILL is the test, not news. The cleanup kills
	# what is left in the namespace.
	disown $!
}

setup() {
	local i
	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	bridge cside
	bridge lan
	ns_add client
	link client eth0 cside client
	ip -n cside link set client master br0
	addr client eth0 198.51.100.2/24 2001:db8:c::2/64
	on client ip route add $VIP/32 dev eth0
	on client ip -6 route add $VIP6/128 dev eth0
	for i in 1 2; do
		ns_add "rs$i"
		link "rs$i" eth0 lan "rs$i"
		ip -n lan link set "rs$i" master br0
		addr "rs$i" eth0 "203.0.113.1$i/24" "2001:db8:5::1$i/64"
	done
	director d1 1 && director d2 2 || return 1
	nginx_start rs1 rs1 && nginx_start rs2 rs2 || return 1
	keepalived_start 1 150 2
	keepalived_start 2 100 1
}

# answers URL N: N requests (a new connection each), the sorted answer counts,
# "COUNT rsN PEER" joined with |.
answers() {
	local i out=""
	for ((i = 0; i < $2; i++)); do
		out+="$(on client curl -s -m 5 "$1")"$'\n'
	done
	echo "$out" | grep -v '^$' | sort | uniq -c | sed 's/^ *//' | paste -sd'|'
}

test_master() {
	check "the backup's FULLNAT configuration equals the master's (LIP included, before either owns it)" \
		test "$(fnat d1 -S -n)" = "$(fnat d2 -S -n)"
	check "d1 (priority 150) becomes master: both VIPs and both LIPs on it" \
		wait_until 30 owns_all d1
	check "d2 (priority 100) stays backup: no VIP, no LIP" wait_until 10 owns_none d2
	info "d1: $(addrs d1); d2: $(addrs d2)"
	check "d2's keepalived logged its BACKUP state" \
		grep -q 'Entering BACKUP STATE' "$E2E_TMP/d2/keepalived.log"
}

test_through_master() {
	check_eq "IPv4: 4 requests through the VIP on d1, 2 by each server, each seeing the LIP" \
		"2 rs1 $LIP|2 rs2 $LIP" "$(answers http://$VIP/ 4)"
	check "rs1's access log: HTTP 200 from the LIP" \
		grep -q "^$LIP GET / HTTP/1.1 200" "$E2E_TMP/rs1/access.log"
	check_eq "IPv6: 4 requests through the VIP on d1, 2 by each server, each seeing the LIP" \
		"2 rs1 $LIP6|2 rs2 $LIP6" "$(answers "http://[$VIP6]/" 4)"
	check_eq "d1 made the 8 connections, d2 none (conn_new)" "8 0" \
		"$(stat_of d1 conn_new) $(stat_of d2 conn_new)"
}

# first_success URL: poll with new connections until one gets an answer.
first_success() {
	on client curl -s -o /dev/null -f --connect-timeout 0.5 -m 2 "$1"
}

test_failover() {
	local t0 t1 ms before
	before=$(stat_of d2 conn_new)
	t0=$(date +%s%3N)
	# The VRRP child first: killed after its parent, it would be sent SIGTERM by the
	# kernel (keepalived's parent-death signal) and leave gracefully.
	kill -9 "$(cat "$E2E_TMP/d1/vrrp.pid")" "$(cat "$E2E_TMP/d1/keepalived.pid")"
	ip -n d1 link set cli0 down
	ip -n d1 link set rs0 down
	if wait_until 30 first_success "http://$VIP/"; then
		t1=$(date +%s%3N)
		ms=$((t1 - t0))
		info "recovery $ms ms (SIGKILL of d1's keepalived to the first answered request through d2)"
		check "after d1's death a new connection through the VIP is answered within $((RECOVERY_BOUND_MS / 1000)) s ($ms ms)" \
			test "$ms" -lt "$RECOVERY_BOUND_MS"
	else
		fail "no request through the VIP was answered after d1's death"
	fi
	check "d2 owns both VIPs and both LIPs" wait_until 10 owns_all d2
	info "d2: $(addrs d2)"
	check "d2's keepalived logged its MASTER state" \
		grep -q 'Entering MASTER STATE' "$E2E_TMP/d2/keepalived.log"
	check_eq "IPv4: 10 new connections through d2, 5 by each server, each seeing the LIP" \
		"5 rs1 $LIP|5 rs2 $LIP" "$(answers http://$VIP/ 10)"
	check "IPv6: a new connection through d2 is answered" \
		wait_until 15 on client curl -s -o /dev/null -f --connect-timeout 0.5 -m 2 "http://[$VIP6]/"
	check_eq "IPv6: 4 more new connections through d2, 2 by each server, each seeing the LIP" \
		"2 rs1 $LIP6|2 rs2 $LIP6" "$(answers "http://[$VIP6]/" 4)"
	check "d2 made these connections (conn_new $before -> $(stat_of d2 conn_new))" \
		test "$(stat_of d2 conn_new)" -ge "$((before + 15))"
}

if setup; then
	test_master
	test_through_master
	test_failover
else
	fail "setup: bridges, directors, services, nginx, keepalived"
fi
for d in d1 d2; do
	[ -s "$E2E_TMP/$d/keepalived.log" ] && [ "$E2E_FAILED" -gt 0 ] &&
		sed "s/^/     | $d: /" "$E2E_TMP/$d/keepalived.log" | tail -n 30
done
finish
