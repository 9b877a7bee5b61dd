#!/usr/bin/env python3
"""Time Python peers of liblrelu the way Google Benchmark times the C suite.

Peers (each single-threaded):
  NumPy    forward          np.maximum(a * x, x, out=y)  (float32, and
                            float16 and float64: forward_f16, forward_f64)
  PyTorch  forward          torch._C._nn.leaky_relu(x, a, out=y)
           forward_inplace  torch.nn.functional.leaky_relu_(x, a)
           backward         aten.leaky_relu_backward (the grad_input= out
                            variant when available, else the allocating one)
                            (float32; forward and backward also bfloat16
                            and float64: forward_bf16, backward_f64, ...)
           prelu_forward    torch.nn.functional.prelu (NCHW, channels_last)
           prelu_backward   aten.prelu_backward (dx and the weight gradient)

With --plan-from bench.json (lrelu-bench's output, as scripts/main.sh
passes it), each op and size is timed on as many input arrays as the C
suite's rows went round (bench/batches.py): an iteration is a batch of one
call on each, writing one output, and the rows carry the same `calls`
counter; where the C suite draws fresh signs before each batch (in
cache), the inputs are rewritten (same values) before each, outside the
timed region, so that the calls read lines just written as there; and
the process runs on the CPU the C suite's rows were pinned to.
Without it, each row is one array, call after call.

The output is a JSON file in the shape of Google Benchmark's
--benchmark_format=json, with benchmark names <op>/<impl>/<n>, so that
bench/report.py can merge it with the C suite's output.

Each peer's output is also compared bit for bit with the reference
y = x > 0 ? x : alpha * x (NaN-aware; for float16 and bfloat16 the product
is taken in float32 with a float32 alpha and rounded once to the type, as
liblrelu does; float64 with a double alpha), on the benchmark input
(counter "mismatches") and on a 64-element input of special values
(counter "special_mismatches").

A peer whose module cannot be imported is skipped with one line on stderr.
The environment variable LRELU_PEERS_DISABLE (a comma-separated list of
"numpy" and/or "torch") makes the script treat those peers as absent.
"""

import argparse
import datetime
import gc
import itertools
import json
import math
import os
import platform
import socket
import statistics
import sys
import time

from batches import calls_for, fresh_for, load_plan, pin_like

PROG = "peers.py"
ALPHA = 0.01
SEED = 20240229
DEFAULT_SIZES = [1024, 16384, 262144, 4194304, 67108864]
SMOKE_SIZES = [16, 1000]
MAX_ITERATIONS = 1_000_000_000

# Bytes moved per element: forward reads x and writes y; backward reads x
# and dy and writes dx.
BYTES_PER_ELEMENT = {"forward": 8, "forward_inplace": 8, "backward": 12}
# Element types other than float32: the suffix of their op names, bytes.
TYPE_BYTES = {"": 4, "_f16": 2, "_bf16": 2, "_f64": 8}

# Values whose products with alpha or whose ordering are easy to get wrong:
# -1e-37 * 0.01 is subnormal, signed zeros, infinities, NaN, large values.
SPECIAL_VALUES = [-1e-37, -0.0, 0.0, math.inf, -math.inf, math.nan,
                  1e30, -1e30, 3.0, -3.0]
SPECIAL_LEN = 64


def log(msg):
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


def disabled_peers():
    """Peer modules named in LRELU_PEERS_DISABLE, lower-cased."""
    value = os.environ.get("LRELU_PEERS_DISABLE", "")
    return {v.strip().lower() for v in value.split(",") if v.strip()}


def import_module(module):
    """Import a module; return (module, None) or (None, reason)."""
    try:
        return __import__(module), None
    except Exception as exc:  # ImportError, or a broken installation
        return None, str(exc) or type(exc).__name__


def import_peer(module):
    """Import a peer's module unless LRELU_PEERS_DISABLE names it."""
    if module in disabled_peers():
        return None, "disabled by LRELU_PEERS_DISABLE"
    return import_module(module)


# ---------------------------------------------------------------- reference

def reference_forward(np, x):
    return np.where(x > 0, x, np.float32(ALPHA) * x)


def reference_backward(np, x, dy):
    return np.where(x > 0, dy, np.float32(ALPHA) * dy)


def count_mismatches(np, got, want):
    """Elements whose bits differ; any NaN where the reference is NaN
    counts as a match."""
    got = np.ascontiguousarray(got, dtype=np.float32)
    differ = got.view(np.uint32) != want.view(np.uint32)
    differ &= ~(np.isnan(got) & np.isnan(want))
    return int(np.count_nonzero(differ))


def special_inputs(np):
    """x and dy of SPECIAL_LEN elements; dy is x rotated so that special
    values of dy meet both branches of the select. The other types get
    them converted (float16 adds -1e-3, whose product is subnormal)."""
    values = SPECIAL_VALUES + [-1e-3, -4e-3, -1e-307 * 0]
    x = np.resize(np.array(values, dtype=np.float32), SPECIAL_LEN)
    return x, np.roll(x, 3)


# The other types: inputs, reference and comparison, as bit patterns
# (NumPy has no bfloat16: its arrays are made and compared through torch).

def typed_reference(np, torch, t, x, dy, op):
    """The reference of op (forward or backward) in type t on the float32
    arrays x and dy (converted to t first), as an array of t."""
    if t == "_f64":
        xd = x.astype(np.float64)
        src = xd if op != "backward" else dy.astype(np.float64)
        return np.where(xd > 0, src, ALPHA * src)
    if t == "_f16":
        with np.errstate(over="ignore"):  # 1e30 is infinite in float16
            xh = x.astype(np.float16)
        with np.errstate(over="ignore"):
            src = xh if op != "backward" else dy.astype(np.float16)
        prod = (np.float32(ALPHA) * src.astype(np.float32)).astype(np.float16)
        return np.where(xh > 0, src, prod)
    xb = torch.from_numpy(x).bfloat16()
    src = xb if op != "backward" else torch.from_numpy(dy).bfloat16()
    prod = (src.float() * torch.tensor(ALPHA, dtype=torch.float32)).bfloat16()
    return torch.where(xb > 0, src, prod)


def bits_and_nan(np, torch, a):
    """(unsigned bit patterns, NaN mask) of a NumPy array or torch tensor."""
    if torch is not None and isinstance(a, torch.Tensor):
        nan = a.isnan().numpy()
        if a.dtype == torch.bfloat16:
            return a.contiguous().view(torch.int16).numpy().view(np.uint16), nan
        a = a.numpy()
    a = np.ascontiguousarray(a)
    view = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    return a.view(view), np.isnan(a)


def count_typed_mismatches(np, torch, got, want):
    g, gn = bits_and_nan(np, torch, got)
    w, wn = bits_and_nan(np, torch, want)
    differ = (g != w) & ~(gn & wn)
    return int(np.count_nonzero(differ))


# ---------------------------------------------------------------- peers
#
# A case is (op, impl, make), where make(xs, dy) allocates the case's
# buffers and returns (run, result, reset, inputs): run() does one call on
# each input of the list xs in turn (one batch; out of place, every call
# writes the same output, as in the C suite), result() returns the output
# of the last call as a NumPy array, reset(), or None, restores the
# in-place buffers to xs, and inputs are the arrays or tensors the calls
# read as x (rewritten before each timed batch in cache).

class Case:
    def __init__(self, op, impl, make, dtype="", max_n=None):
        self.max_n = max_n  # the largest size it runs, None: all
        self.op = op
        self.impl = impl
        self.make = make
        self.dtype = dtype  # "" (float32), "_f16", "_bf16" or "_f64"


def numpy_cases(np):
    def forward(xs, dy):
        y = np.empty_like(xs[0])
        a = ALPHA

        def run():
            for x in xs:
                np.maximum(a * x, x, out=y)
        return run, (lambda: y), None, xs

    def typed(dtype):
        def forward_t(xs, dy):
            with np.errstate(over="ignore"):
                xts = [x.astype(dtype) for x in xs]
            y = np.empty_like(xts[0])
            a = ALPHA

            def run():
                for xt in xts:
                    np.maximum(a * xt, xt, out=y)
            return run, (lambda: y), None, xts
        return forward_t

    return [Case("forward", "peer:numpy", forward),
            # NumPy's float16 arithmetic runs at about 0.02 GB/s: in
            # cache only (a 64 Mi call takes many seconds).
            Case("forward", "peer:numpy", typed(np.float16), "_f16",
                 max_n=1 << 20),
            Case("forward", "peer:numpy", typed(np.float64), "_f64")]


def torch_backward_op(torch):
    """The out variant of aten.leaky_relu_backward when this PyTorch has a
    working one, else the allocating op; returns (kind, callable)."""
    aten = torch.ops.aten
    try:
        out_op = aten.leaky_relu_backward.grad_input
        t = torch.ones(4)
        out_op(t, t, ALPHA, False, grad_input=torch.empty(4))
        return "grad_input", out_op
    except Exception:
        return "allocating", aten.leaky_relu_backward


def torch_cases(np, torch):
    bwd_kind, bwd_op = torch_backward_op(torch)
    leaky_relu_out = torch._C._nn.leaky_relu
    leaky_relu_inplace = torch.nn.functional.leaky_relu_

    def forward(xs, dy):
        xts = [torch.from_numpy(x) for x in xs]
        y = np.empty_like(xs[0])
        yt = torch.from_numpy(y)

        def run():
            for xt in xts:
                leaky_relu_out(xt, ALPHA, out=yt)
        return run, (lambda: y), None, xs

    def forward_inplace(xs, dy):
        # Repeated calls on one buffer would scale the negative values down
        # to subnormals and zeros; alternating alpha with 1/alpha keeps them
        # normal, as the C++ suite does. reset() restores xs.
        bufs = [x.copy() for x in xs]
        bts = [torch.from_numpy(b) for b in bufs]
        alphas = [ALPHA, 1.0 / ALPHA]
        turn = [0]

        def run():
            a = alphas[turn[0]]
            for bt in bts:
                leaky_relu_inplace(bt, a)
            turn[0] ^= 1

        def reset():
            for b, x in zip(bufs, xs):
                np.copyto(b, x)
            turn[0] = 0
        return run, (lambda: bufs[-1]), reset, bufs

    def backward(xs, dy):
        xts = [torch.from_numpy(x) for x in xs]
        dyt = torch.from_numpy(dy)
        if bwd_kind == "grad_input":
            dx = np.empty_like(xs[0])
            dxt = torch.from_numpy(dx)

            def run():
                for xt in xts:
                    bwd_op(dyt, xt, ALPHA, False, grad_input=dxt)
            return run, (lambda: dx), None, xs

        last = [None]

        def run_alloc():
            for xt in xts:
                last[0] = bwd_op(dyt, xt, ALPHA, False)
        return run_alloc, (lambda: last[0].numpy()), None, xs

    def typed(tdtype, op):
        # float32 arrays in, converted once outside the timing.
        def make(xs, dy):
            xts = [torch.from_numpy(x).to(tdtype) for x in xs]
            dyt = torch.from_numpy(dy).to(tdtype)
            out = torch.empty_like(xts[0])
            if op == "forward":
                def run():
                    for xt in xts:
                        leaky_relu_out(xt, ALPHA, out=out)
            elif bwd_kind == "grad_input":
                def run():
                    for xt in xts:
                        bwd_op(dyt, xt, ALPHA, False, grad_input=out)
            else:
                last = [out]

                def run():
                    for xt in xts:
                        last[0] = bwd_op(dyt, xt, ALPHA, False)
                return run, (lambda: last[0]), None, xts
            return run, (lambda: out), None, xts
        return make

    cases = [Case("forward", "peer:torch", forward),
             Case("forward_inplace", "peer:torch", forward_inplace),
             Case("backward", "peer:torch", backward)]
    for tdtype, suffix in ((torch.bfloat16, "_bf16"), (torch.float64, "_f64")):
        for op in ("forward", "backward"):
            cases.append(Case(op, "peer:torch", typed(tdtype, op), suffix))
    return cases, bwd_kind


def torch_cpu_capability(torch):
    """The SIMD level ATen dispatches to, as PyTorch reports it."""
    backends_cpu = getattr(torch.backends, "cpu", None)
    if backends_cpu is not None and hasattr(backends_cpu,
                                            "get_cpu_capability"):
        return backends_cpu.get_cpu_capability()
    try:
        # Older releases print it in their build configuration.
        for line in torch.__config__.show().splitlines():
            if "CPU capability usage:" in line:
                return line.split(":", 1)[1].strip()
    except Exception:
        pass
    return os.environ.get("ATEN_CPU_CAPABILITY") or None


# ---------------------------------------------------------------- timing

def clock_cost_ns():
    """What reading the clock twice costs (the least of many tries)."""
    best = None
    for _ in range(1000):
        t0 = time.perf_counter_ns()
        t1 = time.perf_counter_ns()
        best = t1 - t0 if best is None else min(best, t1 - t0)
    return best


CLOCK_NS = [None]


def time_batch(run, iterations, refresh=None):
    """Wall-clock and thread CPU nanoseconds for `iterations` calls of
    run (each one batch). With refresh, each run() is timed on its own
    after refresh() has rewritten its inputs, outside the timed region (as
    the C suite draws fresh signs before each batch: the inputs are lines
    just written, as a producer leaves them), less the clock's own
    cost."""
    loop = itertools.repeat(None, iterations)
    if refresh is not None:
        if CLOCK_NS[0] is None:
            CLOCK_NS[0] = clock_cost_ns()
        real = 0
        c0 = time.thread_time_ns()
        for _ in loop:
            refresh()
            t0 = time.perf_counter_ns()
            run()
            real += max(time.perf_counter_ns() - t0 - CLOCK_NS[0], 0)
        # The CPU time includes the refreshes: informative only.
        return real, time.thread_time_ns() - c0
    c0 = time.thread_time_ns()
    t0 = time.perf_counter_ns()
    for _ in loop:
        run()
    t1 = time.perf_counter_ns()
    c1 = time.thread_time_ns()
    return t1 - t0, c1 - c0


def rewriter(np, arrays):
    """A refresh for time_batch: every element of the NumPy arrays and
    torch tensors in `arrays` written, with its value unchanged (negated
    twice)."""
    def refresh():
        for a in arrays:
            if isinstance(a, np.ndarray):
                np.negative(a, out=a)
                np.negative(a, out=a)
            else:
                a.neg_()
                a.neg_()
    return refresh


def find_iterations(run, min_time, refresh=None):
    """Grow the iteration count as Google Benchmark does until one batch
    lasts at least min_time seconds; return (iterations, real_ns, cpu_ns)
    of that batch."""
    iterations = 1
    while True:
        real_ns, cpu_ns = time_batch(run, iterations, refresh)
        seconds = real_ns / 1e9
        if seconds >= min_time or iterations >= MAX_ITERATIONS:
            return iterations, real_ns, cpu_ns
        multiplier = min_time * 1.4 / max(seconds, 1e-9)
        if seconds / min_time <= 0.1:
            multiplier = min(multiplier, 10.0)
        nxt = max(int(multiplier * iterations), iterations + 1)
        iterations = min(nxt, MAX_ITERATIONS)


def measure(run, min_time, repetitions, smoke, refresh=None):
    """One (iterations, real_ns, cpu_ns) per repetition, the times of one
    iteration (one run(): a batch). As in Google Benchmark, repetitions
    after the first reuse the first one's iteration count."""
    results = []
    iterations = 1 if smoke else None
    for _ in range(repetitions):
        if iterations is None:
            iterations, real_ns, cpu_ns = find_iterations(run, min_time,
                                                          refresh)
        else:
            real_ns, cpu_ns = time_batch(run, iterations, refresh)
        results.append((iterations, real_ns / iterations,
                        cpu_ns / iterations))
    return results


# ---------------------------------------------------------------- output

def iteration_entry(name, n, bytes_per_elem, repetitions, index, family,
                    instance, iterations, real_ns, cpu_ns, counters, calls=1):
    """real_ns and cpu_ns: of one iteration, a batch of `calls` calls (as
    in the C suite, whose rows carry the same `calls` counter)."""
    seconds = real_ns / 1e9
    entry = {
        "name": name,
        "family_index": family,
        "per_family_instance_index": instance,
        "run_name": name,
        "run_type": "iteration",
        "repetitions": repetitions,
        "repetition_index": index,
        "threads": 1,
        "iterations": iterations,
        "real_time": real_ns,
        "cpu_time": cpu_ns,
        "time_unit": "ns",
        "bytes_per_second": (bytes_per_elem * n * calls / seconds
                             if seconds else 0.0),
        "items_per_second": n * calls / seconds if seconds else 0.0,
    }
    entry.update(counters)
    return entry


def aggregate_entries(runs):
    """mean, median and stddev entries over the iteration entries of one
    benchmark, named as Google Benchmark names them. Times and rates are
    aggregated; n and the mismatch counts are properties of the benchmark
    and are carried unchanged."""
    first = runs[0]
    stats = [("mean", statistics.mean), ("median", statistics.median),
             ("stddev", statistics.stdev)]
    out = []
    for agg, fn in stats:
        entry = {
            "name": f"{first['run_name']}_{agg}",
            "family_index": first["family_index"],
            "per_family_instance_index": first["per_family_instance_index"],
            "run_name": first["run_name"],
            "run_type": "aggregate",
            "repetitions": first["repetitions"],
            "threads": 1,
            "aggregate_name": agg,
            "aggregate_unit": "time",
            "iterations": len(runs),
        }
        for key in ("real_time", "cpu_time"):
            entry[key] = fn([r[key] for r in runs])
        entry["time_unit"] = "ns"
        for key in ("bytes_per_second", "items_per_second"):
            entry[key] = fn([r[key] for r in runs])
        for key in ("n", "calls", "mismatches", "special_mismatches"):
            if key in first:
                entry[key] = first[key]
        out.append(entry)
    return out


def context(np, torch, skipped, extra):
    ctx = {
        "date": datetime.datetime.now().astimezone().isoformat(
            timespec="seconds"),
        "host_name": socket.gethostname(),
        "executable": PROG,
        "num_cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__ if np is not None else None,
        "torch": torch.__version__ if torch is not None else None,
        "torch_cpu_capability": (torch_cpu_capability(torch)
                                 if torch is not None else
                                 os.environ.get("ATEN_CPU_CAPABILITY")
                                 or None),
        "skipped": skipped,
    }
    if "ATEN_CPU_CAPABILITY" in os.environ:
        ctx["aten_cpu_capability_env"] = os.environ["ATEN_CPU_CAPABILITY"]
    try:
        ctx["load_avg"] = list(os.getloadavg())
    except OSError:
        pass
    ctx.update(extra)
    return ctx


def write_json(path, doc):
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------- main

def parse_sizes(text):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text}")
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Time NumPy and PyTorch Leaky ReLU as Google Benchmark "
                    "would and write Google Benchmark JSON.")
    p.add_argument("--out", required=True, help="JSON file to write")
    p.add_argument("--sizes", type=parse_sizes,
                   help="comma-separated element counts (default "
                        + ",".join(map(str, DEFAULT_SIZES)) + ")")
    p.add_argument("--min-time", type=float, default=0.5,
                   help="seconds one timed batch must last (default 0.5)")
    p.add_argument("--repetitions", type=int, default=1,
                   help="repetitions of each benchmark; above 1, mean, "
                        "median and stddev aggregates are added")
    p.add_argument("--smoke", action="store_true",
                   help="sizes 16 and 1000, one call each: checks that "
                        "the script works, times nothing meaningful")
    p.add_argument("--plan-from", metavar="BENCH_JSON",
                   help="lrelu-bench's JSON output: time each op and size "
                        "on as many input arrays as its rows went round "
                        "(their `calls` counter; bench/batches.py), instead "
                        "of one")
    args = p.parse_args(argv)
    if args.repetitions < 1:
        p.error("--repetitions must be at least 1")
    if args.min_time <= 0:
        p.error("--min-time must be positive")
    if args.sizes is None:
        args.sizes = SMOKE_SIZES if args.smoke else DEFAULT_SIZES
    return args


# PReLU (the C suite's prelu_* rows): PyTorch's F.prelu forward and its
# backward, aten.prelu_backward (what autograd calls: dx and the weight
# gradient), one thread, on the same shapes. NHWC is a channels_last tensor;
# shared: one weight for the whole tensor (nn.PReLU()'s default), else one a
# channel.
PRELU_SHAPES = [("NCHW_32x64x56x56", (32, 64, 56, 56), False, False),
                ("NCHW_8x64x56x56", (8, 64, 56, 56), False, False),
                ("NHWC_8x56x56x64", (8, 64, 56, 56), True, False),
                ("NCHW_1x16x7x7", (1, 16, 7, 7), False, False),
                ("NHWC_1x1x1x1024", (1, 1024, 1, 1), True, False),
                ("shared_1x16x7x7", (1, 16, 7, 7), False, True)]
PRELU_SMOKE_SHAPES = [("NCHW_1x16x7x7", (1, 16, 7, 7), False, False)]
PRELU_BYTES = {"prelu_forward": 8, "prelu_backward": 12}


def torch_prelu_run(np, torch, op, shape, nhwc, shared):
    rng = np.random.default_rng(SEED)
    x = torch.from_numpy(rng.standard_normal(shape, dtype=np.float32))
    dy = torch.from_numpy(rng.standard_normal(shape, dtype=np.float32))
    if nhwc:
        x = x.contiguous(memory_format=torch.channels_last)
        dy = dy.contiguous(memory_format=torch.channels_last)
    w = torch.full((1 if shared else shape[1],), 0.25)
    prelu = torch.nn.functional.prelu
    backward = torch.ops.aten.prelu_backward

    if op == "prelu_forward":
        def run():
            prelu(x, w)
    else:
        def run():
            backward(dy, x, w)
    return run


def torch_prelu_entries(np, torch, args, families):
    entries = []
    shapes = PRELU_SMOKE_SHAPES if args.smoke else PRELU_SHAPES
    for instance, (label, shape, nhwc, shared) in enumerate(shapes):
        n = math.prod(shape)
        for op in ("prelu_forward", "prelu_backward"):
            family = families.setdefault((op, "peer:torch"), len(families))
            name = f"{op}/peer:torch/{label}"
            run = torch_prelu_run(np, torch, op, shape, nhwc, shared)
            run()
            results = measure(run, args.min_time, args.repetitions, args.smoke)
            runs = [iteration_entry(name, n, PRELU_BYTES[op], args.repetitions, i,
                                    family, instance, it, real, cpu, {"n": n})
                    for i, (it, real, cpu) in enumerate(results)]
            entries += runs
            if args.repetitions > 1:
                entries += aggregate_entries(runs)
            real = statistics.median(r["real_time"] for r in runs)
            log(f"{name}: {real:.1f} ns")
    return entries


def load_peers():
    """Import the peers; return (np, torch, cases, skipped, context)."""
    skipped = []
    extra = {}

    def skip(peer, reason):
        log(f"skipping {peer}: {reason}")
        skipped.append(f"{peer}: {reason}")

    # NumPy makes the inputs and the reference even when its peer is off.
    np, np_reason = import_module("numpy")
    if np is None:
        skip("NumPy", np_reason)
        skip("PyTorch", f"inputs and reference need NumPy: {np_reason}")
        return None, None, [], skipped, extra

    cases = []
    if "numpy" in disabled_peers():
        skip("NumPy", "disabled by LRELU_PEERS_DISABLE")
    else:
        cases += numpy_cases(np)

    torch, torch_reason = import_peer("torch")
    if torch is None:
        skip("PyTorch", torch_reason)
    else:
        torch.set_num_threads(1)
        TORCH[0] = torch
        torch_list, bwd_kind = torch_cases(np, torch)
        cases += torch_list
        extra["torch_num_threads"] = torch.get_num_threads()
        extra["torch_backward_variant"] = bwd_kind
    return np, torch, cases, skipped, extra


TORCH = [None]  # the torch module, once imported


def run_case(np, case, xs, dy, ref, sx, sdy, sref, args, fresh=False):
    """Time one case on the inputs xs in turn (the benchmark input last)
    and dy, with the inputs rewritten before each timed batch if fresh,
    then check it on the benchmark input (the output of the last call)
    and on the special input; return (results, mismatches, special)."""
    run, result, reset, inputs = case.make(xs, dy)
    run()  # touch the buffers before timing
    results = measure(run, args.min_time, args.repetitions, args.smoke,
                      rewriter(np, inputs) if fresh else None)

    if reset is not None:
        reset()
    run()
    count = count_mismatches if not case.dtype else (
        lambda np_, got, want: count_typed_mismatches(np_, TORCH[0], got,
                                                       want))
    mismatches = count(np, result(), ref)
    del run, result, reset, inputs

    run, result, reset, _ = case.make([sx], sdy)
    run()
    special = count(np, result(), sref)
    return results, mismatches, special


def main(argv=None):
    args = parse_args(argv)
    np, torch, cases, skipped, extra = load_peers()
    try:
        plan = load_plan(args.plan_from) if args.plan_from else {}
    except (OSError, ValueError) as exc:
        log(f"--plan-from {args.plan_from}: {exc}")
        return 2
    extra["pinned_cpu"] = pin_like(args.plan_from) if args.plan_from else None
    benchmarks = []

    if cases:
        sx, sdy = special_inputs(np)
        sref = {"forward": reference_forward(np, sx),
                "backward": reference_backward(np, sx, sdy)}
        sref["forward_inplace"] = sref["forward"]
        families = {}

        for instance, n in enumerate(args.sizes):
            rng = np.random.default_rng(SEED)
            x = rng.standard_normal(n, dtype=np.float32)
            dy = rng.standard_normal(n, dtype=np.float32)
            ref = {"forward": reference_forward(np, x),
                   "backward": reference_backward(np, x, dy)}
            ref["forward_inplace"] = ref["forward"]
            # The other inputs of a batch (bench/batches.py): random draws
            # of their own, before the benchmark input, which goes last.
            most = max([calls_for(plan, c.op + c.dtype, n) for c in cases])
            others = [rng.standard_normal(n, dtype=np.float32)
                      for _ in range(most - 1)]

            for case in cases:
                if case.max_n is not None and n > case.max_n:
                    continue
                op = case.op + case.dtype
                family = families.setdefault((op, case.impl),
                                             len(families))
                name = f"{op}/{case.impl}/{n}"
                if case.dtype:
                    want = typed_reference(np, TORCH[0], case.dtype, x, dy,
                                           case.op)
                    swant = typed_reference(np, TORCH[0], case.dtype, sx,
                                            sdy, case.op)
                else:
                    want, swant = ref[case.op], sref[case.op]
                calls = calls_for(plan, op, n)
                xs = others[:calls - 1] + [x]
                results, bad, bad_special = run_case(
                    np, case, xs, dy, want, sx, sdy, swant, args,
                    fresh_for(plan, op, n))
                counters = {"n": n, "calls": calls, "mismatches": bad,
                            "special_mismatches": bad_special}
                per_elem = (BYTES_PER_ELEMENT[case.op]
                            * TYPE_BYTES[case.dtype] // 4)
                runs = [iteration_entry(name, n, per_elem,
                                        args.repetitions, i, family,
                                        instance, it, real, cpu, counters,
                                        calls)
                        for i, (it, real, cpu) in enumerate(results)]
                benchmarks += runs
                if args.repetitions > 1:
                    benchmarks += aggregate_entries(runs)
                real = statistics.median(r["real_time"] for r in runs) / calls
                gbs = statistics.median(r["bytes_per_second"] for r in runs)
                log(f"{name}: {real:.1f} ns a call on {calls} array(s), "
                    f"{gbs / 1e9:.2f} GB/s, {bad} mismatches, "
                    f"{bad_special} special")
                del xs
                gc.collect()

            # 64 Mi floats are 256 MiB an array: free them before the next
            # size.
            del x, dy, ref, others
            gc.collect()

    if torch is not None and cases:
        benchmarks += torch_prelu_entries(np, torch, args, families)

    extra["alpha"] = ALPHA
    extra["seed"] = SEED
    extra["min_time"] = args.min_time
    extra["smoke"] = args.smoke
    # Where the batch sizes came from (None: one array a row).
    extra["batch_plan"] = (os.path.basename(args.plan_from)
                           if args.plan_from else None)
    doc = {"context": context(np, torch, skipped, extra),
           "benchmarks": benchmarks}
    write_json(args.out, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
