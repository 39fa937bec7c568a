# edge-agent: the two commands are `make run` and `make test`.
SWIFT    ?= swift
DATA_DIR ?= ./.data
BIN      := .build/debug

.PHONY: run test build deps test-deps bench clean format arm64 check-arm64 check-systemd arm64-figures test-arm64

## make run: install what is missing, build, and run the agent on ./.data (no central).
run: deps build
	@echo "make run: the agent's database is in $(DATA_DIR); point the CLI at it with"
	@echo "  EDGE_DATA_DIR=$(DATA_DIR) $(BIN)/edge-agent tasks list    (or --data-dir $(DATA_DIR))"
	$(BIN)/edge-agent run --data-dir $(DATA_DIR)

## make test: install what the tests need, lint with swift-format (.swift-format), build
## everything, run every test:
## the Swift suites (those needing PostgreSQL get a throwaway PostgreSQL 15 cluster);
## the end-to-end sync tests (real agents, central, PostgreSQL and a fault proxy); the
## attack suite (hostile input, a hostile LAN and a hostile disk, Tests/attack); the
## deployment checks on a static release binary (systemd unit, manifests, shellcheck, the
## .deb installed in a throwaway root, the arm64 sysroot); then real agents under
## schemathesis, promtool and Chromium; the monitoring kit (alert rules under promtool's
## unit tests, the Grafana dashboard, the kube-prometheus-stack component, and every
## metric name they use against a real agent's and central's /metrics); last, the
## aarch64 cross-build (needs root; the first run downloads about 1.1 GB) and its proof
## under qemu (cross/README.md).
test: test-deps
	$(SWIFT) format lint --strict --parallel --recursive Sources Tests Package.swift
	$(SWIFT) build --build-tests
	EDGE_REQUIRE_POSTGRES=1 scripts/with-postgres.sh $(SWIFT) test --skip-build
	scripts/sync-tests.sh
	scripts/attack-tests.sh
	$(SWIFT) build -c release --static-swift-stdlib --product edge-agent
	scripts/check-deploy.sh .build/release/edge-agent
	scripts/live-tests.sh
# monitoring/: promtool check+test rules, dashboard, k8s component, metric names vs real /metrics
	scripts/check-monitoring.sh
	scripts/central-api-tests.sh
	cross/build-arm64.sh
	cross/check-arm64.sh .build-cross/out/arm64 .build/release/edge-agent

## make bench: release build, then every benchmark (prints its figures), the central
## and sync ones against a throwaway PostgreSQL (scripts/bench-central.sh), the
## agent beside Debian's node_exporter under a real Prometheus (CPU, RssAnon, dashboard
## panels with data: scripts/bench-node-exporter.sh), and last the 10-minute sync soak
## (3 agents, 2 centrals, partitions, clock steps, restores: scripts/bench-soak.sh).
bench: deps
	$(SWIFT) build -c release --product edge-bench
	$(SWIFT) build -c release --product edge-agent
	$(SWIFT) build -c release --product edge-central
	.build/release/edge-bench store-commits
	.build/release/edge-bench sampler
	.build/release/edge-bench push-encode
	scripts/bench-http.sh
	scripts/bench-node-exporter.sh
	scripts/bench-connections.sh
	scripts/bench-central.sh
	scripts/bench-soak.sh

build:
	$(SWIFT) build --product edge-agent

## make format: rewrite Sources, Tests and Package.swift as .swift-format says (make test
## fails on any difference).
format:
	$(SWIFT) format format -i --parallel --recursive Sources Tests Package.swift

## make arm64: release edge-agent and edge-central for aarch64 Debian 12 (static Swift
## runtime, stripped) in .build-cross/out/arm64, cross-built with Debian sid's swiftlang
## in a chroot (needs root; caches in .build-cross). See cross/README.md.
arm64:
	cross/build-arm64.sh

## make check-arm64: the aarch64 binaries under qemu (what make test runs after arm64).
check-arm64:
	cross/check-arm64.sh .build-cross/out/arm64

## make arm64-figures: stripped binary sizes (aarch64, x86_64, Debian's node_exporter),
## where the bytes go, image sizes, the cross-build summary, start-to-ready under qemu.
arm64-figures:
	cross/arm64-figures.sh .build-cross/out/arm64 .build/release/edge-agent

## make test-arm64: cross-build the test bundle and run the whole Swift suite under qemu on a
## sid arm64 root, the PostgreSQL suites against a throwaway PostgreSQL (not in make test:
## about 12 minutes to build and 11 to run on two cores; see cross/README.md).
test-arm64:
	scripts/with-postgres.sh cross/test-arm64.sh

## make check-systemd: boot Debian 12 with systemd-nspawn -b, install the amd64 .deb of
## .build/release/edge-agent (make test builds it) and check the unit under a real
## systemd: Type=notify, SIGKILL restart with data intact, watchdog, hardening (root).
check-systemd:
	scripts/check-systemd.sh .build/release/edge-agent

deps:
	scripts/install-deps.sh run

test-deps:
	scripts/install-deps.sh test

clean:
	rm -rf .build .data
