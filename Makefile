# Thin wrappers so a newcomer needs two commands:  make demo  and  make test.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build test test-fast demo clean format

all: build

deps:
	./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The main job: a real demo project on the embedded SQLite default.
demo: build
	./scripts/demo.sh $(BUILD)/hitloop

# Everything CI runs.
test: build
	./scripts/test.sh $(BUILD)

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L fast

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h')

clean:
	rm -rf $(BUILD)
