#!/bin/sh
# Smoke run of the benchmark tool chain (no timing is judged): every C++
# benchmark once on tiny arrays, the Python peers in --smoke mode where
# python3 is present, and the report from both where matplotlib is.
# Usage: smoke.sh LRELU_BENCH
set -eu
bench=$1
here=$(dirname "$0")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bench" --smoke --benchmark_format=json --benchmark_out="$dir/bench.json" >/dev/null
count=$(grep -c '"name":' "$dir/bench.json")
[ "$count" -gt 0 ] || { echo "FAIL no benchmarks ran"; exit 1; }
if grep -q '"error_occurred": true' "$dir/bench.json"; then
    echo "FAIL a benchmark reported an error"; exit 1
fi
echo "bench: $count benchmarks ran"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if command -v "$py" >/dev/null 2>&1; then
    "$py" "$here/peers.py" --smoke --out "$dir/peers.json"
    "$py" "$here/report.py" --out "$dir/report" "$dir/bench.json" "$dir/peers.json"
    [ -s "$dir/report/report.md" ] || { echo "FAIL no report written"; exit 1; }
    echo "report: $(wc -l < "$dir/report/report.md") lines"
fi
