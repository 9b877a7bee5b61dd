#!/bin/sh
# The man pages render without a warning (groff -ww, and man --warnings),
# and their title line names this version of liblrelu.
# Usage: check_man.sh VERSION PAGE...
set -eu
version=$1
shift
fail=0
for page in "$@"; do
    if ! head -n 1 "$page" | grep -qF "\"liblrelu $version\""; then
        echo "FAIL $page: its .TH line does not name liblrelu $version: $(head -n 1 "$page")"
        fail=1
    fi
    out=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail=1
    if [ -n "$out" ]; then
        echo "FAIL groff warns on $page:"
        echo "$out"
        fail=1
    fi
    if command -v man >/dev/null 2>&1; then
        out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null) || fail=1
        if [ -n "$out" ]; then
            echo "FAIL man warns on $page:"
            echo "$out"
            fail=1
        fi
    fi
    [ $fail -eq 0 ] && echo "ok $page: $(groff -man -Tutf8 "$page" 2>/dev/null | wc -l) lines"
done
exit $fail
