#!/usr/bin/env bash
# The main job: installs what it needs, builds liblrelu in release mode, runs
# the benchmark suite (every kernel, the memory limits and the peers), and
# writes a Markdown table and PNG plots to results/.
#
#   bash scripts/main.sh           about 17 minutes on 2 cores (medians of 3)
#   bash scripts/main.sh --quick   about 2 minutes: two sizes, short timings
#   bash scripts/main.sh --full    ten sizes, medians of 5
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

mode=${1:-default}
interleave=(--benchmark_enable_random_interleaving=true
    --benchmark_context=repetition_order=random)
case "$mode" in
default)
    # Medians of three short repetitions: steadier on a shared machine
    # than one long run, for the same time. The repetitions of all rows run
    # in one random order (Google Benchmark's random interleaving), so that
    # the machine's drift during the run (a neighbour's load on memory
    # bandwidth, a clock change) falls on every row alike instead of on the
    # rows that happened to run at that time.
    bench_args=(--benchmark_min_time=0.04 --benchmark_repetitions=3
        --benchmark_report_aggregates_only=false "${interleave[@]}")
    peer_args=(--min-time 0.04 --repetitions 3)
    python_args=(--min-time 0.04 --rounds 3)
    ;;
--quick)
    bench_args=(--sizes=16K,4M --tiny=16 --benchmark_min_time=0.02)
    peer_args=(--sizes 16384,4194304 --min-time 0.02)
    python_args=(--sizes 1024,4194304 --min-time 0.02 --rounds 2)
    ;;
--full)
    sizes=256,1K,4K,16K,64K,256K,1M,4M,16M,64M
    bench_args=(--sizes=$sizes --benchmark_min_time=0.2 --benchmark_repetitions=5
        --benchmark_report_aggregates_only=false "${interleave[@]}")
    peer_args=(--sizes 256,1024,4096,16384,65536,262144,1048576,4194304,16777216,67108864
        --min-time 0.2 --repetitions 5)
    python_args=(--min-time 0.2 --rounds 5)
    ;;
*)
    echo "usage: bash scripts/main.sh [--quick|--full]" >&2
    exit 2
    ;;
esac

# The library, the benchmark, and every peer Debian packages (each optional
# to the build: a missing one is skipped with one line).
need_packages "${BUILD_PACKAGES[@]}" libbenchmark-dev python3 python3-matplotlib \
    libeigen3-dev libxnnpack-dev libpthreadpool-dev libdnnl-dev python3-numpy python3-torch \
    python3-mesonpy python3-dev python3-venv

build=build-release
# An existing build directory is configured again: the peers are found at
# configure time, and one configured before their packages were installed
# would leave them out of this run.
reconfigure=()
[ -d "$build/meson-private" ] && reconfigure=(--reconfigure)
meson setup "${reconfigure[@]}" "$build" --buildtype=release -Dbench=enabled -Dtests=disabled \
    --wrap-mode=nodownload
meson compile -C "$build"

results=results
mkdir -p "$results"
# Peers run single-threaded, as liblrelu does, and in cache on as many
# arrays as the C suite's rows of the same op and size (bench/batches.py).
export OMP_NUM_THREADS=1
"$build/bench/lrelu-bench" "${bench_args[@]}" \
    --benchmark_out="$results/bench.json" --benchmark_out_format=json
/usr/bin/python3 bench/peers.py "${peer_args[@]}" --plan-from "$results/bench.json" \
    --out "$results/peers.json"
# The Python package (the NumPy ufuncs), installed from this tree into a
# venv that sees Debian's packages (offline), next to NumPy and to the C
# library called directly. Optional: if it cannot be built, the report
# goes without it.
reports=("$results/bench.json" "$results/peers.json")
rm -rf "$build/venv" "$results/python.json"
if /usr/bin/python3 -m venv --system-site-packages "$build/venv" &&
    "$build/venv/bin/pip" install -q --no-build-isolation --no-index . &&
    "$build/venv/bin/python" bench/python_ufunc.py "${python_args[@]}" \
        --plan-from "$results/bench.json" --liblrelu "$build/liblrelu.so.1" \
        --out "$results/python.json"; then
    reports+=("$results/python.json")
else
    echo "main.sh: skipping the Python package's benchmark (see above)" >&2
fi
rm -f .mesonpy-native-file.ini
# Last: it writes the report, then fails the job (exit status 1) if any
# liblrelu kernel disagreed with the reference; a peer's disagreement is a
# finding in the report, not a failure. Missed speed targets never fail it.
/usr/bin/python3 bench/report.py --out "$results" "${reports[@]}"
