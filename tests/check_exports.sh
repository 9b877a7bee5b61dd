#!/bin/sh
# The shared library exports exactly the public API listed in the version
# script, every symbol under the version node LRELU_1, and nothing else.
# Usage: check_exports.sh NM LIBRARY VERSION_SCRIPT
set -eu
nm=$1 lib=$2 map=$3
want=$(sed -n 's/^ *\(lrelu_[a-z_]*\);$/\1@@LRELU_1/p' "$map" | sort)
[ -n "$want" ] || { echo "FAIL no symbols read from $map"; exit 1; }
want=$(printf '%s\nLRELU_1\n' "$want" | sort)
got=$("$nm" -D --defined-only "$lib" | awk '{print $3}' | sort)
if [ "$got" != "$want" ]; then
    echo "FAIL exported symbols differ from $map"
    printf '%s\n' "$want" >want.tmp.$$
    printf '%s\n' "$got" >got.tmp.$$
    diff want.tmp.$$ got.tmp.$$ || true
    rm -f want.tmp.$$ got.tmp.$$
    exit 1
fi
echo "exports: $(printf '%s\n' "$got" | wc -l) symbols, all public and versioned LRELU_1"
