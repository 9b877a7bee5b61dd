#!/bin/sh
# A bounded libFuzzer run of the differential harness, from the seed corpus.
# Usage: run_fuzz.sh FUZZER SEED_CORPUS [libFuzzer flags...]
#   FUZZ_SECONDS    length of the run (default 60)
#   FUZZ_CORPUS     a directory that keeps the inputs found, to resume a
#                   campaign (default: a scratch directory, removed after)
#   FUZZ_ARTIFACTS  where a failing input is saved (default: .)
# Exit status 0 when no input failed. A failing input is saved as
# crash-<sha1> and replays with: FUZZER crash-<sha1>
set -eu
fuzzer=$1
seeds=$2
shift 2
seconds=${FUZZ_SECONDS:-60}
artifacts=${FUZZ_ARTIFACTS:-.}
if [ -z "$(ls -A "$seeds")" ]; then
    echo "FAIL no seed inputs in $seeds"
    exit 1
fi
if [ -n "${FUZZ_CORPUS:-}" ]; then
    corpus=$FUZZ_CORPUS
    mkdir -p "$corpus"
else
    corpus=$(mktemp -d)
    trap 'rm -rf "$corpus"' EXIT
fi
mkdir -p "$artifacts"
# New inputs go to the first directory only; the seeds are read, not written.
# -error_exitcode: libFuzzer's default, 77, is what Meson reads as "skipped".
"$fuzzer" -max_total_time="$seconds" -timeout=10 -error_exitcode=1 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$@" "$corpus" "$seeds"
