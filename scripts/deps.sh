#!/usr/bin/env bash
# Installs every Debian package the build, the tests, the demo and the benchmarks need.
# Idempotent: when everything is already installed it changes nothing and runs no
# `apt-get update`. Run by `make`, `make test`, `make demo` and `make bench`.
set -euo pipefail

packages=(
	# build
	build-essential cmake pkg-config libnl-3-dev libnl-genl-3-dev nlohmann-json3-dev sparse
	googletest libgtest-dev libgmock-dev
	# the test kernel and its headers (the guest boots this kernel; modules build against it)
	linux-image-amd64 linux-headers-amd64
	# the guest
	qemu-system-x86 busybox-static kmod cpio
	# the tests' tools, run inside the guest from the shared host root
	iproute2 nftables ethtool procps psmisc iputils-ping tcpdump
	python3 python3-scapy nginx-light curl iperf3 wrk socat ipvsadm
	# the health checks and VRRP (tests/e2e/55-keepalived.sh): Debian's own keepalived,
	# and the Prometheus text parser that checks ipvsadm-fnat --prometheus
	keepalived python3-prometheus-client
	# the benchmarks (make bench): the profiler and the plot
	linux-perf gnuplot-nox
	# make bench-pps: the packet generator (trafgen; pktgen is a module of the test
	# kernel) and, for PROFILE=1, bpftrace
	netsniff-ng bpftrace
	# scale-out on real routing (tests/e2e/82-bgp.sh): BIRD 2, BGP between the
	# directors and their router
	bird2
	# make test's DKMS stage builds and installs the modules for the test kernel (DKMS
	# signs them with a key it makes with openssl)
	dkms openssl
	# make debug-kernel: the kernel's source, as Debian ships it, and what building it
	# takes (docs/testing.md)
	linux-source-6.1 bc bison flex libelf-dev libssl-dev rsync xz-utils
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

# nginx-light starts a system nginx on port 80 when installed on a machine with an init
# system; the tests run their own nginx instances inside namespaces and need none.
# keepalived likewise starts the system's keepalived (with no configuration it exits).
# bird2 starts the system's BIRD: the tests run their own, one per namespace.
for unit in nginx keepalived bird; do
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q "$unit" 2>/dev/null; then
		"${sudo[@]}" systemctl stop "$unit" || true
	fi
done
