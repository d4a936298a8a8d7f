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
# When a checker's verdict must have reached ipvs_fnat: delay_loop x (retry + 1) + 1 s.
VERDICT_S=$((DELAY_LOOP * (RETRY + 1) + 1))
VS=192.0.2.10:80
VS_TCP=192.0.2.10:81
VS6='[2001:db8:10::10]:80'
HAND=192.0.2.10:9000
MIRROR_PID=
KA_PID=

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
config_changed() { [ "$(fnat -S -n)" != "$1" ]; }
# svc_conns SVC: the service's connection counter (reset if the service is re-created).
svc_conns() { fnat -L -n --stats --exact -t "$1" | awk '$1 == "TCP" { print $3 }'; }

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
	on director keepalived --check --dont-fork --dont-release-ipvs --log-console --log-detail \
		--no-syslog --use-file="$KA_DIR/keepalived.conf" --pid="$KA_DIR/keepalived.pid" \
		--checkers_pid="$KA_DIR/checkers.pid" >>"$KA_DIR/keepalived.log" 2>&1 &
	KA_PID=$!
	disown "$KA_PID"
}

mirror_start() {
	on director "$MIRROR" --ipvs-netns shadow --notify-fifo "$FIFO" --interval 500 \
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
	check "the mirrored services have no LIP of their own (the default pool serves them)" \
		test -z "$(fnat -S -n | grep -E -- "-P -t ($VS|$VS_TCP) ")"
	requests http://192.0.2.10/ 4 "$E2E_TMP/r0"
	check_eq "4 requests through 192.0.2.10 answered by rs1 and rs2, each seeing the pool's LIP" \
		"2 rs1|2 rs2" "$(servers "$E2E_TMP/r0")"
	check "... the access log shows the LIP 203.0.113.100" \
		grep -q '^203\.0\.113\.100 GET / HTTP/1.1 200' "$E2E_TMP/rs1/access.log"
}
test_rs_down_up() {
	local t0 ms
	kill "$(cat "$E2E_TMP/rs1/nginx.pid")"
	wait_until 5 bash -c '! ip netns exec rs1 ss -Htln "sport = :80" | grep -q .'
	t0=$(date +%s%3N)
	check "nginx on rs1 stopped: weight 0 in $VS (inhibit_on_failure) within ${VERDICT_S} s" \
		wait_until "$VERDICT_S" fnat_weight_is $VS 203.0.113.11:80 0
	ms=$(($(date +%s%3N) - t0))
	info "rs1 inhibited in ipvs_fnat $ms ms after nginx stopped"
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
	check "nginx on rs1 back: weight 1 in $VS again within ${VERDICT_S} s" \
		wait_until "$VERDICT_S" fnat_weight_is $VS 203.0.113.11:80 1
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
	wait "$loop"
	after=$(svc_conns $VS)
	check_eq "mirror kill -9 and restart during 40 requests: none failed" 0 "$(failures "$E2E_TMP/r7")"
	check "... $VS was not re-created: its connection counter went on ($before -> $after)" \
		test "${after:-0}" -ge "$((${before:-0} + 40))"
	kill "$(cat "$E2E_TMP/rs3/nginx.pid")"
	check "the restarted mirror follows keepalived: rs3 stopped, weight 0 within ${VERDICT_S} s" \
		wait_until "$VERDICT_S" fnat_weight_is $VS 203.0.113.13:80 0
}

test_keepalived_stop() {
	local saved
	saved=$(fnat -S -n)
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
	check_eq "... and serves through its own LIP, not the pool's" "rs2 203.0.113.101" \
		"$(on client curl -s -m 5 http://192.0.2.10:9000/)"
}

if setup; then
	test_mirrored
	test_rs_down_up
	test_sorry
	test_reload
	test_ipv6
	test_mirror_restart
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
