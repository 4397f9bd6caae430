# ohlin: the two everyday commands are `make demo` and `make test`.
# Extra CMake options go in CMAKE_FLAGS, e.g. `make test CMAKE_FLAGS=-DOHLIN_WERROR=ON`.
# They are cached in $(BUILD_DIR): `make clean` forgets them.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
CMAKE_FLAGS ?=
JOBS ?= 2

.PHONY: deps build demo test bench clean

deps:
	./tools/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j$(JOBS)

demo: build
	./$(BUILD_DIR)/ohlin solve scenarios/default.yaml

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

bench: build
	./$(BUILD_DIR)/ohlin bench

clean:
	rm -rf $(BUILD_DIR)
