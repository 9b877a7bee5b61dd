#!/usr/bin/env bash
# Builds liblrelu with warnings as errors (gcc, then clang) and runs the whole
# test suite with each; checks the formatting and the exported symbols. Then
# runs the suite on other CPUs under qemu (scripts/qemu-test.sh): AArch64,
# x86-64 as a Haswell and as a Nehalem, s390x and armhf. Installs what it
# needs from Debian when missing. Exit status 0 only when everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# The benchmark's smoke test needs Google Benchmark, the peers it builds
# against, and the Python side (peers and report).
need_packages "${BUILD_PACKAGES[@]}" clang clang-format binutils git libbenchmark-dev \
    libeigen3-dev libxnnpack-dev libpthreadpool-dev libdnnl-dev \
    python3 python3-numpy python3-torch python3-matplotlib

failed=0
for compiler in gcc clang; do
    build="build-test-$compiler"
    rm -rf "$build"
    echo "== $compiler: build and test"
    if CC=$compiler CXX=$([ $compiler = gcc ] && echo g++ || echo clang++) \
        meson setup "$build" --buildtype=debugoptimized -Dwerror=true -Dtests=enabled -Dbench=enabled \
        --wrap-mode=nodownload >"$build.setup.log" 2>&1 &&
        meson compile -C "$build" &&
        meson test -C "$build" --print-errorlogs; then
        :
    else
        [ -f "$build/meson-logs/meson-log.txt" ] || cat "$build.setup.log"
        failed=1
    fi
done

# Other CPUs, under qemu user mode; each target prints its timings.
for target in aarch64 x86-64 s390x armhf; do
    bash scripts/qemu-test.sh "$target" || failed=1
done

echo "== formatting (.clang-format)"
if ! git ls-files '*.c' '*.h' '*.cpp' | xargs clang-format --dry-run --Werror; then
    failed=1
fi

exit $failed
