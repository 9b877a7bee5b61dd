#!/bin/sh
# Hardening of a built library, read with readelf: no executable stack, no
# text relocations, and, when the build was linked with -z relro -z now
# (the distribution's hardening flags), full RELRO and BIND_NOW.
# Usage: check_hardening.sh LIBRARY EXPECT_BIND_NOW(0|1)
set -eu
lib=$1 expect_now=$2
fail=0
stack=$(readelf -lW "$lib" | awk '$1 == "GNU_STACK" { print $(NF - 1) }')
case "$stack" in
RW) ;;
*) echo "FAIL $lib: stack is not RW (GNU_STACK flags: ${stack:-missing})"; fail=1 ;;
esac
if readelf -dW "$lib" | grep -q TEXTREL; then
    echo "FAIL $lib has text relocations"
    fail=1
fi
if [ "$expect_now" = 1 ]; then
    readelf -lW "$lib" | grep -q GNU_RELRO || { echo "FAIL $lib: no RELRO segment"; fail=1; }
    readelf -dW "$lib" | grep -Eq 'BIND_NOW|FLAGS.*NOW' || { echo "FAIL $lib: not BIND_NOW"; fail=1; }
fi
[ $fail -eq 0 ] && echo "hardening: non-executable stack, no TEXTREL$([ "$expect_now" = 1 ] && echo ', full RELRO, BIND_NOW')"
exit $fail
