# shellcheck shell=bash
# Helpers shared by the toa.ko end-to-end tests (tests/e2e/3x-toa*.sh), sourced after
# lib.sh. Not a test itself (run.sh only runs [0-9]*.sh).
#
# The topology, the same for all of them:
#
#   toalb: the load balancer                       toars: the real server
#   (toa_inject.py, toa_flood)                     (toa.ko, toa_server, nginx)
#   eth0 203.0.113.100/24  2001:db8:5::100/64 ---- eth0 203.0.113.11/24  2001:db8:5::11/64
#        203.0.113.200/24  2001:db8:5::200/64      (one veth pair, no router)
#        (.200/::200: a source left out of `trusted`)
#
# toalb's kernel knows nothing of the connections its injectors make: nftables drops the
# RSTs it would answer with, except those marked TOA_MARK (toa_flood's raw socket).
# toa_inject.py sends from an AF_PACKET socket, which nftables' output hook never sees.
# The clients named in the TOAs, 198.51.100.0/24 and 2001:db8:c::/64, are never on the
# wire.

TOA_KO=$BUILD/toa.ko
TOA_PARAMS=/sys/module/toa/parameters
TOA_INJECT=$TOP/tests/e2e/toa_inject.py
TOA_SERVER=$TOOLBIN/toa_server
TOA_FLOOD=$TOOLBIN/toa_flood
TOA_MARK=0x70a
TOA_COUNTERS="syn_recv_sock_toa syn_recv_sock_no_toa untrusted malformed no_child entries_alloc
	entries_alloc_failed entries_free entries_stale getname_toa_ok getname_toa_mismatch
	getname_toa_bypass getname_toa_empty getsockopt_toa_ok getsockopt_toa_empty probe_missed"
TOA_TMP=$(mktemp -d)
at_exit "rm -rf '$TOA_TMP'"
at_exit "rmmod toa"

toa_topology() {
	ns_add toalb
	ns_add toars
	link toalb eth0 toars eth0
	addr toalb eth0 203.0.113.100/24 203.0.113.200/24 2001:db8:5::100/64 2001:db8:5::200/64
	addr toars eth0 203.0.113.11/24 2001:db8:5::11/64
	on toalb nft -f - <<-EOF
		table inet toa_lb {
			chain out {
				type filter hook output priority 0;
				tcp flags & rst == rst meta mark != $TOA_MARK drop
			}
		}
	EOF
}

# --- counters ----------------------------------------------------------------------

# toa_stat NAME: a counter from /proc/net/toa_stats, as the real server sees it
toa_stat() { on toars awk -v k="$1" '$1 == k { print $2 }' /proc/net/toa_stats; }

declare -A TOA_SNAP
snap() {
	local k v
	TOA_SNAP=()
	while read -r k v; do TOA_SNAP[$k]=$v; done < <(on toars cat /proc/net/toa_stats)
}

# check_deltas "what" counter=N...: each counter moved by exactly N since snap.
check_deltas() {
	local what=$1 kv k want got bad=""
	shift
	for kv in "$@"; do
		k=${kv%%=*} want=${kv#*=}
		got=$(($(toa_stat "$k") - ${TOA_SNAP[$k]:-0}))
		[ "$got" = "$want" ] || bad+=" $k=$got(expected $want)"
	done
	if [ -z "$bad" ]; then pass "$what"; else
		fail "$what"
		echo "     |$bad"
	fi
}

entries_balanced() { [ "$(toa_stat entries_alloc)" = "$(toa_stat entries_free)" ]; }

# A TcpExt counter of toars's namespace (/proc/net/netstat).
tcpext() {
	on toars awk -v k="$1" '$1 == "TcpExt:" {
		if (!h) { for (i = 2; i <= NF; i++) n[i] = $i; h = 1 }
		else for (i = 2; i <= NF; i++) if (n[i] == k) print $i }' /proc/net/netstat
}

# --- the test server -----------------------------------------------------------------

listening() { on toars ss -Htln "sport = :$1" | grep -q .; }

# serve NAME ADDR PORT N [ARGS...]: toa_server for N connections, report in
# $TOA_TMP/NAME.out, one line per connection
serve() {
	local name=$1 addr=$2 port=$3 n=$4
	shift 4
	ip netns exec toars "$TOA_SERVER" --listen "$addr" --port "$port" --max "$n" "$@" \
		>"$TOA_TMP/$name.out" 2>"$TOA_TMP/$name.err" &
	wait_until 30 listening "$port" || fail "toa_server $name listens on $addr port $port"
}

served() { [ "$(wc -l <"$TOA_TMP/$1.out")" -ge "$2" ]; }

# field NAME LINE KEY: KEY's value on line LINE of server NAME's report
field() { sed -n "${2}p" "$TOA_TMP/$1.out" | tr ' ' '\n' | sed -n "s/^$3=//p"; }

# peer_is "what" NAME LINE ADDR: accept(), getpeername() and SO_PEERNAME all say ADDR
peer_is() {
	local what=$1 name=$2 n=$3 want=$4
	check_eq "$what: accept()" "$want" "$(field "$name" "$n" accept)"
	check_eq "$what: getpeername()" "$want" "$(field "$name" "$n" getpeername)"
	check_eq "$what: SO_PEERNAME" "$want" "$(field "$name" "$n" so_peername)"
}

# lb_peer "what" NAME LINE LB: the load balancer's own address (any port, in brackets or
# not) from accept(), getpeername() and SO_PEERNAME
lb_peer() {
	local what=$1 name=$2 n=$3 lb=$4 k v bad="" re
	re="^(${lb//./\\.}|\\[${lb//./\\.}\\]):[0-9]+$"
	for k in accept getpeername so_peername; do
		v=$(field "$name" "$n" $k)
		[[ $v =~ $re ]] || bad+=" $k=$v"
	done
	if [ -z "$bad" ]; then pass "$what"; else
		fail "$what"
		echo "     | expected $lb:PORT, got$bad"
	fi
}

# --- the injector --------------------------------------------------------------------

# The injector runs once per test, as a coprocess reading one connection per line:
# loading scapy takes long under emulation.
start_injector() {
	local line
	coproc TOA_INJ { ip netns exec toalb "$PY" -u "$TOA_INJECT" --stdin 2>"$TOA_TMP/inject.err"; }
	if read -r -t 300 line <&"${TOA_INJ[0]}" && [ "$line" = ready ]; then
		pass "the TOA injector runs"
	else
		fail "the TOA injector runs"
		sed 's/^/     | /' "$TOA_TMP/inject.err"
	fi
}

# inject [--src A] [--dst A] [--dport P] [--http HOST] CONN...: one handshake per CONN
# (see toa_inject.py); true if all of them went through. The injector's answers are
# appended to $TOA_TMP/inject.out.
inject() {
	local pre="" spec line rc=0
	while [ $# -gt 0 ]; do
		case $1 in
		--src | --dst | --dport | --http) pre+=" ${1#--}=$2"; shift 2 ;;
		*) break ;;
		esac
	done
	for spec in "$@"; do
		echo "$pre $spec" >&"${TOA_INJ[1]}" || return 1
		if ! read -r -t 120 line <&"${TOA_INJ[0]}"; then
			echo "     | inject: no answer for '$spec'"
			return 1
		fi
		echo "$line" >>"$TOA_TMP/inject.out"
		case $line in
		"conn "*" ok "*) ;;
		*) echo "     | inject: $spec: $line"; rc=1 ;;
		esac
	done
	return $rc
}

# --- the accept load ----------------------------------------------------------------

# toa_load_start: toa_server --load (accept + getpeername, two threads each) on an
# AF_INET listener at 8100 and an [::] listener at 8101 (IPv4 clients through
# tcp_v6_syn_recv_sock), and a toa_flood per port keeping 8 connections with TOAs in
# flight. Their summaries land in $TOA_TMP/server$PORT.out and flood$PORT.out when
# toa_load_stop ends them.
TOA_LOAD_PIDS=()
toa_load_start() {
	local port addr
	for port in 8100 8101; do
		addr=203.0.113.11
		[ $port = 8101 ] && addr=::
		ip netns exec toars "$TOA_SERVER" --listen $addr --port $port --load --threads 2 \
			--client-prefix 198.51.100. --lb 203.0.113.100 \
			>"$TOA_TMP/server$port.out" 2>"$TOA_TMP/server$port.err" &
		TOA_LOAD_PIDS+=($!)
		wait_until 30 listening $port || fail "the load server listens on port $port"
	done
	for port in 8100 8101; do
		ip netns exec toalb "$TOA_FLOOD" --src 203.0.113.100 --dst 203.0.113.11 --port $port \
			--window 8 --duration 3600 --mark $TOA_MARK \
			--sport-base $((port == 8100 ? 10000 : 40000)) --sport-count 20000 \
			>"$TOA_TMP/flood$port.out" 2>&1 &
		TOA_LOAD_PIDS+=($!)
	done
}

# The injectors first (they reset what they have open), then the servers.
toa_load_stop() {
	local p=("${TOA_LOAD_PIDS[@]}")
	kill -TERM "${p[2]}" "${p[3]}"
	wait "${p[2]}" "${p[3]}"
	kill -TERM "${p[0]}" "${p[1]}"
	wait "${p[0]}" "${p[1]}"
	TOA_LOAD_PIDS=()
}
