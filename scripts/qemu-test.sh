#!/usr/bin/env bash
# Builds liblrelu for another CPU and runs its test suite there, under qemu
# user mode. Installs the cross toolchain and qemu from Debian when missing.
#
#   bash scripts/qemu-test.sh aarch64   AArch64 (Cortex-A72): the default kernel must be neon
#   bash scripts/qemu-test.sh x86-64    as a Haswell (must be avx2), a Nehalem and a bare x86-64 (sse2)
#   bash scripts/qemu-test.sh s390x     big-endian, no SIMD kernel: scalar, no cpu_features
#   bash scripts/qemu-test.sh armhf     32-bit ARM, no SIMD kernel: scalar, no cpu_features
#   bash scripts/qemu-test.sh i386      32-bit x86 (SSE2 needed) as an Atom N270 (sse2) and a Haswell (avx2)
#   bash scripts/qemu-test.sh all       the five, one after the other
#
# Each target builds in build-test-<target> (gcc, warnings as errors, no
# benchmark) and prints how long installing, building and testing took.
# Exit status 0 only when every test of every target passed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# What a cross build needs: SIMDe for the NEON kernel (and the tests' build
# of it elsewhere), the cross gcc/g++ with their binutils, and qemu. No
# cpu_features: only x86-64 builds need it.
CROSS_PACKAGES=(meson ninja-build pkgconf libsimde-dev qemu-user-static)

usage() {
    sed -n '2,10s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

now() { date +%s; }

run_target() {
    local target=$1 build="build-test-$1" triplet="" t0 t1 t2 t3 rc=0
    case "$target" in
    aarch64) triplet=aarch64-linux-gnu ;;
    s390x) triplet=s390x-linux-gnu ;;
    armhf) triplet=arm-linux-gnueabihf ;;
    i386) triplet=i686-linux-gnu ;;
    x86-64)
        if [ "$(uname -m)" != x86_64 ]; then
            echo "x86-64: the Haswell and Nehalem runs need an x86-64 build machine" >&2
            return 1
        fi
        ;;
    *) usage ;;
    esac

    echo "== $target: install"
    t0=$(now)
    if [ -n "$triplet" ]; then
        need_packages "${CROSS_PACKAGES[@]}" "gcc-$triplet" "g++-$triplet" || return 1
    else
        need_packages "${BUILD_PACKAGES[@]}" binutils qemu-user-static || return 1
    fi
    t1=$(now)

    echo "== $target: build"
    local setup_args=(--buildtype=debugoptimized -Dwerror=true -Dtests=enabled -Dbench=disabled
        --wrap-mode=nodownload) compilers=(CC=gcc CXX=g++)
    if [ -n "$triplet" ]; then
        setup_args+=(--cross-file "scripts/cross/$target.ini")
        compilers=() # the cross file names them
    fi
    rm -rf "$build"
    if ! env "${compilers[@]}" meson setup "$build" "${setup_args[@]}" >"$build.setup.log" 2>&1 ||
        ! meson compile -C "$build"; then
        [ -f "$build/meson-logs/meson-log.txt" ] || cat "$build.setup.log"
        echo "== $target: build FAILED"
        return 1
    fi
    rm -f "$build.setup.log"
    t2=$(now)

    echo "== $target: test"
    if [ "$target" = i386 ]; then
        # The same i386 build on two emulated CPUs, chosen with QEMU_CPU
        # (scripts/cross/i386.ini), each with the kernel it must get by
        # default: a 32-bit-only Atom with SSE2, the least liblrelu needs
        # on 32-bit x86 (every test); a Haswell, whose features qemu cannot
        # emulate (and the 64-bit ones) turned off, without the script
        # tests, which the first run ran. Both take the quick kernels test:
        # the full one runs natively.
        local haswell=Haswell,-pcid,-x2apic,-tsc-deadline,-hle,-invpcid,-rtm,-syscall,-lm
        for run in "n270 sse2" "$haswell avx2"; do
            local model=${run% *} expect=${run#* } extra=()
            local vars=(QEMU_CPU="$model" LRELU_TEST_EXPECT_KERNEL="$expect")
            echo "== $target: ${model%%,*} (default must be $expect)"
            vars+=(LRELU_TEST_QUICK=1)
            [ "$model" = n270 ] || extra=(--no-suite static)
            env "${vars[@]}" meson test -C "$build" --print-errorlogs "${extra[@]}" || rc=1
        done
    elif [ -n "$triplet" ]; then
        # The kernels test's quick mode: the full one runs natively.
        LRELU_TEST_QUICK=1 meson test -C "$build" --print-errorlogs || rc=1
    else
        # The same x86-64 build on three emulated CPUs (tests/meson.build).
        for setup in haswell nehalem baseline; do
            echo "== $target: $setup"
            meson test -C "$build" --setup $setup --print-errorlogs || rc=1
        done
    fi
    t3=$(now)
    echo "== $target: $([ $rc = 0 ] && echo passed || echo FAILED);" \
        "install $((t1 - t0)) s, build $((t2 - t1)) s, test $((t3 - t2)) s"
    return $rc
}

[ $# -ge 1 ] || usage
targets=("$@")
[ "$*" != all ] || targets=(aarch64 x86-64 s390x armhf i386)
failed=0
for target in "${targets[@]}"; do
    run_target "$target" || failed=1
done
exit $failed
