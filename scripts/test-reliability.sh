#!/usr/bin/env bash
# The reliability part of the test command (scripts/test.sh runs it):
#   asan      the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (gcc)
#   valgrind  the compiled tests under valgrind memcheck, child processes included
#   tsan      the whole suite under ThreadSanitizer (clang)
#   fuzz      the differential fuzzer for FUZZ_SECONDS (default 60), clang with
#             AddressSanitizer + UndefinedBehaviorSanitizer; the rest of the
#             suite runs in that build too
#   simde     every kernel through SIMDe's portable code (SIMDE_NO_NATIVE),
#             on x86 every level, AVX-512 included, whatever the CPU: the
#             kernel tests
# Each builds in its own directory, build-test-<part>, and prints how long it
# took. Usage: test-reliability.sh [PART...] (default: all five). Exit status
# 0 only when every part passed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_packages "${BUILD_PACKAGES[@]}" clang libclang-rt-dev valgrind python3

# Sanitizer reports fail the test that caused them: the build stops at the
# first UBSan report (-fno-sanitize-recover), ASan always does, TSan is told
# to; stack traces make the report readable.
export UBSAN_OPTIONS=print_stacktrace=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"

# build PART CC CXX [meson options...]
build() {
    local dir=build-test-$1 cc=$2 cxx=$3
    shift 3
    rm -rf "$dir"
    if ! CC=$cc CXX=$cxx meson setup "$dir" --buildtype=debugoptimized -Dwerror=true \
        -Dtests=enabled --wrap-mode=nodownload "$@" >"$dir.setup.log" 2>&1; then
        cat "$dir.setup.log"
        return 1
    fi
    meson compile -C "$dir"
}

# The packaging tests (suite `install`) build programs against the installed
# library with the plain compiler, which an instrumented library does not
# link or run with; they run in the three plain builds of scripts/test.sh.
part_asan() {
    build asan gcc g++ -Db_sanitize=address,undefined &&
        meson test -C build-test-asan --no-suite install --print-errorlogs
}

# The slow exhaustive tests take their quick mode (LRELU_TEST_QUICK, set by
# the setup); shell-script tests are left out (tests/meson.build says why).
part_valgrind() {
    build valgrind gcc g++ -Dbench=disabled &&
        meson test -C build-test-valgrind --setup valgrind --print-errorlogs
}

# test_kernels is single-threaded: its quick mode is enough under TSan.
# TSan slows the benchmark's tests about eightfold: bench_special_values
# took 274 s of its 300 in one full run and was killed at 300 in the next,
# so its limits are tripled, as the SIMDe part's are.
part_tsan() {
    build tsan clang clang++ -Db_sanitize=thread -Db_lundef=false &&
        LRELU_TEST_QUICK=1 meson test -C build-test-tsan --no-suite install --timeout-multiplier 3 \
            --print-errorlogs
}

part_fuzz() {
    build fuzz clang clang++ -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbench=disabled -Dopenmp=disabled &&
        LRELU_TEST_QUICK=1 meson test -C build-test-fuzz --no-suite install --print-errorlogs
}

# Every kernel on SIMDe's portable code. On x86, -Demulate_isas=true builds
# the kernels without their ISA flags (SIMDE_NO_NATIVE) and takes every
# level as usable: so the AVX-512 kernels' code runs on any x86-64 CPU, the
# only run of it on a CPU without AVX-512. Elsewhere, SIMDE_NO_NATIVE alone.
# The tests of the kernels' bits, flags and bounds, in full; not those of
# the CPU, the dispatch or the machine code, which emulation makes moot.
part_simde() {
    local opt=-Dc_args=-DSIMDE_NO_NATIVE
    case "$(uname -m)" in x86_64 | i?86) opt=-Demulate_isas=true ;; esac
    build simde gcc g++ "$opt" -Dbench=disabled &&
        meson test -C build-test-simde --timeout-multiplier 3 kernels fenv guard_pages align quant \
            quant_xnnpack prelu prelu_stream prelu_oracle oracle parallel --print-errorlogs
}

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(asan valgrind tsan fuzz simde)
failed=0
summary=()
for p in "${parts[@]}"; do
    echo "== reliability: $p"
    start=$SECONDS
    if "part_$p"; then result=ok; else result=FAILED; failed=1; fi
    summary+=("$(printf '%-9s %4d s  %s' "$p" $((SECONDS - start)) "$result")")
done
echo "== reliability: build + run times"
printf '%s\n' "${summary[@]}"
exit $failed
