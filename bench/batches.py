"""The C suite's batch plan, for the Python rows to follow (bench/peers.py,
bench/python_ufunc.py).

lrelu-bench times every size up to 1 Mi elements as batches of calls on
several input arrays (as many as fill half the cache level that one call's
arrays fit in) writing one output, and records the number in each row's
`calls` counter. A row timed on one array instead keeps its whole working
set in a smaller cache level: at 256 Ki float32 elements (2 MiB a call)
one array and its output half fit this machine's 1 MiB L2, where the C
suite's sixteen arrays live in the L3, and the same code runs about 1.2x
faster. And before each timed batch in cache the C suite writes its
inputs (fresh signs), so that the calls read lines just written, as an
engine's layer reads its producer's output; in a standalone loop that
costs forward at 256 Ki 12-15% against inputs left clean. So the Python
rows read the plan from the C suite's JSON, go round as many arrays and
rewrite them between batches, for like-for-like ratios, on the CPU the C
suite's rows were pinned to.

Standard library only.
"""

import json
import os


def load_plan(path):
    """{(op, n): (calls, fresh)} from a Google Benchmark JSON file of
    lrelu-bench: the `calls` and `fresh` counters of the liblrelu rows
    (lrelu:<kernel>) of each op and size, the largest where kernels
    differ. Ops are named as in the benchmark names (forward,
    backward_bf16, forward_inplace_f64, ...)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    plan = {}
    for entry in doc.get("benchmarks", []):
        parts = str(entry.get("name", "")).split("/")
        calls = entry.get("calls")
        if len(parts) < 3 or not parts[1].startswith("lrelu:"):
            continue
        if not isinstance(calls, (int, float)) or calls < 1:
            continue
        try:
            n = int(parts[2])
        except ValueError:
            continue
        fresh = bool(entry.get("fresh"))
        old_calls, old_fresh = plan.get((parts[0], n), (1, False))
        plan[(parts[0], n)] = (max(old_calls, int(calls)), old_fresh or fresh)
    return plan


def calls_for(plan, op, n):
    """The number of input arrays a row of op at n goes round: the C
    suite's, or 1 where it has no such row (or no plan was given)."""
    return plan.get((op, n), (1, False))[0] if plan else 1


def fresh_for(plan, op, n):
    """Whether the C suite rewrites the inputs of op at n before each
    timed batch (its fresh signs, in cache)."""
    return plan.get((op, n), (1, False))[1] if plan else False


def pin_like(path):
    """Pin this process to the CPU the C suite's single-threaded rows ran
    on (its context's `pinned_cpu`), so that every ratio of a run
    compares rows timed on one CPU; return that CPU, or None where the C
    suite was not pinned or this process may not run there."""
    with open(path, encoding="utf-8") as f:
        ctx = json.load(f).get("context", {})
    try:
        cpu = int(ctx.get("pinned_cpu", -1))
    except (TypeError, ValueError):
        return None
    if cpu < 0 or not hasattr(os, "sched_setaffinity"):
        return None
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu
