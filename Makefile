# Thin wrappers so a newcomer needs two commands:  make demo  and  make test.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build test test-fast test-asan test-tsan fuzz fuzz-corpus demo clean format tidy sizes

all: build

deps:
	./scripts/install-deps.sh

# Unity-built (modules and tests in batches of 8 files): half the cold build's CPU of a file-by-file
# build (bench/RESULTS.md, "CI time"). A plain `cmake -S . -B DIR` builds file by file.
$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHITLOOP_UNITY=ON -DHITLOOP_UNITY_TESTS=ON

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

# The sanitizer tiers alone, long forms (`make test` runs their short forms, scripts/test.sh).
# ASan+UBSan: build-asan, every fast test, zero reports.
test-asan: deps
	./scripts/test-asan.sh build-asan

# TSan: build-tsan, the threaded suites (server, group-commit writer, store, scope cache), zero reports.
test-tsan: deps
	./scripts/test-tsan.sh build-tsan

# The fuzz tier: libFuzzer targets (fuzz/) built with clang + ASan/UBSan in build-fuzz, each run
# FUZZ_SECONDS from its seed corpus (fuzz/corpus/); any crash or sanitizer report fails it.
FUZZ_SECONDS ?= 60
fuzz: deps
	./scripts/fuzz.sh $(FUZZ_SECONDS)

# Refills the committed seed corpora from tests/data and the fixtures (scripts/fuzz-corpus.sh).
fuzz-corpus:
	./scripts/fuzz-corpus.sh build-fuzz

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h')

# clang-tidy (.clang-tidy) on the C++ sources changed against BASE (default main), using the
# build's compile_commands.json. TIDY_FILES=... overrides the file list.
BASE ?= main
TIDY_FILES ?= $(shell git diff --name-only --diff-filter=d $(BASE) -- 'src/*.cc' 'tests/*.cc' 2>/dev/null)
tidy: $(BUILD)/build.ninja
	@if [ -z "$(strip $(TIDY_FILES))" ]; then echo "tidy: no changed .cc files against $(BASE)"; \
	else clang-tidy -p $(BUILD) --quiet $(TIDY_FILES); fi

# Size targets: no function in src/ over 150 lines, no file over 700 (lists the offenders).
sizes:
	./scripts/check_sizes.py

clean:
	rm -rf $(BUILD)
