#!/usr/bin/env python3
"""Time the lrelu NumPy ufuncs (the Python package) the way Google
Benchmark times the C suite, next to NumPy and to the C library called
directly.

Benchmarks, named <op>/<impl>/<n> as in bench/peers.py:
  forward/python:lrelu          lrelu.leaky_relu(x, a, out=y)
  forward/python:numpy_seed     np.maximum(a * x, x, out=y) (the recipe
                                liblrelu replaces; one temporary)
  forward/python:numpy_maximum  np.maximum(x, z, out=y): NumPy's own cheapest
                                two-input ufunc call, for the per-call overhead
  forward/python:numpy_maximum_scalar
                                np.maximum(x, 0.0, out=y): the same with a
                                Python scalar, as alpha is passed
  forward/python:c_direct       lrelu_forward(x, y, n, a) through ctypes on
                                the shared library given with --liblrelu
                                (one foreign call, the GIL released)
  backward/python:lrelu         lrelu.leaky_relu_backward(x, dy, a, out=dx)

With --plan-from bench.json (lrelu-bench's output), each op and size is
timed on as many input arrays as the C suite's rows went round
(bench/batches.py), so that the rows compare with the C suite's in the
same cache level; an iteration is then a batch of one call on each, and
in cache the inputs are rewritten (same values) before each timed batch,
as the C suite draws fresh signs; the process runs on the CPU the C
suite's rows were pinned to.

Each benchmark's iteration count is found as Google Benchmark finds it
(one batch lasting --min-time); then the cases of one size are timed in
--rounds interleaved rounds and each keeps its fastest batch, so that a
burst of load from other processes on a shared machine hits every case
alike and is mostly filtered out.

Writes Google Benchmark JSON (--out, or stdout) and, on stderr, the ratios
the Python package is judged by: at the largest size lrelu against
numpy_seed (>= 3x wanted) and against c_direct (>= 0.9x); at the smallest,
the time of one call against np.maximum's.

Use Debian's /usr/bin/python3 (or a venv made with
--system-site-packages) with the package installed:
  python3 bench/python_ufunc.py --liblrelu build-release/liblrelu.so.1 --out results/python.json
"""
import argparse
import ctypes
import datetime
import json
import os
import platform
import socket
import sys

import numpy as np

import lrelu

# The batch timing of the other Python peers (bench/peers.py, beside this
# file: standard library only at import).
from peers import find_iterations, rewriter, time_batch  # noqa: E402
from batches import calls_for, fresh_for, load_plan, pin_like  # noqa: E402

PROG = "python_ufunc.py"
ALPHA = 0.01
DEFAULT_SIZES = [1024, 16384, 262144, 4194304, 16777216]
BYTES = {"forward": 8, "backward": 12}


def cases(n, libc, plan):
    """(op, impl, calls, run, refresh): run() makes one call on each of
    `calls` input arrays (the C suite's batch, bench/batches.py), writing
    one output; refresh, where the C suite writes its inputs before each
    timed batch (in cache), rewrites them (else None)."""
    rng = np.random.default_rng(20240229)
    k = {op: calls_for(plan, op, n) for op in BYTES}
    xs = [rng.standard_normal(n).astype(np.float32) for _ in range(max(k.values()))]
    dy = rng.standard_normal(n).astype(np.float32)
    z = np.zeros_like(xs[0])
    y = np.empty_like(xs[0])
    a = np.float32(ALPHA)
    fx, bx = xs[:k["forward"]], xs[:k["backward"]]

    def each(xs_, f):
        def run():
            for x in xs_:
                f(x)
        return run
    out = [
        ("forward", "python:lrelu", each(fx, lambda x: lrelu.leaky_relu(x, ALPHA, out=y))),
        ("forward", "python:numpy_seed", each(fx, lambda x: np.maximum(a * x, x, out=y))),
        ("forward", "python:numpy_maximum", each(fx, lambda x: np.maximum(x, z, out=y))),
        ("forward", "python:numpy_maximum_scalar",
         each(fx, lambda x: np.maximum(x, 0.0, out=y))),
        ("backward", "python:lrelu",
         each(bx, lambda x: lrelu.leaky_relu_backward(x, dy, ALPHA, out=y))),
    ]
    if libc is not None:
        fwd = libc.lrelu_forward
        pxs = [x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)) for x in fx]
        py = y.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        cn, ca = ctypes.c_size_t(n), ctypes.c_float(ALPHA)
        out.append(("forward", "python:c_direct", each(pxs, lambda px: fwd(px, py, cn, ca))))
    inputs = {"forward": fx, "backward": bx}
    return [(op, impl, k[op], run,
             rewriter(np, inputs[op]) if fresh_for(plan, op, n) else None)
            for op, impl, run in out]


def entry(op, impl, n, calls, iterations, real_ns, cpu_ns, family, mismatches):
    """An iteration is a batch of `calls` calls (its time, as in the C
    suite's rows, which carry the same counter)."""
    name = f"{op}/{impl}/{n}"
    per_real, per_cpu = real_ns / iterations, cpu_ns / iterations
    seconds = per_real / 1e9 / calls
    return {
        "name": name, "family_index": family, "per_family_instance_index": 0,
        "run_name": name, "run_type": "iteration", "repetitions": 1,
        "repetition_index": 0, "threads": 1, "iterations": iterations,
        "real_time": per_real, "cpu_time": per_cpu, "time_unit": "ns",
        "bytes_per_second": BYTES[op] * n / seconds if seconds else 0.0,
        "items_per_second": n / seconds if seconds else 0.0,
        "n": n, "calls": calls, "mismatches": mismatches, "special_mismatches": 0,
    }


def main(argv=None):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("--out", help="JSON file to write (default: stdout)")
    p.add_argument("--sizes", help="comma-separated element counts (default "
                   + ",".join(map(str, DEFAULT_SIZES)) + ")")
    p.add_argument("--min-time", type=float, default=0.2,
                   help="seconds one timed batch must last (default 0.2)")
    p.add_argument("--rounds", type=int, default=5,
                   help="interleaved rounds; each case keeps its fastest (default 5)")
    p.add_argument("--liblrelu", help="liblrelu.so.1 for the ctypes baseline")
    p.add_argument("--smoke", action="store_true", help="sizes 16 and 1000, one call each")
    p.add_argument("--plan-from", metavar="BENCH_JSON",
                   help="lrelu-bench's JSON output: time each op and size on as many "
                        "input arrays as its rows went round (bench/batches.py), "
                        "instead of one")
    args = p.parse_args(argv)
    try:
        plan = load_plan(args.plan_from) if args.plan_from else {}
    except (OSError, ValueError) as exc:
        print(f"{PROG}: --plan-from {args.plan_from}: {exc}", file=sys.stderr)
        return 2
    pinned = pin_like(args.plan_from) if args.plan_from else None
    sizes = ([16, 1000] if args.smoke else
             [int(s) for s in args.sizes.split(",")] if args.sizes else DEFAULT_SIZES)
    libc = None
    if args.liblrelu:
        libc = ctypes.CDLL(os.path.abspath(args.liblrelu))
        libc.lrelu_forward.restype = ctypes.c_int
        libc.lrelu_forward.argtypes = [ctypes.POINTER(ctypes.c_float),
                                       ctypes.POINTER(ctypes.c_float),
                                       ctypes.c_size_t, ctypes.c_float]
    rows = []
    family = {}
    for n in sizes:
        cs = cases(n, libc, plan)
        best = []
        for op, impl, calls, run, refresh in cs:
            run()
            if args.smoke:
                it = 1
                real_ns, cpu_ns = time_batch(run, 1, refresh)
            else:
                it, real_ns, cpu_ns = find_iterations(run, args.min_time, refresh)
            best.append([it, real_ns, cpu_ns])
        for _ in range(0 if args.smoke else args.rounds - 1):
            for (op, impl, calls, run, refresh), b in zip(cs, best):
                real_ns, cpu_ns = time_batch(run, b[0], refresh)
                if real_ns < b[1]:
                    b[1], b[2] = real_ns, cpu_ns
        for (op, impl, calls, run, refresh), (it, real_ns, cpu_ns) in zip(cs, best):
            fam = family.setdefault((op, impl), len(family))
            rows.append(entry(op, impl, n, calls, it, real_ns, cpu_ns, fam, 0))
    # Per call.
    by = {r["name"]: r["real_time"] / r["calls"] for r in rows}
    big, small = max(sizes), min(sizes)
    summary = {}

    def ratio(num, den):
        if num in by and den in by:
            return by[den] / by[num]
        return None
    summary["speedup_vs_numpy_seed"] = ratio(f"forward/python:lrelu/{big}",
                                             f"forward/python:numpy_seed/{big}")
    summary["speed_vs_c_direct"] = ratio(f"forward/python:lrelu/{big}",
                                         f"forward/python:c_direct/{big}")
    summary["small_n"] = small
    summary["small_lrelu_ns"] = by.get(f"forward/python:lrelu/{small}")
    summary["small_np_maximum_ns"] = by.get(f"forward/python:numpy_maximum/{small}")
    summary["small_np_maximum_scalar_ns"] = by.get(
        f"forward/python:numpy_maximum_scalar/{small}")
    doc = {
        "context": {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "host_name": socket.gethostname(), "executable": PROG,
            "num_cpus": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "lrelu": lrelu.__version__,
            "lrelu_kernel": lrelu.active_kernel(), "largest_n": big,
            "rounds": 1 if args.smoke else args.rounds,
            "batch_plan": os.path.basename(args.plan_from) if args.plan_from else None,
            "pinned_cpu": pinned,
            "summary": summary,
        },
        "benchmarks": rows,
    }
    text = json.dumps(doc, indent=2) + "\n"
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    for k, v in summary.items():
        print(f"{PROG}: {k}: {v if not isinstance(v, float) else round(v, 3)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
