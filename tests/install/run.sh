#!/usr/bin/env bash
# make test's install stage, on the host, before the guest boots:
#   1. `make install DESTDIR=tmp`: every file where the Makefile promises it, the
#      modules built for the test kernel, the unit pointing at the installed tool;
#   2. the systemd unit passes `systemd-analyze verify` (when systemd-analyze exists);
#   3. DKMS: packaging/dkms.sh install for the TEST kernel (the newest
#      /lib/modules/*/build, as the Makefile's KDIR; never `uname -r`), which puts
#      ipvs_fnat.ko and toa.ko under /lib/modules/KVER/updates/dkms on this machine.
#      The guest sees that tree over 9p: tests/e2e/80-dkms.sh loads them by name and
#      fails if they are missing or not built from this checkout.
# Prints one PASS/FAIL line per check (tests/run-tests.sh counts them); exits non-zero
# on any failure.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$top" || exit 2
results=$top/build/test-results
mkdir -p "$results"
failed=0
pass() { echo "PASS install: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL install: $*"; }

kdir=$(ls -d /lib/modules/*/build 2>/dev/null | grep -v -- '-fnatdebug/' | sort -V | tail -n 1)
kver=$(basename "$(dirname "$kdir")")
[ -n "$kdir" ] || { fail "no kernel headers under /lib/modules/*/build"; exit 1; }

# --- make install DESTDIR= -------------------------------------------------------------
dest=$(mktemp -d "${TMPDIR:-/tmp}/install-check.XXXXXX")
trap 'rm -rf "$dest"' EXIT
if make -s --no-print-directory install DESTDIR="$dest" >"$results/install.log" 2>&1; then
	pass "make install DESTDIR=... succeeds"
else
	fail "make install DESTDIR=... failed (see $results/install.log)"
	tail -n 20 "$results/install.log"
fi
layout_ok=1
for f in "lib/modules/$kver/extra/ipvs_fnat.ko:644" "lib/modules/$kver/extra/toa.ko:644" \
	usr/local/sbin/ipvsadm-fnat:755 usr/local/share/man/man8/ipvsadm-fnat.8:644 \
	usr/local/lib/systemd/system/ipvsadm-fnat.service:644 \
	usr/local/sbin/ipvs-fnat-mirror:755 usr/local/share/man/man8/ipvs-fnat-mirror.8:644 \
	usr/local/lib/systemd/system/ipvs-fnat-mirror.service:644 \
	usr/local/sbin/ipvs-fnat-rhi:755 usr/local/share/man/man8/ipvs-fnat-rhi.8:644 \
	usr/local/lib/systemd/system/ipvs-fnat-rhi.service:644 \
	usr/local/lib/systemd/system/ipvsadm-fnat-prometheus.service:644 \
	usr/local/lib/systemd/system/ipvsadm-fnat-prometheus.timer:644 \
	usr/local/share/doc/ipvs-fnat/examples/default/ipvs-fnat-mirror:644 \
	usr/local/share/doc/ipvs-fnat/examples/default/ipvs-fnat-rhi:644 \
	usr/local/share/doc/ipvs-fnat/examples/modules-load.d/ipvs-fnat.conf:644 \
	usr/local/share/doc/ipvs-fnat/examples/modules-load.d/toa.conf:644 \
	usr/local/share/doc/ipvs-fnat/examples/modprobe.d/ipvs-fnat.conf:644 \
	usr/local/share/doc/ipvs-fnat/examples/sysctl.d/ipvs-fnat.conf:644; do
	path=$dest/${f%:*}
	mode=$(stat -c %a "$path" 2>/dev/null)
	if [ "$mode" != "${f##*:}" ]; then
		layout_ok=0
		echo "     | $path: ${mode:-missing} (want mode ${f##*:})"
	fi
done
[ $layout_ok -eq 1 ] && pass "make install puts the modules, the tools, the man pages, the units and the examples where docs/director.md says" ||
	fail "make install layout"
vermagic=$(modinfo -F vermagic "$dest/lib/modules/$kver/extra/ipvs_fnat.ko" 2>/dev/null | awk '{ print $1 }')
[ "$vermagic" = "$kver" ] && pass "the installed ipvs_fnat.ko is built for the test kernel $kver" ||
	fail "the installed ipvs_fnat.ko has vermagic '${vermagic}', not $kver"
unit=$dest/usr/local/lib/systemd/system/ipvsadm-fnat.service
if grep -qx 'ExecStart=/usr/local/sbin/ipvsadm-fnat -R' "$unit" 2>/dev/null &&
	grep -qx 'StandardInput=file:/etc/ipvsadm-fnat.rules' "$unit" && ! grep -q '@' "$unit"; then
	pass "the installed unit restores /etc/ipvsadm-fnat.rules with the installed tool"
else
	fail "the installed unit does not run /usr/local/sbin/ipvsadm-fnat -R from /etc/ipvsadm-fnat.rules"
fi
if out=$("$dest/usr/local/sbin/ipvsadm-fnat" --version 2>&1) && [[ $out == ipvsadm-fnat\ v* ]]; then
	pass "the installed tool runs ($out)"
else
	fail "the installed tool does not run: $out"
fi
mirror_unit=$dest/usr/local/lib/systemd/system/ipvs-fnat-mirror.service
if grep -qx 'ExecStart=/usr/local/sbin/ipvs-fnat-mirror --ipvs-netns ${IPVS_NETNS} $MIRROR_OPTS' "$mirror_unit" 2>/dev/null &&
	! grep -q '@' "$mirror_unit"; then
	pass "the installed mirror unit runs /usr/local/sbin/ipvs-fnat-mirror"
else
	fail "the installed mirror unit does not run /usr/local/sbin/ipvs-fnat-mirror --ipvs-netns \${IPVS_NETNS}"
fi
if out=$("$dest/usr/local/sbin/ipvs-fnat-mirror" --version 2>&1) && [[ $out == ipvs-fnat-mirror\ v* ]]; then
	pass "the installed mirror daemon runs ($out)"
else
	fail "the installed mirror daemon does not run: $out"
fi
rhi_unit=$dest/usr/local/lib/systemd/system/ipvs-fnat-rhi.service
if grep -qx 'ExecStart=/usr/local/sbin/ipvs-fnat-rhi --interface ${RHI_IF} $RHI_OPTS' "$rhi_unit" 2>/dev/null &&
	! grep -q '@' "$rhi_unit"; then
	pass "the installed route health injection unit runs /usr/local/sbin/ipvs-fnat-rhi"
else
	fail "the installed rhi unit does not run /usr/local/sbin/ipvs-fnat-rhi --interface \${RHI_IF}"
fi
if out=$("$dest/usr/local/sbin/ipvs-fnat-rhi" --version 2>&1) && [[ $out == ipvs-fnat-rhi\ v* ]]; then
	pass "the installed route health injector runs ($out)"
else
	fail "the installed route health injector does not run: $out"
fi
if command -v man >/dev/null && MANPATH=$dest/usr/local/share/man man -w ipvsadm-fnat 2>/dev/null |
	grep -q "^$dest/usr/local/share/man/man8/ipvsadm-fnat.8"; then
	pass "man finds the installed page under MANDIR (man 8 ipvsadm-fnat)"
else
	fail "man does not find ipvsadm-fnat under $dest/usr/local/share/man"
fi

# --- the unit, as systemd reads it ------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# The unit as installed, but with the tool this checkout built (it must exist for
	# verify); --man=no: the man page is not installed on this machine.
	mkdir -p "$dest/verify"
	sed "s|@SBINDIR@|$top/build|g" packaging/ipvsadm-fnat.service.in >"$dest/verify/ipvsadm-fnat.service"
	if out=$(systemd-analyze verify --man=no "$dest/verify/ipvsadm-fnat.service" 2>&1) && [ -z "$out" ]; then
		pass "systemd-analyze verify accepts ipvsadm-fnat.service"
	else
		fail "systemd-analyze verify: $out"
	fi
	sed "s|@SBINDIR@|$top/build|g" packaging/ipvs-fnat-mirror.service.in >"$dest/verify/ipvs-fnat-mirror.service"
	if out=$(systemd-analyze verify --man=no "$dest/verify/ipvs-fnat-mirror.service" 2>&1) && [ -z "$out" ]; then
		pass "systemd-analyze verify accepts ipvs-fnat-mirror.service"
	else
		fail "systemd-analyze verify (mirror): $out"
	fi
	sed "s|@SBINDIR@|$top/build|g" packaging/ipvs-fnat-rhi.service.in >"$dest/verify/ipvs-fnat-rhi.service"
	if out=$(systemd-analyze verify --man=no "$dest/verify/ipvs-fnat-rhi.service" 2>&1) && [ -z "$out" ]; then
		pass "systemd-analyze verify accepts ipvs-fnat-rhi.service"
	else
		fail "systemd-analyze verify (rhi): $out"
	fi
	sed "s|@SBINDIR@|$top/build|g" packaging/ipvsadm-fnat-prometheus.service.in \
		>"$dest/verify/ipvsadm-fnat-prometheus.service"
	cp packaging/ipvsadm-fnat-prometheus.timer "$dest/verify/"
	if out=$(systemd-analyze verify --man=no "$dest/verify/ipvsadm-fnat-prometheus.service" \
		"$dest/verify/ipvsadm-fnat-prometheus.timer" 2>&1) && [ -z "$out" ]; then
		pass "systemd-analyze verify accepts ipvsadm-fnat-prometheus.service and .timer"
	else
		fail "systemd-analyze verify (prometheus): $out"
	fi
else
	echo "  .. systemd-analyze not installed: the unit is not verified"
fi

# --- DKMS for the test kernel ---------------------------------------------------------
rm -f "$results/dkms.kver"
if packaging/dkms.sh install "$kver" >"$results/dkms.log" 2>&1; then
	pass "dkms add/build/install of this checkout for the test kernel $kver"
	echo "$kver" >"$results/dkms.kver"
else
	fail "DKMS install for $kver failed (see $results/dkms.log)"
	tail -n 30 "$results/dkms.log"
fi
missing=""
for m in ipvs_fnat toa; do
	ls /lib/modules/"$kver"/updates/dkms/$m.ko* >/dev/null 2>&1 || missing+=" $m"
done
[ -z "$missing" ] && pass "DKMS put ipvs_fnat and toa under /lib/modules/$kver/updates/dkms" ||
	fail "not under /lib/modules/$kver/updates/dkms:$missing"
resolved=$(modprobe -S "$kver" --show-depends ipvs_fnat 2>/dev/null | awk '/^insmod/ { print $2 }' | tail -n 1)
case "$resolved" in
"/lib/modules/$kver/updates/dkms/"*) pass "modprobe resolves ipvs_fnat to the DKMS module (depmod ran)" ;;
*) fail "modprobe -S $kver resolves ipvs_fnat to '${resolved}'" ;;
esac

[ "$failed" -eq 0 ]
