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
# Two repetitions in one random order across rows, as scripts/main.sh runs
# the suite (its medians need every repetition of every row).
"$bench" --smoke --benchmark_format=json --benchmark_out="$dir/bench.json" \
    --benchmark_repetitions=2 --benchmark_enable_random_interleaving=true \
    --benchmark_context=repetition_order=random >/dev/null
count=$(grep -c '"run_type": "iteration"' "$dir/bench.json")
[ "$count" -gt 0 ] || { echo "FAIL no benchmarks ran"; exit 1; }
if grep -q '"error_occurred": true' "$dir/bench.json"; then
    echo "FAIL a benchmark reported an error"; exit 1
fi
[ "$(grep -c '"repetition_index": 1,' "$dir/bench.json")" -eq $((count / 2)) ] ||
    { echo "FAIL not every row ran its second repetition"; exit 1; }
echo "bench: $count runs (two repetitions of each benchmark)"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if command -v "$py" >/dev/null 2>&1; then
    "$py" "$here/peers.py" --smoke --plan-from "$dir/bench.json" --out "$dir/peers.json"
    # The peers went round as many arrays as the C suite's rows of the same
    # op and size (n = 1000 is in both smoke runs), with correct results.
    "$py" - "$dir/bench.json" "$dir/peers.json" <<'PY' || exit 1
import json, sys
c_rows = json.load(open(sys.argv[1]))["benchmarks"]
planned = {}
for b in c_rows:
    op, impl, n = b["name"].split("/")[:3]
    if impl.startswith("lrelu:") and "calls" in b and b.get("run_type") != "aggregate":
        planned[(op, int(n))] = int(b["calls"])
peers = [b for b in json.load(open(sys.argv[2]))["benchmarks"] if "calls" in b]
if not peers:
    sys.exit(0)  # every Python peer skipped: nothing to compare
bad = [f"{b['name']}: calls {b['calls']}, C suite {planned.get((b['name'].split('/')[0], b['n']), 1)}"
       for b in peers
       if b["calls"] != planned.get((b["name"].split("/")[0], b["n"]), 1)]
if not any(b["calls"] > 1 for b in peers):
    bad.append("no peer row went round more than one array")
bad += [f"{b['name']}: {b['mismatches']} mismatches" for b in peers
        if b["calls"] > 1 and b["name"].split("/")[0] in ("forward", "backward")
        and b["mismatches"]]
for line in bad:
    print("FAIL peers' batches:", line)
print(f"peers: {len(peers)} rows on the C suite's batches" if not bad else "")
sys.exit(1 if bad else 0)
PY
    "$py" "$here/report.py" --out "$dir/report" "$dir/bench.json" "$dir/peers.json"
    [ -s "$dir/report/report.md" ] || { echo "FAIL no report written"; exit 1; }
    grep -q "on as many input arrays as the C suite's rows" "$dir/report/report.md" ||
        { echo "FAIL the report does not say how the peers were batched"; exit 1; }
    grep -q "Repetitions of lrelu-bench's rows: run in one random order" "$dir/report/report.md" ||
        { echo "FAIL the report does not say the repetitions were interleaved"; exit 1; }
    echo "report: $(wc -l < "$dir/report/report.md") lines"
fi
