# ipvs-fullnat — top-level build.
#
#   make            dependencies, both modules, the tool and the unit tests
#   make test       unit tests, then every end-to-end test inside the test guest
#   make demo       the FULLNAT demo inside the test guest
#   make bench      benchmarks inside the test guest
#
# Kernel modules build with Kbuild against KDIR: by default the headers of the newest
# kernel under /lib/modules/*/build (Debian's linux-headers-amd64), never `uname -r`,
# whose kernel may not even support modules. Artifacts: build/ipvs_fnat.ko,
# build/toa.ko, build/ipvsadm-fnat.

KDIR ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
BUILD := $(CURDIR)/build
CMAKE_BUILD_DIR ?= $(BUILD)/cmake
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps modules module-fnat module-toa test-modules tool unit sparse test e2e demo bench clean

all: deps modules tool

deps:
	@scripts/deps.sh

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
	@mkdir -p $(BUILD)/test && cp tests/kmod/warn_on_load/warn_on_load.ko $(BUILD)/test/

tool: deps
	cmake -S . -B $(CMAKE_BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE)
	cmake --build $(CMAKE_BUILD_DIR) -j $(JOBS)
	@mkdir -p $(BUILD) && cp $(CMAKE_BUILD_DIR)/bin/ipvsadm-fnat $(BUILD)/

unit: tool
	ctest --test-dir $(CMAKE_BUILD_DIR) --output-on-failure

# Static checks of the kernel code (sparse): a stage of make test.
sparse: deps
	$(check-kdir)
	@scripts/sparse-check.sh $(KDIR) kernel/ipvs_fnat kernel/toa

test: all test-modules
	@tests/run-tests.sh

# Only the end-to-end tests, in one guest boot: make e2e [E2E="tests/e2e/10-x.sh ..."]
e2e: all test-modules
	scripts/vm-run -- tests/e2e/run.sh $(E2E)

demo: all
	scripts/vm-run -- scripts/demo.sh

bench: all
	scripts/vm-run -m 4096 -t 1800 -- tests/bench/run.sh

clean:
	for d in kernel/ipvs_fnat kernel/toa tests/kmod/warn_on_load; do \
		[ -z "$(KDIR)" ] || $(MAKE) -C $(KDIR) M=$(CURDIR)/$$d clean; done
	rm -rf $(BUILD)
