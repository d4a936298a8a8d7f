# shellcheck shell=bash
# Helpers for the end-to-end tests. Sourced by every tests/e2e/NN-*.sh; they run as
# root inside the test guest (scripts/vm-run), in the repository's directory.
#
# - Namespaces made with ns_add are deleted by the cleanup trap, together with every
#   process still running in them and every command registered with at_exit.
# - Results: pass/fail print one line per stage and append it to $E2E_RESULTS (set by
#   tests/e2e/run.sh) so the host can count them; the script's exit status is
#   non-zero if any stage failed.
# - Waits poll (wait_until) instead of sleeping a fixed time.
# - Test addresses come only from 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
#   2001:db8::/32.

set -u
E2E_NAME=${E2E_NAME:-$(basename "${0%.sh}")}
E2E_FAILED=0
E2E_PASSED=0
E2E_NS=()
E2E_EXIT_CMDS=()
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILD=$TOP/build
FNAT_TOOL=$BUILD/ipvsadm-fnat
TOOLBIN=$BUILD/cmake/bin      # test tools built from tests/tools/*
PY=/usr/bin/python3   # Debian's python, the one python3-scapy is installed for

_record() {
	local line="$1 $E2E_NAME: $2"
	echo "$line"
	[ -n "${E2E_RESULTS:-}" ] && echo "$line" >>"$E2E_RESULTS"
	return 0
}
pass() { E2E_PASSED=$((E2E_PASSED + 1)); _record PASS "$*"; }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); _record FAIL "$*"; }
info() { echo "  .. $*"; }

# check "what a user would check" CMD [ARGS...]: one stage, passing if CMD succeeds.
check() {
	local what=$1
	shift
	local out
	if out=$("$@" 2>&1); then
		pass "$what"
	else
		fail "$what"
		[ -n "$out" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/     | /'
	fi
}

# check_fails "what" CMD...: one stage, passing if CMD fails.
check_fails() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then fail "$what"; else pass "$what"; fi
}

# check_eq "what" EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		printf '     | expected: %s\n     | actual:   %s\n' "$2" "$3"
	fi
}

# wait_until TIMEOUT_S CMD...: poll CMD every 0.1 s until it succeeds; fails on timeout.
# E2E_TIME_FACTOR (an integer, default 1) stretches every such wait: make test-debug
# sets it for the debug kernel, several times slower under emulation.
wait_until() {
	local limit=$(($1 * ${E2E_TIME_FACTOR:-1}))
	shift
	local deadline=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

# slab_active NAME: objects of slab cache NAME in use (0 if there is no such cache). The
# cache is shrunk first: under KASAN a freed object waits in a quarantine, still counted
# as in use, and shrinking a cache takes its objects out of that quarantine.
slab_active() {
	[ -w "/sys/kernel/slab/$1/shrink" ] && echo 1 >"/sys/kernel/slab/$1/shrink" 2>/dev/null
	awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' /proc/slabinfo
}

# slab_active_is NAME N: for wait_until, as objects are freed an RCU grace period late.
slab_active_is() { [ "$(slab_active "$1")" = "$2" ]; }

# scaled SECONDS: SECONDS stretched by E2E_TIME_FACTOR, for a fixed lifetime a test gives
# a process (a connection held open while checks run) rather than a wait.
scaled() { echo $(($1 * ${E2E_TIME_FACTOR:-1})); }

# at_exit CMD: run CMD (a string, evaluated) from the cleanup trap, last registered first.
at_exit() { E2E_EXIT_CMDS+=("$1"); }

cleanup() {
	local i ns
	# This script's own background jobs first, quietly (bash reports killed jobs).
	{
		jobs -p | xargs -r kill -9
		wait
	} 2>/dev/null
	for ((i = ${#E2E_EXIT_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${E2E_EXIT_CMDS[$i]}" >/dev/null 2>&1 || true
	done
	for ns in "${E2E_NS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	E2E_NS=()
	E2E_EXIT_CMDS=()
}

finish() {
	cleanup
	echo "== $E2E_NAME: $E2E_PASSED passed, $E2E_FAILED failed"
	[ "$E2E_FAILED" -eq 0 ]
	exit
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# --- namespaces and links ------------------------------------------------------------

# ns_add NAME: a network namespace with loopback up, removed at exit.
ns_add() {
	ip netns add "$1"
	E2E_NS+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# on NS CMD...: run CMD inside namespace NS.
on() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# link NS_A IF_A NS_B IF_B: a veth pair between two namespaces, both ends up.
link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# addr NS IF ADDR/PREFIX...: add addresses (v4 or v6) to an interface; v6 without DAD.
addr() {
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case "$a" in
		*:*) ip -n "$ns" addr add "$a" dev "$dev" nodad ;;
		*) ip -n "$ns" addr add "$a" dev "$dev" ;;
		esac
	done
}

# router NS: forward IPv4 and IPv6 in NS.
router() {
	on "$1" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# The standard FULLNAT topology, used by most tests:
#
#   client ----------- director ----------- rs1 / rs2 (on one bridge in "lan")
#   198.51.100.2/24    198.51.100.1 (cli)    203.0.113.11 rs1, 203.0.113.12 rs2
#   2001:db8:c::2/64   2001:db8:c::1         2001:db8:5::11 rs1, 2001:db8:5::12 rs2
#                      VIP 192.0.2.10, 2001:db8:10::10 (on lo)
#                      203.0.113.1, 2001:db8:5::1 (rs side)
#                      LIPs 203.0.113.100-103, 2001:db8:5::100-103 (rs side)
#
# The real servers have no route to the clients' network: a reply can only reach the
# client if the director rewrote it to a LIP. Baselines that route or NAT without
# FULLNAT add that route themselves (rs_route_via_director).
topo_standard() {
	ns_add client
	ns_add director
	ns_add lan
	ns_add rs1
	ns_add rs2
	link client eth0 director cli0
	addr client eth0 198.51.100.2/24 2001:db8:c::2/64
	addr director cli0 198.51.100.1/24 2001:db8:c::1/64
	on client ip route add default via 198.51.100.1
	on client ip -6 route add default via 2001:db8:c::1

	on lan ip link add br0 type bridge
	on lan ip link set br0 up
	link director rs0 lan d0
	ip -n lan link set d0 master br0
	addr director rs0 203.0.113.1/24 2001:db8:5::1/64
	local i
	for i in 1 2; do
		link "rs$i" eth0 lan "rs$i"
		ip -n lan link set "rs$i" master br0
		addr "rs$i" eth0 "203.0.113.1$i/24" "2001:db8:5::1$i/64"
	done
	addr director lo 192.0.2.10/32 2001:db8:10::10/128
	router director
}

# rs_route_via_director: let the real servers reach the client network through the
# director (plain routing and IPVS NAT baselines; FULLNAT needs no such route).
rs_route_via_director() {
	local i
	for i in 1 2; do
		on "rs$i" ip route add 198.51.100.0/24 via 203.0.113.1
		on "rs$i" ip -6 route add 2001:db8:c::/64 via 2001:db8:5::1
	done
}

# nginx_start NS NAME: nginx in namespace NS listening on port 80 (IPv4 and IPv6),
# answering every request with "NAME <the peer address it sees>" (and $E2E_TMP/NAME/big
# as /big, and as /slow at 100 kB/s, for transfers that last), its access log at
# $E2E_TMP/NAME/access.log as "<peer address> <request> <status>". Stopped at exit.
E2E_TMP=${E2E_TMP:-$(mktemp -d /tmp/e2e.XXXXXX)}
nginx_start() {
	local ns=$1 name=$2 dir=$E2E_TMP/$2
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<NGINX
user root;
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
	log_format peer '\$remote_addr \$request \$status';
	access_log $dir/access.log peer;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	keepalive_timeout 5;
	server {
		listen 80 reuseport;
		listen [::]:80 ipv6only=on reuseport;
		location / { return 200 "$name \$remote_addr\n"; }
		location /big { alias $dir/big; }
		location /slow { alias $dir/big; limit_rate 100k; }
	}
}
NGINX
	on "$ns" nginx -c "$dir/nginx.conf" -p "$dir" || return 1
	at_exit "kill \$(cat $dir/nginx.pid) 2>/dev/null"
	wait_until 10 on "$ns" ss -Htln 'sport = :80'
}
