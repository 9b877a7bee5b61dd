#!/bin/sh
# No host-specific compiler flag anywhere in the build: a distribution
# builds once for every CPU of its architecture.
# Usage: check_flags.sh BUILD_DIR
set -eu
db=$1/compile_commands.json
[ -s "$db" ] || { echo "FAIL no $db"; exit 1; }
if grep -Eo -- '-m(arch|tune|cpu)=native' "$db" | sort -u | grep .; then
    echo "FAIL host-specific flags in $db"
    exit 1
fi
echo "flags: $(grep -c '"command"' "$db") compile commands, none host-specific"
