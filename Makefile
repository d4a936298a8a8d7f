# ipvs-fullnat — top-level build.
#
#   make            dependencies, both modules, the tool and the unit tests
#   make test       unit tests, then every end-to-end test inside the test guest
#   make demo       the FULLNAT demo inside the test guest
#   make bench      benchmarks inside the test guest
#   make bench-pps  the forwarding benchmark alone [PROFILE=1: the profile instead]
#   make fuzz       the long reliability campaigns (docs/reliability.md), two guest boots
#   make debug-kernel         build the KASAN/lockdep/kmemleak/UBSAN kernel (cached)
#   make test-debug [E2E=...] every e2e test and the low-memory test on that kernel
#   make test-debug-selftest  each planted fault is caught by its detector
#
# Kernel modules build with Kbuild against KDIR: by default the headers of the newest
# kernel under /lib/modules/*/build (Debian's linux-headers-amd64), never `uname -r`,
# whose kernel may not even support modules. Artifacts: build/ipvs_fnat.ko,
# build/toa.ko, build/ipvsadm-fnat, build/ipvs-fnat-mirror, build/ipvs-fnat-rhi.

# (make test-debug links its debug kernel's modules at /lib/modules/6.1.N-fnatdebug: never
# the default.)
KDIR ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | grep -v -- '-fnatdebug/' | sort -V | tail -n 1)
BUILD := $(CURDIR)/build
CMAKE_BUILD_DIR ?= $(BUILD)/cmake
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps modules module-fnat module-toa test-modules tool unit sparse test e2e demo bench bench-pps fuzz clean
.PHONY: debug-kernel test-debug test-debug-selftest
.PHONY: install install-modules install-userspace uninstall dkms-install dkms-uninstall

all: deps modules tool

# SKIP_DEPS=1: install nothing (a production machine that has the build packages,
# docs/director.md); scripts/deps.sh otherwise installs everything the tests need too.
deps:
	@[ -n "$(SKIP_DEPS)" ] || scripts/deps.sh

check-kdir = @test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || \
	{ echo "KDIR '$(KDIR)' holds no kernel headers: run scripts/deps.sh or set KDIR" >&2; exit 1; }

# One Kbuild invocation per module directory, so that the two can be rebuilt apart.
module-fnat: deps
	$(check-kdir)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel/ipvs_fnat modules
	@mkdir -p $(BUILD) && cp kernel/ipvs_fnat/ipvs_fnat.ko $(BUILD)/

module-toa: deps
	$(check-kdir)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel/toa modules
	@mkdir -p $(BUILD) && cp kernel/toa/toa.ko $(BUILD)/

modules: module-fnat module-toa

# Test-only modules (never installed): build/test/*.ko
test-modules: deps
	$(check-kdir)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod/warn_on_load modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod/debug_faults modules
	@mkdir -p $(BUILD)/test && cp tests/kmod/warn_on_load/warn_on_load.ko \
		tests/kmod/debug_faults/debug_faults.ko $(BUILD)/test/

tool: deps
	cmake -S . -B $(CMAKE_BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE)
	cmake --build $(CMAKE_BUILD_DIR) -j $(JOBS)
	@mkdir -p $(BUILD) && cp $(CMAKE_BUILD_DIR)/bin/ipvsadm-fnat $(CMAKE_BUILD_DIR)/bin/ipvs-fnat-mirror $(CMAKE_BUILD_DIR)/bin/ipvs-fnat-rhi $(BUILD)/

unit: tool
	ctest --test-dir $(CMAKE_BUILD_DIR) --output-on-failure

# Static checks of the kernel code (sparse): a stage of make test.
sparse: deps
	$(check-kdir)
	@scripts/sparse-check.sh $(KDIR) kernel/ipvs_fnat kernel/toa

test: all test-modules
	@tests/run-tests.sh

# --- the debug kernel (docs/testing.md) ------------------------------------------------
# Built from Debian's linux-source-6.1 into ${XDG_CACHE_HOME:-~/.cache}/ipvs-fnat/, keyed
# by the source version and tests/debug-kernel/*.config; a no-op when nothing changed.
# test-debug rebuilds the modules, test modules and tools against it (build/ then holds
# debug-kernel modules until the next make or make test).
# E2E="50-fullnat 73-faults-load low-memory": a subset.
DEBUG_KDIR = $(shell scripts/debug-kernel --dir)/src

debug-kernel: deps
	scripts/debug-kernel

test-debug: debug-kernel
	$(MAKE) SKIP_DEPS=1 KDIR=$(DEBUG_KDIR) modules test-modules tool
	@tests/run-tests.sh --debug $(E2E)

test-debug-selftest: debug-kernel
	$(MAKE) SKIP_DEPS=1 KDIR=$(DEBUG_KDIR) test-modules
	@tests/debug-kernel/selftest.sh

# Only the end-to-end tests, in one guest boot: make e2e [E2E="tests/e2e/10-x.sh ..."]
e2e: all test-modules
	scripts/vm-run -- tests/e2e/run.sh $(E2E)

demo: all
	scripts/vm-run -- scripts/demo.sh

# Benchmarks: one guest boot without slub_debug (vm-run --bench); results in build/bench/,
# docs/benchmarks.md (generated section) and docs/bench-scale.png, BENCH lines last.
# BENCH_BEFORE_KO=path/ipvs_fnat.ko adds that build as a before/after mode (toa0).
bench: all
	scripts/vm-run --bench -m 4096 -t 3600 -l $(BUILD)/bench-console.log \
		$(if $(BENCH_BEFORE_KO),-e BENCH_BEFORE_KO=$(abspath $(BENCH_BEFORE_KO))) \
		-e "BENCH_HOST=$$(nproc) CPUs ($$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)), load average $$(cut -d' ' -f1-3 /proc/loadavg) when the run started" \
		-- tests/bench/run.sh

# The forwarding benchmark alone (tests/bench/pps.sh): BENCH lines, build/bench/pps.out
# and pps.tsv. PROFILE=1: the profile of the director's path instead (bpftrace, on
# single-threaded TCG), build/bench/pps-profile.txt and .svg.
bench-pps: all
	mkdir -p $(BUILD)/bench
	$(if $(filter 1,$(PROFILE)),VM_TCG_THREAD=single) scripts/vm-run --bench -m 4096 -t 3600 \
		-l $(BUILD)/bench-pps-console.log $(if $(filter 1,$(PROFILE)),-e PROFILE=1) -e E2E_NAME=pps \
		-- bash tests/bench/pps.sh | tee $(BUILD)/bench/pps$(if $(filter 1,$(PROFILE)),-profile).out

# --- installing (docs/director.md) ------------------------------------------------------
#   make install [DESTDIR=...] [PREFIX=/usr/local]
# The modules go to /lib/modules/KVER/extra (KVER: the release of KDIR's headers) and
# depmod runs (not with DESTDIR: a packager runs it on the target); the tool, the
# keepalived mirror daemon and the route health injector to PREFIX/sbin, their man
# pages to PREFIX/share/man/man8, the systemd units (not enabled: ipvsadm-fnat.service,
# ipvs-fnat-mirror.service, ipvs-fnat-rhi.service, ipvsadm-fnat-prometheus.service and
# .timer) to PREFIX/lib/systemd/system, the
# modules-load.d / modprobe.d / sysctl.d examples and the mirror's and the injector's /etc/default files to
# PREFIX/share/doc/ipvs-fnat/examples. With DKMS instead of the extra/ copies:
# make install-userspace dkms-install (packaging/dkms.sh).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
EXAMPLESDIR ?= $(PREFIX)/share/doc/ipvs-fnat/examples
# The release the headers were made for (Debian's include/config/kernel.release holds
# the upstream version, not the release).
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR = /lib/modules/$(KVER)/extra

install: install-modules install-userspace

install-modules: modules
	@test -n "$(KVER)" || { echo "cannot tell the kernel release of KDIR '$(KDIR)': set KVER" >&2; exit 1; }
	install -D -m 0644 $(BUILD)/ipvs_fnat.ko $(DESTDIR)$(MODDIR)/ipvs_fnat.ko
	install -D -m 0644 $(BUILD)/toa.ko $(DESTDIR)$(MODDIR)/toa.ko
	@if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(KVER)"; depmod -a $(KVER); fi

# Everything but the modules: with DKMS (make dkms-install) instead of install-modules.
install-userspace: tool
	install -D -m 0755 $(BUILD)/ipvsadm-fnat $(DESTDIR)$(SBINDIR)/ipvsadm-fnat
	install -D -m 0644 man/ipvsadm-fnat.8 $(DESTDIR)$(MANDIR)/man8/ipvsadm-fnat.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/ipvsadm-fnat.service.in \
		>$(DESTDIR)$(UNITDIR)/ipvsadm-fnat.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ipvsadm-fnat.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/ipvsadm-fnat-prometheus.service.in \
		>$(DESTDIR)$(UNITDIR)/ipvsadm-fnat-prometheus.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ipvsadm-fnat-prometheus.service
	install -m 0644 packaging/ipvsadm-fnat-prometheus.timer $(DESTDIR)$(UNITDIR)/ipvsadm-fnat-prometheus.timer
	install -D -m 0755 $(BUILD)/ipvs-fnat-mirror $(DESTDIR)$(SBINDIR)/ipvs-fnat-mirror
	install -D -m 0644 man/ipvs-fnat-mirror.8 $(DESTDIR)$(MANDIR)/man8/ipvs-fnat-mirror.8
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/ipvs-fnat-mirror.service.in \
		>$(DESTDIR)$(UNITDIR)/ipvs-fnat-mirror.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ipvs-fnat-mirror.service
	install -D -m 0644 packaging/default/ipvs-fnat-mirror $(DESTDIR)$(EXAMPLESDIR)/default/ipvs-fnat-mirror
	install -D -m 0755 $(BUILD)/ipvs-fnat-rhi $(DESTDIR)$(SBINDIR)/ipvs-fnat-rhi
	install -D -m 0644 man/ipvs-fnat-rhi.8 $(DESTDIR)$(MANDIR)/man8/ipvs-fnat-rhi.8
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/ipvs-fnat-rhi.service.in \
		>$(DESTDIR)$(UNITDIR)/ipvs-fnat-rhi.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ipvs-fnat-rhi.service
	install -D -m 0644 packaging/default/ipvs-fnat-rhi $(DESTDIR)$(EXAMPLESDIR)/default/ipvs-fnat-rhi
	for d in modules-load.d modprobe.d sysctl.d; do for f in packaging/$$d/*.conf; do \
		install -D -m 0644 $$f $(DESTDIR)$(EXAMPLESDIR)/$$d/$$(basename $$f) || exit 1; done; done
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null; then \
		systemctl daemon-reload 2>/dev/null || true; fi

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/ipvs_fnat.ko $(DESTDIR)$(MODDIR)/toa.ko
	rm -f $(DESTDIR)$(SBINDIR)/ipvsadm-fnat $(DESTDIR)$(MANDIR)/man8/ipvsadm-fnat.8
	rm -f $(DESTDIR)$(UNITDIR)/ipvsadm-fnat.service $(DESTDIR)$(UNITDIR)/ipvsadm-fnat-prometheus.service \
		$(DESTDIR)$(UNITDIR)/ipvsadm-fnat-prometheus.timer
	rm -f $(DESTDIR)$(SBINDIR)/ipvs-fnat-mirror $(DESTDIR)$(MANDIR)/man8/ipvs-fnat-mirror.8
	rm -f $(DESTDIR)$(UNITDIR)/ipvs-fnat-mirror.service
	rm -f $(DESTDIR)$(SBINDIR)/ipvs-fnat-rhi $(DESTDIR)$(MANDIR)/man8/ipvs-fnat-rhi.8
	rm -f $(DESTDIR)$(UNITDIR)/ipvs-fnat-rhi.service
	rm -rf $(DESTDIR)$(EXAMPLESDIR)
	@if [ -z "$(DESTDIR)" ] && [ -n "$(KVER)" ]; then depmod -a $(KVER); fi

# DKMS: the sources to /usr/src/ipvs-fnat-VERSION, dkms add/build/install for
# DKMS_KERNEL (default: the running kernel, as dkms does), then every later kernel.
dkms-install: deps
	packaging/dkms.sh install $(DKMS_KERNEL)

dkms-uninstall:
	packaging/dkms.sh uninstall

# Netlink and packet fuzzing, faults and load at full length, a low-memory guest:
# figures in build/test-results/fuzz-summary.txt (tests/fuzz.sh).
fuzz: all
	@tests/fuzz.sh

clean:
	for d in kernel/ipvs_fnat kernel/toa tests/kmod/warn_on_load; do \
		[ -z "$(KDIR)" ] || $(MAKE) -C $(KDIR) M=$(CURDIR)/$$d clean; done
	rm -rf $(BUILD)
