# ohlin: the two everyday commands are `make demo` and `make test`.
# Extra CMake options go in CMAKE_FLAGS, e.g. `make test CMAKE_FLAGS=-DOHLIN_WERROR=ON`.
# They are cached in $(BUILD_DIR): `make clean` forgets them.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
CMAKE_FLAGS ?=
JOBS ?= 2
# `make sanitize` and `make fuzz` build in folders of their own.
SANITIZE_DIR ?= build-sanitize
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: deps fuzz-deps build demo test sanitize fuzz bench worlds clean

deps:
	./tools/install-deps.sh

fuzz-deps:
	./tools/install-deps.sh --fuzz

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Ends with the demo's report: one HTML file that opens offline in any browser. The folder is
# the one `ohlin solve` picks from the scenario's name, given explicitly for the report.
DEMO_RESULTS = out/default_us_china_tariff_war_2018_19_bown_2023
demo: build
	./$(BUILD_DIR)/ohlin solve scenarios/default.yaml --out $(DEMO_RESULTS)
	./$(BUILD_DIR)/ohlin report $(DEMO_RESULTS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# The whole test suite built with AddressSanitizer and UndefinedBehaviorSanitizer; -O1 with
# line tables only builds in half the time of -O2 -g and still gives file:line in reports.
sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DOHLIN_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_DIR) -j$(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

# libFuzzer targets (clang) for the benchmark and scenario loaders, FUZZ_SECONDS each.
fuzz: fuzz-deps
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DOHLIN_FUZZ=ON -DBUILD_TESTING=OFF
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target fuzz_benchmark fuzz_scenario fuzz_state fuzz_paths
	./tools/run-fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The real worlds from ../shared/data (or SHARED=/path/to/shared/data), then the demo world.
SHARED ?=
worlds: build
	python3 data/make_wiod.py $(if $(SHARED),--shared $(SHARED))
	./$(BUILD_DIR)/ohlin aggregate data/wiod2014/world.yaml --map data/default_map.yaml \
	  --out data/default

bench: build
	./$(BUILD_DIR)/ohlin bench

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR)
