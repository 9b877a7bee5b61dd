"""The C suite's batch plan, for the Python rows to follow (bench/peers.py,
bench/python_ufunc.py).

lrelu-bench times every size up to 1 Mi elements as batches of calls on
several input arrays (as many as fill half the cache level that one call's
arrays fit in) writing one output, and records the number in each row's
`calls` counter. A row timed on one array instead keeps its whole working
set in a smaller cache level: at 256 Ki float32 elements (2 MiB a call)
one array and its output half fit this machine's 1 MiB L2, where the C
suite's sixteen arrays live in the L3, and the same code runs about 1.5x
faster. So the Python rows read the plan from the C suite's JSON and go
round as many arrays, for like-for-like ratios.

Standard library only.
"""

import json


def load_plan(path):
    """{(op, n): calls} from a Google Benchmark JSON file of lrelu-bench:
    the largest `calls` counter of the liblrelu rows (lrelu:<kernel>) of
    each op and size. Ops are named as in the benchmark names (forward,
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
        key = (parts[0], n)
        plan[key] = max(plan.get(key, 1), int(calls))
    return plan


def calls_for(plan, op, n):
    """The number of input arrays a row of op at n goes round: the C
    suite's, or 1 where it has no such row (or no plan was given)."""
    if not plan:
        return 1
    return plan.get((op, n), 1)
