#!/usr/bin/env bash
# keepalived's health checkers drive FULLNAT services through a shadow namespace
# (docs/ha.md): Debian's stock keepalived runs in the director's namespace with the
# top-level `net_namespace_ipvs shadow`, so its HTTP_GET and TCP_CHECK checkers reach
# the real servers from the director but program the kernel's ip_vs in "shadow", which
# carries no traffic; ipvs-fnat-mirror (started in the director's namespace) copies
# that table into ipvs_fnat, woken by keepalived's lvs_notify_fifo. The mirrored
# services have no LIP of their own: they use the namespace's default LIP pool.
#
#   client ------------- director -------------------------- lan bridge --- rs1, rs2, rs3 (nginx)
#   198.51.100.2         VIP 192.0.2.10, 2001:db8:10::10 (lo)                203.0.113.11, .12, .13
#   2001:db8:c::2        default LIP pool 203.0.113.100,                     2001:db8:5::11, ::12
#                        2001:db8:5::100 (rs0)                               sorry 203.0.113.20
#                        keepalived --check --dont-release-ipvs
#                        ipvs-fnat-mirror --ipvs-netns shadow
#   shadow (netns, lo only): keepalived's ip_vs table
#
#   keepalived virtual servers:
#     TCP 192.0.2.10:80         rs1, rs2  HTTP_GET, inhibit_on_failure (weight 0 when
#                               down), quorum 1, sorry_server 203.0.113.20:80
#     TCP 192.0.2.10:81         rs1, rs2  TCP_CHECK (removed when down)
#     TCP [2001:db8:10::10]:80  rs1, rs2  HTTP_GET
#   by hand: TCP 192.0.2.10:9000 -> rs2, LIP 203.0.113.101 (owner 0: the mirror never
#            touches it)
#
# Needs build/ipvs-fnat-mirror and the module's default LIP pool; without the mirror
# binary the test records one failure and stops. Timing bound: a checker's verdict
# must be in ipvs_fnat within delay_loop x (retry + 1) + 1 s (5 s here); keepalived
# alone put it in the shadow table 2.1 s after nginx stopped (emulated guest).
. "$(dirname "$0")/lib.sh"

MIRROR=${MIRROR:-$BUILD/ipvs-fnat-mirror}
KA_DIR=$E2E_TMP/keepalived
FIFO=$E2E_TMP/ipvs-fnat-mirror.fifo
DELAY_LOOP=2
RETRY=1
# The mirror's hold-down of deletions: keepalived restarting without
# --dont-release-ipvs empties the shadow table for about 2.5 s here (emulated), and
# for 25 s on the debug kernel; the default 3000 ms would leave too little margin.
HOLD_MS=$((10000 * ${E2E_TIME_FACTOR:-1}))
# When a checker's verdict must have reached ipvs_fnat: delay_loop x (retry + 1) + 1 s.
VERDICT_S=$((DELAY_LOOP * (RETRY + 1) + 1))
VS=192.0.2.10:80
VS_TCP=192.0.2.10:81
VS6='[2001:db8:10::10]:80'
HAND=192.0.2.10:9000
MIRROR_PID=
KA_PID=
SHADOW_PID=
# keepalived's command-line option about IPVS on exit; the restart scenario without it
# sets it to "" for one run and back.
KA_RELEASE=--dont-release-ipvs
LAG_FILE=$BUILD/test-results/mirror-lag.txt

fnat() { on director "$FNAT_TOOL" "$@"; }

# fnat_weight SVC RIP: RIP's weight in the FULLNAT service SVC ("" if not there).
fnat_weight() {
	fnat -L -n -t "$1" 2>/dev/null | awk -v r="$2" '$1 == "->" && $2 == r { print $4 }'
}
fnat_weight_is() { [ "$(fnat_weight "$1" "$2")" = "$3" ]; }
fnat_has() { [ -n "$(fnat_weight "$1" "$2")" ]; }
fnat_lacks() { [ -z "$(fnat_weight "$1" "$2")" ]; }
# shadow_weight SVC RIP: the same in keepalived's ip_vs table.
shadow_weight() {
	on shadow ipvsadm -L -n -t "$1" 2>/dev/null | awk -v r="$2" '$1 == "->" && $2 == r { print $4 }'
}
shadow_weight_is() { [ "$(shadow_weight "$1" "$2")" = "$3" ]; }
# both_at TABLE SVC RIP1 RIP2 W: both real servers at weight W (TABLE fnat or shadow).
both_at() { "$1_weight_is" "$2" "$3" "$5" && "$1_weight_is" "$2" "$4" "$5"; }
# rs_in_others N: real server rsN is in the TCP_CHECK and IPv6 services.
rs_in_others() { fnat_has $VS_TCP "203.0.113.1$1:80" && fnat_has "$VS6" "[2001:db8:5::1$1]:80"; }
# fnat_config: ipvs_fnat's services, real servers with their weights, and LIPs, without
# the counters (-S leaves the mirror's services out: they are the mirror's to make).
fnat_config() { fnat -L -n | awk '/^  -> / { print $1, $2, $3, $4; next } /^  => / { print $1, $2; next } { print }'; }
config_changed() { [ "$(fnat_config)" != "$1" ]; }
# svc_conns SVC: the service's connection counter (reset if the service is re-created).
svc_conns() { fnat -L -n --stats --exact -t "$1" | awk '$1 == "TCP" { print $3 }'; }
shadow_empty() { ! on shadow ipvsadm -L -n | grep -qE '^(TCP|UDP)'; }
# shadow_full: keepalived's three services in the shadow table, with their real servers.
shadow_full() {
	both_at shadow $VS 203.0.113.11:80 203.0.113.12:80 1 && shadow_weight_is $VS 203.0.113.13:80 1 &&
		[ -n "$(shadow_weight $VS_TCP 203.0.113.12:80)" ] &&
		on shadow ipvsadm -L -n -t "$VS6" 2>/dev/null | grep -qF '[2001:db8:5::12]:80'
}

# The probes of measure_lag, cheap so that a round stays short under emulation.
# ms_now: milliseconds, without a fork.
ms_now() { local u=${EPOCHREALTIME/[.,]/}; echo $((u / 1000)); }
# shadow_proc_weight_is VIP:PORT RIP:PORT W: the real server has weight W in the
# shadow table's TCP VIP:PORT (IPv4), read from /proc/net/ip_vs through a process
# living in the shadow namespace ($SHADOW_PID): no fork, no netns exec.
shadow_proc_weight_is() {
	local svc rip in_svc=0 f a
	a=${1//[.:]/ }
	# shellcheck disable=SC2086 # the octets and the port as five arguments
	printf -v svc '%02X%02X%02X%02X:%04X' $a
	a=${2//[.:]/ }
	# shellcheck disable=SC2086
	printf -v rip '%02X%02X%02X%02X:%04X' $a
	while read -r -a f; do
		if [ "${f[0]:-}" = TCP ]; then
			in_svc=0
			[ "${f[1]}" = "$svc" ] && in_svc=1
		elif [ $in_svc = 1 ] && [ "${f[0]:-}" = "->" ] && [ "${f[1]}" = "$rip" ]; then
			[ "${f[3]}" = "$3" ]
			return
		fi
	done <"/proc/$SHADOW_PID/net/ip_vs"
	return 1
}
# fnat_weight_quick SVC RIP W: fnat_weight_is without awk.
fnat_weight_quick() {
	local out f
	out=$(fnat -L -n -t "$1" 2>/dev/null) || return 1
	while read -r -a f; do
		if [ "${f[0]:-}" = "->" ] && [ "${f[1]}" = "$2" ]; then
			[ "${f[3]}" = "$3" ]
			return
		fi
	done <<<"$out"
	return 1
}

# measure_lag WHAT LIMIT_S SHADOW_TEST FNAT_TEST: polls keepalived's shadow table
# (SHADOW_TEST) and ipvs_fnat (FNAT_TEST), both strings for eval, in one loop, a round
# every 50 ms plus the probes' own time, until both hold or LIMIT_S passed.
# LAG_SHADOW_MS and LAG_FNAT_MS: when each was first seen (ms after the call; empty
# if never); LAG_MS the difference; LAG_ROUND_MS a round's mean length, the
# resolution. ipvs_fnat is probed first in a round: as the mirror only follows the
# shadow table, a change seen in ipvs_fnat is then seen in the shadow table in the
# same round at the latest, and the lag is never negative. Appends the figures to
# $LAG_FILE.
measure_lag() {
	local what=$1 limit_ms=$(($2 * 1000 * ${E2E_TIME_FACTOR:-1})) t0 now rounds=0
	LAG_SHADOW_MS='' LAG_FNAT_MS='' LAG_MS=''
	t0=$(ms_now)
	while :; do
		rounds=$((rounds + 1))
		if [ -z "$LAG_FNAT_MS" ] && eval "$4" >/dev/null 2>&1; then
			LAG_FNAT_MS=$(($(ms_now) - t0))
		fi
		if [ -z "$LAG_SHADOW_MS" ] && eval "$3" >/dev/null 2>&1; then
			LAG_SHADOW_MS=$(($(ms_now) - t0))
		fi
		now=$(($(ms_now) - t0))
		[ -n "$LAG_SHADOW_MS" ] && [ -n "$LAG_FNAT_MS" ] && break
		[ "$now" -ge "$limit_ms" ] && break
		sleep 0.05
	done
	LAG_ROUND_MS=$((now / rounds))
	if [ -n "$LAG_SHADOW_MS" ] && [ -n "$LAG_FNAT_MS" ]; then
		LAG_MS=$((LAG_FNAT_MS - LAG_SHADOW_MS))
		[ "$LAG_MS" -lt 0 ] && LAG_MS=0
	fi
	info "mirror lag: ${LAG_MS:-?} ms (keepalived's change in ip_vs -> ipvs_fnat): $what;" \
		"ip_vs at +${LAG_SHADOW_MS:-never} ms, ipvs_fnat at +${LAG_FNAT_MS:-never} ms, polled every ~${LAG_ROUND_MS} ms"
	# The mirror's own measure, exact: from keepalived's notify line to its changes
	# applied (the last such line of its log; the one this change made).
	LAG_NOTICE=$(grep -o "applied [0-9]* change(s) [0-9.]* ms after keepalived's notice" \
		"$E2E_TMP/mirror.log" | tail -n 1)
	info "the mirror: ${LAG_NOTICE:-no notice line}"
	mkdir -p "$(dirname "$LAG_FILE")"
	echo "$(date -u +%FT%TZ) $E2E_NAME $what: lag ${LAG_MS:-?} ms (ip_vs +${LAG_SHADOW_MS:-never} ms," \
		"ipvs_fnat +${LAG_FNAT_MS:-never} ms, round ~${LAG_ROUND_MS} ms); mirror: ${LAG_NOTICE:-none}" >>"$LAG_FILE"
}

keepalived_conf() {
	local extra=${1:-}
	cat <<EOF
global_defs {
    router_id fnat-e2e
    lvs_notify_fifo $FIFO
}

net_namespace_ipvs shadow

virtual_server 192.0.2.10 80 {
    delay_loop $DELAY_LOOP
    lb_algo rr
    lb_kind NAT
    protocol TCP
    inhibit_on_failure
    quorum 1
    sorry_server 203.0.113.20 80
$(for rip in 203.0.113.11 203.0.113.12 $extra; do http_rs "$rip"; done)
}

virtual_server 192.0.2.10 81 {
    delay_loop $DELAY_LOOP
    lb_algo rr
    lb_kind NAT
    protocol TCP
$(for rip in 203.0.113.11 203.0.113.12; do
		cat <<RS
    real_server $rip 80 {
        TCP_CHECK {
            connect_timeout 1
            retry $RETRY
            delay_before_retry 1
        }
    }
RS
	done)
}

virtual_server 2001:db8:10::10 80 {
    delay_loop $DELAY_LOOP
    lb_algo rr
    lb_kind NAT
    protocol TCP
$(for rip in 2001:db8:5::11 2001:db8:5::12; do http_rs "$rip"; done)
}

# Two that FULLNAT cannot take: a firewall-mark service and a scheduler it lacks.
virtual_server fwmark 7 {
    delay_loop $DELAY_LOOP
    lb_algo rr
    lb_kind NAT
    protocol TCP
$(http_rs 203.0.113.12)
}

virtual_server 192.0.2.10 82 {
    delay_loop $DELAY_LOOP
    lb_algo sed
    lb_kind NAT
    protocol TCP
$(http_rs 203.0.113.12)
}
EOF
}
http_rs() {
	cat <<EOF
    real_server $1 80 {
        weight 1
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            retry $RETRY
            delay_before_retry 1
        }
    }
EOF
}

keepalived_start() {
	# shellcheck disable=SC2086 # KA_RELEASE: one option or none
	on director keepalived --check --dont-fork $KA_RELEASE --log-console --log-detail \
		--no-syslog --use-file="$KA_DIR/keepalived.conf" --pid="$KA_DIR/keepalived.pid" \
		--checkers_pid="$KA_DIR/checkers.pid" >>"$KA_DIR/keepalived.log" 2>&1 &
	KA_PID=$!
	disown "$KA_PID"
}

# ip netns exec itself, not the function on: $! is then the process that becomes the
# mirror, not a subshell waiting for it (kill -9 $MIRROR_PID must kill the mirror).
mirror_start() {
	ip netns exec director "$MIRROR" --ipvs-netns shadow --notify-fifo "$FIFO" --interval 500 \
		--hold-down "$HOLD_MS" \
		>>"$E2E_TMP/mirror.log" 2>&1 &
	MIRROR_PID=$!
	disown "$MIRROR_PID"
}

setup() {
	local i
	topo_standard
	ns_add shadow
	ns_add rs3
	ns_add sorry
	for i in rs3 sorry; do
		link "$i" eth0 lan "$i"
		ip -n lan link set "$i" master br0
	done
	addr rs3 eth0 203.0.113.13/24
	addr sorry eth0 203.0.113.20/24
	addr director rs0 203.0.113.100/24 2001:db8:5::100/64 203.0.113.101/24
	insmod "$BUILD/ipvs_fnat.ko" || return 1
	at_exit "rmmod ipvs_fnat"
	modprobe ip_vs || return 1
	nginx_start rs1 rs1 && nginx_start rs2 rs2 && nginx_start rs3 rs3 &&
		nginx_start sorry sorry || return 1

	# The default pool, and a service made by hand next to the mirrored ones, with a LIP
	# of its own.
	fnat -P -z 203.0.113.100 && fnat -P -z 2001:db8:5::100 || return 1
	fnat -A -t $HAND -s rr && fnat -a -t $HAND -r 203.0.113.12:80 -b &&
		fnat -P -t $HAND -z 203.0.113.101 || return 1
	HAND_SAVED=$(fnat -S -n | grep -F -- "$HAND")

	mkdir -p "$KA_DIR"
	keepalived_conf >"$KA_DIR/keepalived.conf"
	mkfifo "$FIFO"
	# A process in the shadow namespace: its /proc/PID/net/ip_vs is the shadow table.
	ip netns exec shadow sleep 100000 &
	SHADOW_PID=$!
	wait_until 5 bash -c "[ \"\$(readlink /proc/$SHADOW_PID/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
		return 1
	if [ ! -x "$MIRROR" ]; then
		fail "setup: $MIRROR is not built"
		return 1
	fi
	mirror_start
	keepalived_start
}

# requests URL N OUT: N requests one after another; OUT gets one line per request, the
# answer or "FAIL".
requests() {
	local i r
	: >"$3"
	for ((i = 0; i < $2; i++)); do
		r=$(on client curl -s -f -m 5 "$1") || r=FAIL
		echo "$r" >>"$3"
	done
}
failures() { grep -c '^FAIL' "$1"; }
servers() { awk '{ print $1 }' "$1" | sort | uniq -c | sed 's/^ *//' | paste -sd'|'; }

test_mirrored() {
	check "keepalived programs the shadow namespace's ip_vs: $VS with rs1, rs2 at weight 1" \
		wait_until 20 both_at shadow $VS 203.0.113.11:80 203.0.113.12:80 1
	check_eq "... and nothing in the director's own ip_vs" "" \
		"$(on director ipvsadm -L -n | grep -E '^(TCP|UDP)')"
	check "the mirror copies it into ipvs_fnat: $VS -> rs1, rs2, weight 1" \
		wait_until 10 both_at fnat $VS 203.0.113.11:80 203.0.113.12:80 1
	check "... $VS_TCP and $VS6 too" \
		wait_until 10 rs_in_others 2
	check_eq "the mirrored services have no LIP of their own (the default pool serves them)" "0 0" \
		"$(for s in $VS $VS_TCP; do fnat -G -n -t "$s" | awk '$1 == "TCP" { print $3 }'; done | paste -sd' ')"
	requests http://192.0.2.10/ 4 "$E2E_TMP/r0"
	check_eq "4 requests through 192.0.2.10 answered by rs1 and rs2, each seeing the pool's LIP" \
		"2 rs1|2 rs2" "$(servers "$E2E_TMP/r0")"
	check "... the access log shows the LIP 203.0.113.100" \
		grep -q '^203\.0\.113\.100 GET / HTTP/1.1 200' "$E2E_TMP/rs1/access.log"
}
test_rs_down_up() {
	kill "$(cat "$E2E_TMP/rs1/nginx.pid")"
	wait_until 5 bash -c '! ip netns exec rs1 ss -Htln "sport = :80" | grep -q .'
	measure_lag "rs1 down (weight 0)" "$VERDICT_S" "shadow_proc_weight_is $VS 203.0.113.11:80 0" \
		"fnat_weight_quick $VS 203.0.113.11:80 0"
	check "nginx on rs1 stopped: weight 0 in $VS (inhibit_on_failure) within ${VERDICT_S} s" \
		test -n "$LAG_FNAT_MS"
	info "rs1 inhibited in ipvs_fnat ${LAG_FNAT_MS:-?} ms after nginx stopped"
	# The product's goal is below 1 s; the bound allows for software emulation.
	check "... the mirror's lag behind keepalived's change below 3 s (${LAG_MS:-?} ms)" \
		test "${LAG_MS:-99999}" -lt 3000
	check "... keepalived's notify line woke the mirror, which timed its changes (${LAG_NOTICE:-none})" \
		test -n "$LAG_NOTICE"
	check "... and removed from $VS_TCP (TCP_CHECK, no inhibit_on_failure)" \
		wait_until "$VERDICT_S" fnat_lacks $VS_TCP 203.0.113.11:80
	check "... and removed from $VS6" wait_until "$VERDICT_S" fnat_lacks "$VS6" '[2001:db8:5::11]:80'
	requests http://192.0.2.10/ 10 "$E2E_TMP/r1"
	check_eq "10 requests to $VS afterwards: no failure, all on rs2" "0 10 rs2" \
		"$(failures "$E2E_TMP/r1") $(servers "$E2E_TMP/r1")"
	requests http://192.0.2.10:81/ 6 "$E2E_TMP/r1b"
	check_eq "6 requests to $VS_TCP: no failure, all on rs2" "0 6 rs2" \
		"$(failures "$E2E_TMP/r1b") $(servers "$E2E_TMP/r1b")"

	nginx_start rs1 rs1
	measure_lag "rs1 back (weight 1)" "$VERDICT_S" "shadow_proc_weight_is $VS 203.0.113.11:80 1" \
		"fnat_weight_quick $VS 203.0.113.11:80 1"
	check "nginx on rs1 back: weight 1 in $VS again within ${VERDICT_S} s" \
		test -n "$LAG_FNAT_MS"
	check "... the mirror's lag behind keepalived's change below 3 s (${LAG_MS:-?} ms)" \
		test "${LAG_MS:-99999}" -lt 3000
	check "... back in $VS_TCP and $VS6" \
		wait_until "$VERDICT_S" rs_in_others 1
	requests http://192.0.2.10/ 4 "$E2E_TMP/r2"
	check_eq "4 requests: rs1 and rs2 share them again" "2 rs1|2 rs2" "$(servers "$E2E_TMP/r2")"
}

test_sorry() {
	kill "$(cat "$E2E_TMP/rs1/nginx.pid")" "$(cat "$E2E_TMP/rs2/nginx.pid")"
	check "rs1 and rs2 down: the sorry server joins $VS" \
		wait_until "$((VERDICT_S + 2))" fnat_has $VS 203.0.113.20:80
	requests http://192.0.2.10/ 3 "$E2E_TMP/r3"
	check_eq "3 requests: all answered by the sorry server" "3 sorry" "$(servers "$E2E_TMP/r3")"
	nginx_start rs1 rs1 && nginx_start rs2 rs2
	check "rs1 and rs2 back: the sorry server leaves $VS" \
		wait_until "$((VERDICT_S + 2))" fnat_lacks $VS 203.0.113.20:80
	check "... rs1 and rs2 at weight 1" \
		wait_until "$VERDICT_S" both_at fnat $VS 203.0.113.11:80 203.0.113.12:80 1
}

# What FULLNAT cannot take is logged and skipped whole, never half made.
test_unmappable() {
	check "keepalived made its fwmark and its sed services in the shadow table" \
		wait_until 10 eval 'on shadow ipvsadm -L -n | grep -q "^FWM  7 rr" && on shadow ipvsadm -L -n | grep -q "^TCP  192.0.2.10:82 sed"'
	check "the mirror logs the fwmark service as not mirrored" \
		grep -q "FWM 7.*firewall-mark services have no FULLNAT equivalent: not mirrored" "$E2E_TMP/mirror.log"
	check "the mirror logs the sed service as not mirrored" \
		grep -q "192.0.2.10:82.*scheduler sed has no FULLNAT equivalent" "$E2E_TMP/mirror.log"
	check_eq "...and ipvs_fnat has no trace of it (no service, no real server)" "" \
		"$(fnat -L -n | grep -F '192.0.2.10:82')"
	check_eq "each said once, not at every poll" "1 1" \
		"$(grep -c 'FWM 7.*not mirrored' "$E2E_TMP/mirror.log") $(grep -c '192.0.2.10:82.*not mirrored' "$E2E_TMP/mirror.log")"
}

test_reload() {
	keepalived_conf 203.0.113.13 >"$KA_DIR/keepalived.conf"
	kill -HUP "$(cat "$KA_DIR/keepalived.pid")"
	check "keepalived SIGHUP with rs3 added to its configuration: rs3 mirrored into $VS" \
		wait_until "$((VERDICT_S + 5))" fnat_weight_is $VS 203.0.113.13:80 1
	requests http://192.0.2.10/ 6 "$E2E_TMP/r4"
	check_eq "6 requests: rs1, rs2 and rs3 two each" "2 rs1|2 rs2|2 rs3" "$(servers "$E2E_TMP/r4")"
}

test_ipv6() {
	requests 'http://[2001:db8:10::10]/' 4 "$E2E_TMP/r6"
	check_eq "IPv6: 4 requests through $VS6, 2 each, seeing the pool's LIP 2001:db8:5::100" \
		"2 rs1 2001:db8:5::100|2 rs2 2001:db8:5::100" \
		"$(sort "$E2E_TMP/r6" | uniq -c | sed 's/^ *//' | paste -sd'|')"
}

# The mirror dies and comes back while requests flow: no request fails, and the
# services are not re-created (their connection counters keep counting).
test_mirror_restart() {
	local before after loop
	before=$(svc_conns $VS)
	requests http://192.0.2.10/ 40 "$E2E_TMP/r7" &
	loop=$!
	wait_until 10 test -s "$E2E_TMP/r7"
	kill -9 "$MIRROR_PID" 2>/dev/null
	wait_until 5 bash -c "! kill -0 $MIRROR_PID"
	mirror_start
	check "... the killed mirror is gone: one mirror runs" test "$(pgrep -c -f "^$MIRROR ")" = 1
	wait "$loop"
	after=$(svc_conns $VS)
	check_eq "mirror kill -9 and restart during 40 requests: none failed" 0 "$(failures "$E2E_TMP/r7")"
	check "... $VS was not re-created: its connection counter went on ($before -> $after)" \
		test "${after:-0}" -ge "$((${before:-0} + 40))"
	kill "$(cat "$E2E_TMP/rs3/nginx.pid")"
	check "the restarted mirror follows keepalived: rs3 stopped, weight 0 within ${VERDICT_S} s" \
		wait_until "$VERDICT_S" fnat_weight_is $VS 203.0.113.13:80 0
}

# requests_until STOP URL OUT: one request after another until file STOP exists; OUT
# gets one line per request, as requests writes them.
requests_until() {
	local r
	: >"$3"
	until [ -e "$1" ]; do
		r=$(on client curl -s -f -m 5 "$2") || r=FAIL
		echo "$r" >>"$3"
	done
}

ka_stopped() { ! kill -0 "$KA_PID" 2>/dev/null; }
# ka_checkers_up OLD: a checkers process other than OLD runs (keepalived is up again).
ka_checkers_up() {
	local p
	p=$(cat "$KA_DIR/checkers.pid" 2>/dev/null) && [ -n "$p" ] && [ "$p" != "$1" ] && kill -0 "$p"
}
# ka_restart: SIGTERM, wait for the exit, start again ($KA_RELEASE as it is now), wait
# for its checkers.
ka_restart() {
	local old
	old=$(cat "$KA_DIR/checkers.pid" 2>/dev/null)
	kill -TERM "$(cat "$KA_DIR/keepalived.pid")"
	wait_until 15 ka_stopped || return 1
	keepalived_start
	wait_until 20 ka_checkers_up "$old"
}

# Before the restarts: rs3 (stopped by test_mirror_restart) up again, so that the
# restarted keepalived's first view (every real server alive) is the right one.
test_ka_restart_prepare() {
	nginx_start rs3 rs3
	check "rs3 back before the keepalived restarts: weight 1 in $VS" \
		wait_until "$((VERDICT_S + 2))" fnat_weight_is $VS 203.0.113.13:80 1
}

# keepalived restarted with --dont-release-ipvs while requests flow: the shadow table
# stays, nothing in ipvs_fnat changes, no request fails.
test_ka_restart_kept() {
	local before after saved loop n t0 mark hold_s=$((DELAY_LOOP * 2))
	saved=$(fnat_config)
	before=$(svc_conns $VS)
	mark=$(wc -c <"$E2E_TMP/mirror.log")
	rm -f "$E2E_TMP/stop-r9"
	requests_until "$E2E_TMP/stop-r9" http://192.0.2.10/ "$E2E_TMP/r9" &
	loop=$!
	wait_until 10 test -s "$E2E_TMP/r9"
	t0=$(date +%s%3N)
	check "keepalived restarted (SIGTERM, start again, --dont-release-ipvs) while requests flow" ka_restart
	info "keepalived back (checkers running) $(($(date +%s%3N) - t0)) ms after the SIGTERM"
	# Its first checks: every real server found alive, the table as it was.
	wait_until 10 shadow_full
	# A negative check needs a hold time: two rounds of the new checkers.
	check_fails "... the FULLNAT configuration stays as it was for ${hold_s} s (the new checkers' first rounds)" \
		wait_until "$hold_s" config_changed "$saved"
	touch "$E2E_TMP/stop-r9"
	wait "$loop"
	n=$(wc -l <"$E2E_TMP/r9")
	after=$(svc_conns $VS)
	check_eq "... none of the $n requests meanwhile failed" 0 "$(failures "$E2E_TMP/r9")"
	check "... $VS was not re-created: its connection counter went on ($before -> $after, $n requests)" \
		test "${after:-0}" -ge "$((${before:-0} + n))"
	check "... the mirror changed nothing and held nothing" \
		bash -c "! tail -c +$((mark + 1)) '$E2E_TMP/mirror.log' | grep -E '^ipvs-fnat-mirror: (add|edit|delete) |gone from IPVS'"
}

# keepalived without --dont-release-ipvs stopped and started again within the mirror's
# hold-down: the shadow table goes empty, then comes back; the mirror holds the FULLNAT
# services whole meanwhile and deletes none.
test_ka_restart_released() {
	local before after loop n mark t_empty t_full gap
	# One restart to run keepalived without --dont-release-ipvs (the one stopped here
	# had it: the table stays for this step).
	KA_RELEASE=
	ka_restart || { fail "keepalived started again without --dont-release-ipvs"; KA_RELEASE=--dont-release-ipvs; return; }
	wait_until 10 shadow_full
	before=$(svc_conns $VS)
	mark=$(wc -c <"$E2E_TMP/mirror.log")
	rm -f "$E2E_TMP/stop-r10"
	requests_until "$E2E_TMP/stop-r10" http://192.0.2.10/ "$E2E_TMP/r10" &
	loop=$!
	wait_until 10 test -s "$E2E_TMP/r10"
	# Stopped: keepalived releases its IPVS services. Then started again at once, with
	# the test's usual invocation.
	kill -TERM "$(cat "$KA_DIR/keepalived.pid")"
	check "keepalived without --dont-release-ipvs stopped: the shadow table goes empty" \
		wait_until 15 shadow_empty
	t_empty=$(date +%s%3N)
	wait_until 15 ka_stopped
	KA_RELEASE=--dont-release-ipvs
	keepalived_start
	check "keepalived started again: its services are back in the shadow table" wait_until 20 shadow_full
	t_full=$(date +%s%3N)
	gap=$((t_full - t_empty))
	info "the shadow table was empty for about $gap ms (the hold-down: $HOLD_MS ms)"
	check "... the mirror held them: \"gone from IPVS: deleting in $HOLD_MS ms unless it returns\", then \"back in IPVS\"" \
		wait_until 5 bash -c "tail -c +$((mark + 1)) '$E2E_TMP/mirror.log' | grep -q 'TCP 192.0.2.10:80 gone from IPVS: deleting in $HOLD_MS ms unless it returns' &&
			tail -c +$((mark + 1)) '$E2E_TMP/mirror.log' | grep -q 'TCP 192.0.2.10:80 back in IPVS after'"
	wait_until 5 both_at fnat $VS 203.0.113.11:80 203.0.113.12:80 1
	touch "$E2E_TMP/stop-r10"
	wait "$loop"
	n=$(wc -l <"$E2E_TMP/r10")
	after=$(svc_conns $VS)
	check "... no FULLNAT service deleted (no \"delete service\" in the mirror's log)" \
		bash -c "! tail -c +$((mark + 1)) '$E2E_TMP/mirror.log' | grep 'delete service'"
	check "... $VS was not re-created: its connection counter went on ($before -> $after, $n requests)" \
		test "${after:-0}" -ge "$((${before:-0} + n))"
	check_eq "... none of the $n requests meanwhile failed" 0 "$(failures "$E2E_TMP/r10")"
	check "... $VS_TCP and $VS6 still mirrored with their real servers" rs_in_others 2
	tail -c +$((mark + 1)) "$E2E_TMP/mirror.log" | grep -E 'gone from IPVS|back in IPVS|still gone' |
		sed 's/^/  .. mirror: /'
}

test_keepalived_stop() {
	local saved
	saved=$(fnat_config)
	kill -TERM "$(cat "$KA_DIR/keepalived.pid")"
	check "keepalived stops on SIGTERM" wait_until 15 bash -c "! kill -0 $KA_PID"
	check "keepalived (--dont-release-ipvs) left the shadow table" test -n "$(shadow_weight $VS 203.0.113.12:80)"
	# A negative check needs a hold time: four mirror intervals.
	check_fails "the FULLNAT configuration stays for 2 s afterwards" \
		wait_until 2 config_changed "$saved"
	requests http://192.0.2.10/ 4 "$E2E_TMP/r8"
	check_eq "4 requests to $VS afterwards: none failed" 0 "$(failures "$E2E_TMP/r8")"
}

test_hand_made() {
	check_eq "the hand-made service $HAND is as it was made" "$HAND_SAVED" \
		"$(fnat -S -n | grep -F -- "$HAND")"
	check_eq "-S saves it, and names the mirror's services without saving them" \
		"# -t $VS is made by mirror: not saved|# -t $VS_TCP is made by mirror: not saved|# -t [2001:db8:10::10]:80 is made by mirror: not saved" \
		"$(fnat -S -n | grep '^#' | sort | paste -sd'|')"
	check_eq "... and serves through its own LIP, not the pool's" "rs2 203.0.113.101" \
		"$(on client curl -s -m 5 http://192.0.2.10:9000/)"
}

if setup; then
	test_mirrored
	test_unmappable
	test_rs_down_up
	test_sorry
	test_reload
	test_ipv6
	test_mirror_restart
	test_ka_restart_prepare
	test_ka_restart_kept
	test_ka_restart_released
	test_keepalived_stop
	test_hand_made
elif [ -x "$MIRROR" ]; then
	fail "setup: topology, modules, nginx, default LIP pool, mirror, keepalived"
fi
if [ "$E2E_FAILED" -gt 0 ]; then
	for f in "$KA_DIR/keepalived.log" "$E2E_TMP/mirror.log"; do
		[ -s "$f" ] && tail -n 30 "$f" | sed "s#^#     | $(basename "$f"): #"
	done
fi
finish
