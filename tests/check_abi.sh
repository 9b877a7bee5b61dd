#!/bin/sh
# The ABI guard. The shared library must export exactly the symbols, with
# their versions, recorded in the symbols file (a Debian symbols file): a
# symbol more or less fails. The version script must list the same names.
# A static archive, when given, must define no global symbol outside the
# lrelu_ prefix.
# Usage: check_abi.sh NM SHARED_LIBRARY SYMBOLS_FILE VERSION_SCRIPT [STATIC_LIBRARY]
set -eu
nm=$1 lib=$2 symbols=$3 map=$4 static=${5:-}
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# " name@NODE version" -> what nm -D prints: "NODE" for the node itself,
# "name@@NODE" for a symbol whose default version is NODE.
sed -n 's/^ \([A-Za-z0-9_.]*\)@\([A-Za-z0-9_.]*\) .*/\1 \2/p' "$symbols" |
    awk '{ print ($1 == $2) ? $1 : $1 "@@" $2 }' | sort >"$tmp/want"
[ -s "$tmp/want" ] || { echo "FAIL no symbols read from $symbols"; exit 1; }
"$nm" -D --defined-only "$lib" | awk '{ print $3 }' | sort >"$tmp/got"
if ! cmp -s "$tmp/want" "$tmp/got"; then
    echo "FAIL $lib exports differ from $symbols (< recorded, > exported):"
    diff "$tmp/want" "$tmp/got" || true
    fail=1
fi

sed -n 's/^ *\(lrelu_[a-z0-9_]*\);$/\1/p' "$map" | sort >"$tmp/map"
grep -v '^LRELU_' "$tmp/want" | sed 's/@@.*//' >"$tmp/names"
if ! cmp -s "$tmp/map" "$tmp/names"; then
    echo "FAIL $map and $symbols list different names (< map, > symbols):"
    diff "$tmp/map" "$tmp/names" || true
    fail=1
fi

if [ -n "$static" ]; then
    "$nm" -g --defined-only "$static" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/static"
    if grep -v '^lrelu_' "$tmp/static" >"$tmp/bad"; then
        echo "FAIL $static defines global symbols outside the lrelu_ prefix:"
        cat "$tmp/bad"
        fail=1
    fi
    echo "static archive: $(wc -l <"$tmp/static") global symbols, all lrelu_-prefixed"
fi
[ $fail -eq 0 ] && echo "ABI: $(wc -l <"$tmp/got") exported symbols match $(basename "$symbols")"
exit $fail
