#!/usr/bin/env bash
# Builds liblrelu with warnings as errors (gcc with shared and static
# libraries, then clang) and runs the whole test suite with each; builds once
# more with the distribution's hardening flags and runs the suite there;
# checks that two builds in different directories are byte-identical; runs
# the suite under sanitizers, valgrind and the fuzzer
# (scripts/test-reliability.sh) and on other CPUs under qemu
# (scripts/qemu-test.sh: AArch64, x86-64 as a Haswell, a Nehalem and the bare
# baseline, s390x, armhf and i386); checks the formatting. Installs what it needs
# from Debian when missing. Exit status 0 only when everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# The benchmark's smoke test needs Google Benchmark, the peers it builds
# against, and the Python side (peers and report); the packaging tests need
# dpkg-buildflags, readelf and groff.
need_packages "${BUILD_PACKAGES[@]}" clang clang-format binutils git libbenchmark-dev \
    libeigen3-dev libxnnpack-dev libpthreadpool-dev libdnnl-dev \
    python3 python3-numpy python3-torch python3-matplotlib dpkg-dev groff-base man-db

failed=0
common=(--wrap-mode=nodownload -Dwerror=true -Dtests=enabled)

# build_and_test DIR [meson setup arguments...]: a fresh build and its tests.
build_and_test() {
    local build=$1
    shift
    rm -rf "$build"
    echo "== $build: build and test"
    if meson setup "$build" "${common[@]}" "$@" && meson compile -C "$build" &&
        meson test -C "$build" --print-errorlogs; then
        :
    else
        failed=1
    fi
}

CC=gcc CXX=g++ build_and_test build-test-gcc --buildtype=debugoptimized \
    -Ddefault_library=both -Dbench=enabled
CC=clang CXX=clang++ build_and_test build-test-clang --buildtype=debugoptimized -Dbench=enabled

# The distribution's flags: Debian's hardening (full RELRO, BIND_NOW, PIE,
# stack protector, fortify), which the install test then finds in the
# installed library, and link-time optimisation (-flto, as Ubuntu's
# default flags and Debian's optimize=+lto have it), which the kernels
# stay out of (meson.build) and the ISA checks then see through.
(
    export DEB_BUILD_MAINT_OPTIONS="hardening=+all optimize=+lto"
    eval "$(dpkg-buildflags --export=sh)"
    CC=gcc CXX=g++ build_and_test build-test-hardened --buildtype=plain \
        -Ddefault_library=both -Dbench=disabled
    exit $failed
) || failed=1

echo "== reproducible: two builds in different directories"
for d in build-repro-a build-repro-b; do
    rm -rf "$d"
    meson setup "$d" --wrap-mode=nodownload --buildtype=debugoptimized -Ddefault_library=both \
        -Dtests=disabled -Dbench=disabled >/dev/null && meson compile -C "$d" >/dev/null ||
        failed=1
done
for f in "$(basename "$(readlink -f build-repro-a/liblrelu.so)")" liblrelu.a lrelu-info; do
    if cmp "build-repro-a/$f" "build-repro-b/$f"; then
        echo "ok   $f identical"
    else
        echo "FAIL $f differs between the two builds"
        failed=1
    fi
done

# Reliability: the suite under ASan + UBSan, valgrind and TSan, and a
# bounded run of the differential fuzzer (scripts/test-reliability.sh).
if ! bash scripts/test-reliability.sh; then
    failed=1
fi

# Other CPUs, under qemu user mode; each target prints its timings.
for target in aarch64 x86-64 s390x armhf i386; do
    bash scripts/qemu-test.sh "$target" || failed=1
done

# The Python package: pip installs it from this tree into a fresh venv
# that sees Debian's packages (offline, meson-python), then pytest runs
# tests/python: the ufuncs bit for bit, PReLU, errors, kernels, threads and
# a Dask LocalCluster with worker processes (loopback only).
echo "== Python package: pip install . into a venv, pytest tests/python"
need_packages python3-mesonpy python3-numpy python3-dev python3-pytest python3-dask python3-distributed \
    python3-venv cmake
rm -rf build-test-python
if /usr/bin/python3 -m venv --system-site-packages build-test-python/venv &&
    build-test-python/venv/bin/pip install -q --no-build-isolation --no-index . &&
    (cd tests/python && timeout 900 ../../build-test-python/venv/bin/python -m pytest -q \
        -p no:cacheprovider); then
    :
else
    failed=1
fi
rm -f .mesonpy-native-file.ini

echo "== formatting (.clang-format)"
if ! git ls-files '*.c' '*.h' '*.cpp' | xargs clang-format --dry-run --Werror; then
    failed=1
fi

exit $failed
