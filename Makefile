# Thin wrapper over Meson for the README's two commands.
#   make demo   install dependencies, build, run the main job (demo)
#   make test   install dependencies, build with ASan+UBSan (and the release build), run every test
.PHONY: all demo test bench clean deps

all: build/build.ninja
	ninja -C build

deps:
	@sh scripts/install-deps.sh build

build/build.ninja: | deps
	meson setup build --buildtype=release -Dwerror=true

build-test/build.ninja: | deps
	meson setup build-test --buildtype=debug -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false

demo: deps build/build.ninja
	meson setup --reconfigure build >/dev/null
	ninja -C build
	sh examples/demo.sh build/rctkit

test: deps build-test/build.ninja build/build.ninja
	meson setup --reconfigure build-test >/dev/null
	ninja -C build-test
	@echo "release build (-O3 -Werror: what make demo compiles)"
	meson setup --reconfigure build >/dev/null
	ninja -C build
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	  meson test -C build-test --print-errorlogs

bench:
	@sh scripts/install-deps.sh bench
	test -f build/build.ninja || meson setup build --buildtype=release
	ninja -C build
	sh bench/run.sh build

clean:
	rm -rf build build-test
