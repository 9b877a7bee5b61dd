#!/bin/sh
# Installs the build into a temporary destdir and uses it as a consumer
# would: checks the installed files, builds C and C++ programs out of tree
# with pkg-config (shared, and static when the static library is built) and
# with CMake through the installed CMake package (lrelu::lrelu, likewise),
# runs them, loads the library with dlopen, runs the installed lrelu-info,
# and checks the installed library's hardening (check_hardening.sh).
# Usage: check_install.sh BUILD_DIR SOURCE_DIR VERSION EXPECT_BIND_NOW(0|1)
# CC and CXX name the compilers.
set -eu
build=$1 src=$2 version=$3 expect_now=$4
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail=0
check() { # description, command...
    what=$1
    shift
    if "$@" >"$dest/out" 2>&1; then
        echo "ok   $what"
    else
        echo "FAIL $what"
        sed 's/^/     /' "$dest/out"
        fail=1
    fi
}

meson install -C "$build" --no-rebuild --destdir "$dest/root" >/dev/null
pc=$(find "$dest/root" -name lrelu.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL no lrelu.pc installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$dest/root"
# pkgconf puts the sysroot in front of variables; pkg-config does not.
in_root() {
    v=$(pkg-config --variable="$1" lrelu)
    case "$v" in "$dest/root"/*) echo "$v" ;; *) echo "$dest/root$v" ;; esac
}
root_prefix=$(in_root prefix)
libdir=$(in_root libdir)
incdir=$(in_root includedir)

check "header installed" test -f "$incdir/lrelu.h"
check "liblrelu.so.$version installed" test -f "$libdir/liblrelu.so.$version"
check "liblrelu.so.1 -> liblrelu.so.$version" test "$(readlink "$libdir/liblrelu.so.1")" = "liblrelu.so.$version"
check "liblrelu.so -> liblrelu.so.1" test "$(readlink "$libdir/liblrelu.so")" = liblrelu.so.1
check "soname is liblrelu.so.1" sh -c "readelf -dW '$libdir/liblrelu.so.$version' | grep -q 'SONAME.*\[liblrelu.so.1\]'"
check "lrelu(3) installed" test -f "$root_prefix/share/man/man3/lrelu.3"
check "lrelu-info(1) installed" test -f "$root_prefix/share/man/man1/lrelu-info.1"
check "lrelu-info installed" test -x "$root_prefix/bin/lrelu-info"
check "installed lrelu-info runs" sh -c "LD_LIBRARY_PATH='$libdir' '$root_prefix/bin/lrelu-info' --version | grep -qF ' $version'"

cflags=$(pkg-config --cflags lrelu)
libs=$(pkg-config --libs lrelu)
# shellcheck disable=SC2086
check "C program, shared, via pkg-config" $CC -o "$dest/c_shared" "$src/tests/consumer.c" $cflags $libs
check "C program, shared, runs" env LD_LIBRARY_PATH="$libdir" "$dest/c_shared"
# shellcheck disable=SC2086
check "C++ program, shared, via pkg-config" $CXX -o "$dest/cxx_shared" "$src/tests/test_cxx.cpp" $cflags $libs
check "C++ program, shared, runs" env LD_LIBRARY_PATH="$libdir" "$dest/cxx_shared"
# shellcheck disable=SC2086
check "dlopen program builds" $CC -o "$dest/dl" "$src/tests/consumer_dlopen.c" -ldl
check "dlopen + dlvsym of every symbol" "$dest/dl" "$libdir/liblrelu.so.1"

if [ -f "$libdir/liblrelu.a" ]; then
    static_libs=$(pkg-config --static --libs lrelu)
    # shellcheck disable=SC2086
    check "C program, static, via pkg-config --static" $CC -static -o "$dest/c_static" "$src/tests/consumer.c" $cflags $static_libs
    check "C program, static, has no dynamic section" sh -c "! readelf -dW '$dest/c_static' | grep -q NEEDED"
    check "C program, static, runs" "$dest/c_static"
    # shellcheck disable=SC2086
    check "C++ program, static, via pkg-config --static" $CXX -static -o "$dest/cxx_static" "$src/tests/test_cxx.cpp" $cflags $static_libs
    check "C++ program, static, runs" "$dest/cxx_static"
else
    echo "note: no static library in this build (default_library=shared)"
fi

# The CMake package: an out-of-tree CMake project (tests/cmake) finds
# lrelu::lrelu through CMAKE_PREFIX_PATH, shared and (when built) static.
if command -v cmake >/dev/null 2>&1; then
    cmake_dir=$(dirname "$(find "$dest/root" -name lreluConfig.cmake | head -n 1)")
    check "lreluConfig.cmake + version file installed" test -f "$cmake_dir/lreluConfigVersion.cmake"
    cmake_consumer() { # name, cmake arguments...
        b="$dest/cmake-$1"
        shift
        CC=${CC%% *} cmake -S "$src/tests/cmake" -B "$b" -DCMAKE_PREFIX_PATH="$root_prefix" "$@" &&
            cmake --build "$b"
    }
    check "CMake program, shared, via lrelu::lrelu" cmake_consumer shared
    check "CMake program, shared, needs liblrelu.so.1" sh -c "readelf -dW '$dest/cmake-shared/consumer' | grep -q 'NEEDED.*\[liblrelu.so.1\]'"
    check "CMake program, shared, runs" env LD_LIBRARY_PATH="$libdir" "$dest/cmake-shared/consumer"
    check "CMake: find_package(lrelu 2) is refused" sh -c "! cmake_out=\$(CC=${CC%% *} cmake -S '$src/tests/cmake' -B '$dest/cmake-v2' -DCMAKE_PREFIX_PATH='$root_prefix' -DLRELU_WANT=2 2>&1)"
    if [ -f "$libdir/liblrelu.a" ]; then
        check "CMake program, static, via lrelu::lrelu" cmake_consumer static -DLRELU_USE_STATIC_LIBS=ON
        check "CMake program, static, needs no liblrelu.so" sh -c "test -x '$dest/cmake-static/consumer' && ! readelf -dW '$dest/cmake-static/consumer' | grep -q 'NEEDED.*liblrelu'"
        check "CMake program, static, runs" "$dest/cmake-static/consumer"
    fi
else
    echo "note: no cmake: the CMake package is not checked"
fi

check "installed library hardening" "$src/tests/check_hardening.sh" "$libdir/liblrelu.so.$version" "$expect_now"
exit $fail
