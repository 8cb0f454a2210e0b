# Ferry — build, test, demo and benchmarks. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
JAVA_HOME := $(shell bin/jdk)
export JAVA_HOME
MVN := mvn -B -ntp -Dstyle.color=never
# Debian packages the build, tests, demo and benchmarks use.
DEB_PACKAGES := qemu-utils qemu-system-x86 nbdkit nginx-light docker-registry xz-utils zstd gzip bc time tar coreutils util-linux apache2-utils openssl curl python3 libvirt-daemon-system libvirt-clients busybox-static linux-image-amd64 genisoimage e2fsprogs cpio xfsprogs qemu-guest-agent python3-kubernetes prometheus mmdebstrap podman runc
DEB_COMMANDS := qemu-img qemu-system-x86_64 nbdkit nginx docker-registry xz zstd gzip bc /usr/bin/time tar losetup mvn htpasswd openssl curl python3 virsh libvirtd /bin/busybox isoinfo mke2fs cpio mkfs.xfs /usr/sbin/qemu-ga promtool mmdebstrap podman /usr/sbin/runc

.PHONY: help deps build images launcher test test-fast fuzz fuzz-long demo bench bench-local clean

help:
	@echo "make demo       build and import a generated qcow2 with bin/ferry (the README's first command)"
	@echo "make test       the whole test suite, as CI runs it (the README's second command)"
	@echo "make deps       install missing Debian packages (apt-get; needs root)"
	@echo "make build      compile and package bin/ferry"
	@echo "make fuzz-long  fuzz the qcow2 reader and tar extractor for 10 million executions each"
	@echo "make bench      run every benchmark under bench/"
	@echo "make images     build the ferry and ferry-launcher OCI images (REGISTRY=host:port also pushes them and writes a digest-pinned kustomize overlay)"

deps:
	@missing=""; \
	for c in $(DEB_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	ls /boot/vmlinuz-* >/dev/null 2>&1 || missing="$$missing linux-kernel"; \
	/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || missing="$$missing python3-kubernetes"; \
	kubectl=""; command -v kubectl >/dev/null 2>&1 || { missing="$$missing kubectl"; kubectl=kubernetes-client; }; \
	if [[ -z "$$missing" ]]; then echo "deps: all present"; bin/libvirt-up || echo "deps: libvirtd not running (VM tests need it)"; exit 0; fi; \
	echo "deps: missing$$missing; installing with apt-get"; \
	SUDO=""; [[ $$(id -u) -eq 0 ]] || SUDO=sudo; \
	$$SUDO apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES) maven $$kubectl >/dev/null; \
	echo "deps: installed"; \
	bin/libvirt-up || echo "deps: libvirtd not running (VM tests need it)"

build: deps
	$(MVN) -q install -DskipTests
	@$(MAKE) --no-print-directory launcher

# Ferry's images without a Docker daemon: mmdebstrap + jlink bases, Jib on top (bin/build-images).
images: build
	REGISTRY=$(REGISTRY) bin/build-images

launcher:
	@echo "JAVA_HOME=$(JAVA_HOME)" > cli/target/launcher.env
	@bin/train-launcher

# The whole suite, as CI runs it: unit, component (real qemu-img, loop devices) and bounded
# fuzzing, then every benchmark (which also checks its outputs bit for bit).
test:
	@rm -f target/phases.txt
	@bin/phase deps $(MAKE) --no-print-directory deps
	@bin/loop-devices save target/loop-devices.before
	@bin/phase maven $(MVN) install -Pfuzz,e2e
	@bin/phase launcher-cache $(MAKE) --no-print-directory launcher
	bin/phase images bin/test-images
	bin/phase import-local bench/import-local.sh 3
	bin/phase import-remote bench/import-remote.sh 3
	bin/phase upload bench/upload.sh 3
	bin/phase clone bench/clone.sh 3
	bin/phase golden bench/golden.sh 3
	bin/phase snapshot bench/snapshot.sh 3
	bin/phase export bench/export.sh 3
	bin/phase vm bench/vm.sh 3 3
	@bin/loop-devices check target/loop-devices.before
	@bin/phase --report

test-fast: deps
	$(MVN) install

# Every fuzz target for 10 million executions (FUZZ_DURATION caps the time of each; the seeds in
# src/test/resources are where it starts, the corpus it grows stays in disk/.cifuzz-corpus).
fuzz-long: build
	cd disk && $(MVN) -Pfuzz -Dferry.fuzz.duration=$${FUZZ_DURATION:-3h} test-compile surefire:test@fuzz

demo: build
	bin/demo

bench: build
	bench/import-local.sh
	bench/import-remote.sh
	bench/upload.sh
	bench/clone.sh
	bench/golden.sh
	bench/snapshot.sh
	bench/export.sh
	bench/vm.sh

bench-local: build
	bench/import-local.sh

clean:
	$(MVN) -q clean
	rm -rf bench/out
