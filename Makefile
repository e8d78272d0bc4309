# The two entry points of the README: `make run` and `make test`. Both install what they need.
BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps test-deps build run test sanitize bench clean

all: build

deps:
	@scripts/install-deps.sh

# Also the npm tools of tests/dispatch (Prism 5.14.2, @octokit/fixtures), pinned by its
# package-lock.json; `npm ci` runs only when node_modules is missing or older than the lock.
test-deps:
	@scripts/install-deps.sh --test
	@cd tests/dispatch/conformance && \
	  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	    npm ci --no-audit --no-fund; \
	  fi

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/fluxstatus serve

test: test-deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DFLUXSTATUS_BUILD_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: test-deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DFLUXSTATUS_BUILD_TESTS=ON -DFLUXSTATUS_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	cmake --build $(BUILD_DIR) --target benches -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
