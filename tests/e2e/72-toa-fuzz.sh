#!/usr/bin/env bash
# toa.ko against every malformed TOA: real handshakes (toa_inject.py) whose
# handshake-completing ACK carries kind 254 or 253 with every wrong length 0..40
# (lengths 0 and 1, lengths wrong for the kind, lengths running past the options),
# after 0..3 NOPs, over IPv4 and IPv6; then valid TOAs spoofed from a source outside
# `trusted`; then junk packets at the server (fnat-pktfuzz). None of it may change
# what the application sees: every accepted socket reports the load balancer's own
# address; each malformed TOA is counted in `malformed`, each spoofed one in
# `untrusted`; a valid TOA from a trusted source afterwards still works; every
# entry is freed and toa.ko unloads.
#
#   toalb: the load balancer                       toars: the real server
#   (toa_inject.py, fnat-pktfuzz)                  (toa.ko trusted=LB, toa_server)
#   eth0 203.0.113.100/24  2001:db8:5::100/64 ---- eth0 203.0.113.11/24  2001:db8:5::11/64
#        203.0.113.200/24  2001:db8:5::200/64      (.200/::200: outside `trusted`)
#
# TOAFUZZ_FULL=1 (make fuzz): every length after 0..3 NOPs in both families (632
# handshakes) and 50 spoofed ones; otherwise every length once per family, NOPs
# varying (158), and 6 spoofed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/toa_lib.sh"

PKTFUZZ=$TOP/tests/tools/fnat-pktfuzz/fnat_pktfuzz.py
FULL=${TOAFUZZ_FULL:-0}
SUMMARY=${FUZZ_SUMMARY:-/dev/null}

# The malformed option blocks, one "opts=HEX [src=.. dst=..]" per line.
bad_cases() {
	"$PY" - "$FULL" <<'PY'
import sys
full = sys.argv[1] == "1"
body4 = bytes.fromhex("1f90c6336407")                      # port 8080, 198.51.100.7
body6 = bytes.fromhex("1f9020010db8000c0000000000000000" "0007")
n = 0
for fam in ("4", "6"):
    for kind in (254, 253):
        for ln in range(0, 41):
            if (kind == 254 and ln in (8, 20)) or (kind == 253 and ln == 20):
                continue                                   # the valid ones
            for nops in (range(4) if full else [n % 4]):
                n += 1
                body = (body4 if ln <= 8 else body6) + bytes(40)
                o = bytes([1] * nops) + bytes([kind, ln]) + body[:max(0, ln - 2)]
                o = o[:40]
                while len(o) % 4:
                    o += b"\x01"
                extra = "" if fam == "4" else " src=2001:db8:5::100 dst=2001:db8:5::11"
                print("opts=" + o.hex() + extra)
PY
}

# Every served line shows the load balancer's address (any of its two), in every field.
all_lb() {
	local name=$1 bad
	bad=$(grep -Evc 'accept=(\[?(::ffff:)?203\.0\.113\.(100|200)\]?|\[?2001:db8:5::(100|200)\]?):[0-9]+ getpeername=(\[?(::ffff:)?203\.0\.113\.(100|200)\]?|\[?2001:db8:5::(100|200)\]?):[0-9]+ so_peername=(\[?(::ffff:)?203\.0\.113\.(100|200)\]?|\[?2001:db8:5::(100|200)\]?):[0-9]+' \
		"$TOA_TMP/$name.out")
	[ "$bad" = 0 ] || { grep -Ev 'accept=(\[?(::ffff:)?203\.0\.113\.(100|200)\]?|\[?2001:db8:5::(100|200)\]?):' \
		"$TOA_TMP/$name.out" | head -n 5; return 1; }
}

test_malformed_lengths() {
	local cases n
	mapfile -t cases < <(bad_cases)
	n=${#cases[@]}
	serve bad :: 8010 "$n"
	snap
	local t0=$SECONDS
	check "$n handshakes, each ACK with a malformed TOA" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8010 "${cases[@]}"
	echo "toa: $n handshakes with malformed TOAs in $((SECONDS - t0)) s" >>"$SUMMARY"
	check "the server accepted all $n" wait_until 60 served bad "$n"
	check "every one reports the load balancer's address (accept, getpeername, SO_PEERNAME)" all_lb bad
	check_deltas "each is counted once in malformed, none made a TOA entry" malformed="$n" \
		syn_recv_sock_toa=0 syn_recv_sock_no_toa="$n" entries_alloc=0
}

test_spoofed() {
	local n=6 i cases=()
	[ "$FULL" = 1 ] && n=50
	for ((i = 0; i < n; i++)); do
		if ((i % 2)); then
			cases+=("src=2001:db8:5::200 dst=2001:db8:5::11 toa=[2001:db8:c::66]:$((40000 + i))")
		else
			cases+=("src=203.0.113.200 toa=198.51.100.66:$((40000 + i))")
		fi
	done
	serve spoof :: 8011 "$n"
	snap
	check "$n handshakes with valid TOAs from a source outside trusted" \
		inject --dst 203.0.113.11 --dport 8011 "${cases[@]}"
	check "the server accepted all $n" wait_until 60 served spoof "$n"
	check "none of them claims a client (198.51.100.66, 2001:db8:c::66)" all_lb spoof
	check_deltas "each counted in untrusted" untrusted="$n" syn_recv_sock_toa=0 entries_alloc=0
}

test_junk_and_control() {
	local out count=${TOAFUZZ_PACKETS:-2000}
	out=$(on toalb "$PY" "$PKTFUZZ" --ifname eth0 --dmac "$(on toars cat /sys/class/net/eth0/address)" \
		--count "$count" --seed "${PKTFUZZ_SEED:-$RANDOM}" \
		--target 4,203.0.113.100,203.0.113.11,6,8012 --target 6,2001:db8:5::100,2001:db8:5::11,6,8012 \
		--target 4,203.0.113.200,203.0.113.11,6,8012 2>&1)
	check "junk packets at the real server: $out" grep -q "^sent $count " <<<"$out"
	echo "toa: junk at the real server: $out" >>"$SUMMARY"
	serve ok 203.0.113.11 8012 1
	snap
	check "a valid TOA from the trusted load balancer afterwards" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 8012 "toa=198.51.100.7:40007"
	wait_until 30 served ok 1
	peer_is "...is the client" ok 1 198.51.100.7:40007
	check "every TOA entry freed (entries_alloc == entries_free)" wait_until 60 entries_balanced
	check "toa.ko unloads" rmmod toa
}

toa_topology
start_injector
if check "toa.ko loads, trusting the load balancer" \
	insmod "$TOA_KO" trusted=203.0.113.100,2001:db8:5::100; then
	test_malformed_lengths
	test_spoofed
	test_junk_and_control
fi
finish
