# The two entry points of the README: `make run` and `make test`. Both install what they need.
BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
TSAN_DIR    ?= build-tsan
FUZZ_DIR    ?= build-fuzz
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache (when installed) matches objects across build directories by paths relative to here.
export CCACHE_BASEDIR ?= $(CURDIR)
# The test suites use precompiled headers (tests/CMakeLists.txt), which ccache caches only with
# these sloppiness settings.
export CCACHE_SLOPPINESS ?= pch_defines,time_macros

.PHONY: all deps test-deps build run test test-release sanitize tsan fuzz bench soak clean

all: build

deps:
	@scripts/install-deps.sh

# Also the npm tools of tests/dispatch (Prism 5.14.2, @octokit/fixtures) and tests/deploy (the
# Kubernetes/Flux schemas, a Dockerfile linter), each pinned by its package-lock.json;
# `npm ci` runs only when node_modules is missing or older than the lock.
test-deps:
	@scripts/install-deps.sh --test
	@for d in tests/dispatch/conformance tests/deploy; do \
	  (cd $$d && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	    npm ci --no-audit --no-fund; \
	  fi) || exit 1; \
	done
	@# kubectl (which embeds kustomize) renders deploy/kubernetes in tests/deploy. It is no Debian
	@# package recent enough (Debian 12 has 1.20), so it cannot be installed here: say so loudly.
	@command -v kubectl >/dev/null 2>&1 || \
	  echo "*** WARNING: kubectl not found: tests/deploy will NOT render or check the kustomizations of deploy/kubernetes (install kubectl >= 1.27)" >&2

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/fluxstatus serve

# Everything CI runs: the Release suite, the whole suite under ASan+UBSan, the threaded suites
# under TSan, each fuzz target for 60 s, and the benchmark's smoke setting.
test: test-release
	$(MAKE) --no-print-directory sanitize
	$(MAKE) --no-print-directory tsan
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60
	$(MAKE) --no-print-directory bench BENCH_SCALE=smoke

# The Release suite alone (the quick loop while developing).
test-release: test-deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DFLUXSTATUS_BUILD_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) || { $(CURDIR)/scripts/failed-checks.sh . ; exit 1; }

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: test-deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DFLUXSTATUS_BUILD_TESTS=ON -DFLUXSTATUS_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) || { $(CURDIR)/scripts/failed-checks.sh . ; exit 1; }

# The suites whose code runs threads (the writer, the dispatcher, the HTTP server, the
# transport, and the real `serve` binary they start) under ThreadSanitizer. The single-threaded
# suites (core, dispatch, app, fuzz regressions) cannot race and are left to `sanitize`.
TSAN_TESTS ?= store_tests ingest_tests service_tests transport_tests dispatch_e2e_tests
tsan: test-deps
	@# -O1 -g1: line tables are all TSan's reports need, and Beast's TUs build in ~60 % of the time.
	cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
	  -DFLUXSTATUS_BUILD_TESTS=ON -DFLUXSTATUS_TSAN=ON $(CMAKE_FLAGS)
	cmake --build $(TSAN_DIR) --target fluxstatus $(TSAN_TESTS) -j $(JOBS)
	cd $(TSAN_DIR) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  ctest --output-on-failure -j $(JOBS) -R '^($(subst $(eval) ,|,$(strip $(TSAN_TESTS))))$$' \
	  || { $(CURDIR)/scripts/failed-checks.sh . ; exit 1; }

# Each libFuzzer target of fuzz/ for FUZZ_SECONDS (clang; scripts/fuzz.sh): fails on any crash,
# leak or sanitizer report and keeps the input in tests/fuzz_regressions/.
FUZZ_SECONDS ?= 60
fuzz: test-deps
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_JOBS=$(JOBS) scripts/fuzz.sh $(FUZZ_SECONDS)

# The soak test (tests/soak) alone, for SOAK_MINUTES (the suite runs it for 150 s): the real
# serve under a realistic Flux stream with restarts and host faults. Prints its seed (SOAK_SEED=N
# replays a run) and a summary: events, keys, restarts, and serve's RSS at start and end.
SOAK_MINUTES ?= 30
soak: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DFLUXSTATUS_BUILD_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) --target fluxstatus soak_tests -j $(JOBS)
	cd $(BUILD_DIR) && SOAK_SECONDS=$$(( $(SOAK_MINUTES) * 60 )) $(if $(SOAK_SEED),SOAK_SEED=$(SOAK_SEED)) \
	  ./tests/soak/soak_tests --log_level=message

# One benchmark run (bench/run.py): writes docs/performance.md and bench/results/*.json.
# BENCH_SCALE=smoke: the < 2 min setting for CI, written into $(BUILD_DIR)/bench/ instead.
# BENCH_ONLY=resync: only "Resync from the cluster" (5,000 Flux objects; smoke: 500), rewriting
# that section of docs/performance.md and writing bench/results/<date>-<commit>-resync.json.
BENCH_SCALE ?= full
bench: build
	cmake --build $(BUILD_DIR) --target benches -j $(JOBS)
	python3 bench/run.py --build-dir $(BUILD_DIR) $(if $(filter smoke,$(BENCH_SCALE)),--smoke) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# build-quickstart: the `make build` that tests/deploy/quickstart.test.mjs runs.
clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR) build-quickstart
