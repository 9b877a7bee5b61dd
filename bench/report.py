#!/usr/bin/env python3
"""Turn liblrelu's benchmark JSON into a Markdown report and two plots.

Usage: report.py --out DIR INPUT.json [INPUT2.json ...]

The inputs are Google Benchmark JSON files (--benchmark_format=json): the
C suite's and bench/peers.py's. Benchmark names are <op>/<impl>/<n>; any
path component after n (/real_time, /iterations:1, ...) is ignored. Of
repeated benchmarks the median aggregate is used, else the median of the
iteration entries.

Writes DIR/report.md, and when matplotlib is available DIR/overview.png
(the dispatched kernel, the limits and the best peer per size),
kernels.png (every kernel), inplace.png, types.png (float16, bfloat16,
float64), quantized.png (int8 and uint8, forward) and threads.png (when
the run has thread rows); prints the paths written, one per line. Exits
with status 1, after writing everything, when a liblrelu kernel disagrees
with the reference anywhere (the report says which, at its top); a peer
that disagrees is a finding reported in the tables, not a failure.
"""

import argparse
import json
import os
import statistics
import sys

PROG = "report.py"
DASH = "–"
SPECIAL_LEN = 64  # elements of the special input, unless an entry says

TIME_UNITS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
KNOWN_OPS = {"forward", "forward_inplace", "backward", "backward_from_output",
             "tiny_forward", "forward_subnormal", "forward_positive",
             "backward_positive", "backward_subnormal", "forward_misaligned",
             "backward_misaligned"}
FORWARD_OPS = {"forward", "forward_inplace"}
BACKWARD_OPS = {"backward", "backward_from_output"}
# Element types: the suffix of their op names, their name, bytes.
TYPES = {"": ("float32", 4), "_f16": ("float16", 2),
         "_bf16": ("bfloat16", 2), "_f64": ("float64", 8),
         "_qs8": ("int8 (qs8)", 1), "_qu8": ("uint8 (qu8)", 1)}
# The quantized types: forward only, with one parameter set.
QUANT = ("_qs8", "_qu8")


def split_op(op):
    """(base op, type suffix) of an op name: forward_f16 -> (forward,
    _f16); float32 ops have no suffix."""
    for sfx in ("_bf16", "_f16", "_f64", "_qs8", "_qu8"):
        if op.endswith(sfx):
            return op[:-len(sfx)], sfx
    return op, ""
LIMIT_ORDER = ["limit:memcpy", "limit:copy_loop", "limit:nt_copy",
               "limit:stream_2in1out"]
MARKERS = ["†", "‡", "§", "¶", "#", "**"]


def die(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(1)


def warn(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)


# ---------------------------------------------------------------- input

def load(path):
    """(context, benchmarks) of one Google Benchmark JSON file."""
    if not os.path.isfile(path):
        die(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as exc:
        die(f"{path}: cannot read JSON: {exc}")
    if not isinstance(doc, dict):
        die(f"{path}: not Google Benchmark JSON")
    context = doc.get("context") or {}
    benchmarks = doc.get("benchmarks")
    if not benchmarks:
        # peers.py writes an empty list when every peer was skipped; its
        # reasons still belong in the report.
        if isinstance(benchmarks, list) and context.get("skipped"):
            warn(f"{path}: no benchmarks, every peer was skipped")
            return context, []
        die(f"{path}: no benchmarks")
    return context, benchmarks


def parse_name(name, entry):
    """(op, impl, n) from '<op>/<impl>/<n>[/suffix...]', or None."""
    parts = name.split("/")
    if len(parts) < 2:
        return None
    n = None
    if len(parts) >= 3:
        try:
            n = int(parts[2])
        except ValueError:
            pass
    if n is None and isinstance(entry.get("n"), (int, float)):
        n = int(entry["n"])
    if n is None:
        return None
    return parts[0], parts[1], n


class Result:
    """One benchmark (op, impl, n) reduced to its median."""

    def __init__(self, op, impl, n, real_ns, bps, mismatches, special,
                 special_len, calls=1):
        self.op = op
        self.impl = impl
        self.n = n
        self.real_ns = real_ns
        # An iteration may be a batch of calls on fresh arrays.
        self.call_ns = real_ns / calls if real_ns is not None else None
        self.gbs = bps / 1e9 if bps is not None else None
        self.eps = None  # elements per second
        self.mismatches = mismatches
        self.special = special
        self.special_len = special_len
        self.vs_random = None  # time / time on random signs, interleaved
        self.vs_memcpy = None  # time / memcpy's on the same arrays, interleaved
        self.vs_limit = None  # time / the limit loop's on the same arrays, interleaved
        self.vs_copy_loop = None  # time / the vector copy loop's, likewise (forward)
        # (max - min) / median of the repetitions' GB/s; None if not repeated
        self.spread = None

    def flagged(self):
        return bool(self.mismatches) or bool(self.special)


def real_time_ns(entry):
    unit = TIME_UNITS.get(entry.get("time_unit", "ns"))
    value = entry.get("real_time")
    if unit is None or not isinstance(value, (int, float)):
        return None
    return value * unit


def max_counter(entries, key):
    values = [e[key] for e in entries if isinstance(e.get(key), (int, float))]
    return max(values) if values else None


def median_counter(entries, key):
    values = [e[key] for e in entries if isinstance(e.get(key), (int, float))]
    return statistics.median(values) if values else None


def collect(files):
    """Merge the benchmark entries of all files into {(op, impl, n):
    Result}."""
    groups = {}
    unknown = set()
    unparsed = set()
    for _, benchmarks in files:
        for e in benchmarks:
            if not isinstance(e, dict) or e.get("error_occurred"):
                continue
            if e.get("run_type") == "aggregate":
                agg = e.get("aggregate_name")
                if agg != "median":
                    continue
                base = e.get("run_name")
                if not base:
                    base = e.get("name", "")
                    if base.endswith("_median"):
                        base = base[:-len("_median")]
                kind = "median"
            else:
                base = e.get("run_name") or e.get("name", "")
                kind = "iteration"
            key = parse_name(base, e)
            if key is None:
                unparsed.add(base)
                continue
            if split_op(key[0])[0] not in KNOWN_OPS:
                if key[0] not in PRELU_OPS:  # read by collect_prelu
                    unknown.add(key[0])
                continue
            groups.setdefault(key, {"median": [], "iteration": []})
            groups[key][kind].append(e)
    if unparsed:
        warn(f"ignoring {len(unparsed)} benchmark name(s) not of the form "
             f"<op>/<impl>/<n>, e.g. {sorted(unparsed)[0]}")
    if unknown:
        warn("ignoring unknown op(s): " + ", ".join(sorted(unknown)))

    results = {}
    for key, g in groups.items():
        everything = g["median"] + g["iteration"]
        if g["median"]:
            if len(g["median"]) > 1:
                warn(f"{'/'.join(map(str, key))}: several median entries, "
                     "using the last")
            chosen = g["median"][-1]
            real_ns = real_time_ns(chosen)
            bps = chosen.get("bytes_per_second")
        else:
            times = [t for t in map(real_time_ns, g["iteration"])
                     if t is not None]
            real_ns = statistics.median(times) if times else None
            rates = [e["bytes_per_second"] for e in g["iteration"]
                     if isinstance(e.get("bytes_per_second"), (int, float))]
            bps = statistics.median(rates) if rates else None
        special_len = max_counter(everything, "special_elements")
        calls = max_counter(everything, "calls")
        results[key] = Result(key[0], key[1], key[2], real_ns, bps,
                              max_counter(everything, "mismatches"),
                              max_counter(everything, "special_mismatches"),
                              int(special_len or SPECIAL_LEN),
                              calls if calls and calls > 0 else 1)
        # The counters of the rows timed in alternate batches.
        results[key].vs_random = median_counter(everything, "time_vs_random")
        results[key].vs_memcpy = median_counter(everything, "time_vs_memcpy")
        results[key].vs_limit = median_counter(everything, "time_vs_limit")
        results[key].vs_copy_loop = median_counter(everything,
                                                   "time_vs_copy_loop")
        if g["median"]:
            eps = g["median"][-1].get("items_per_second")
        else:
            rates = [e["items_per_second"] for e in g["iteration"]
                     if isinstance(e.get("items_per_second"), (int, float))]
            eps = statistics.median(rates) if rates else None
        results[key].eps = eps
        reps = [e["bytes_per_second"] for e in g["iteration"]
                if isinstance(e.get("bytes_per_second"), (int, float))
                and e["bytes_per_second"] > 0]
        if len(reps) >= 2:
            results[key].spread = ((max(reps) - min(reps))
                                   / statistics.median(reps))
    return results


# ---------------------------------------------------------------- context

class Info:
    """What the report header says, merged from all contexts."""

    def __init__(self, files, paths):
        contexts = [ctx for ctx, _ in files]

        def first(key):
            for ctx in contexts:
                if ctx.get(key) not in (None, "", []):
                    return ctx[key]
            return None

        self.cpu_model = first("cpu_model") or first("host_name") or "?"
        self.num_cpus = first("num_cpus")
        self.caches = first("caches") or []
        self.kernel = first("lrelu_default_kernel")
        self.quant_kernel = first("lrelu_default_quant_kernel") or self.kernel
        # Each float type's dispatched kernel ("bfloat16=avx512bw,..."):
        # a level may take some types' functions from another kernel.
        self.type_kernels = {}
        for item in str(first("lrelu_type_kernels") or "").split(","):
            tname, _, k = item.partition("=")
            if k.strip():
                self.type_kernels[tname.strip()] = k.strip()
        kernels = first("lrelu_kernels") or ""
        self.kernels = [k.strip() for k in str(kernels).split(",")
                        if k.strip()]
        self.version = first("lrelu_version")
        self.torch_capability = first("torch_cpu_capability")
        self.cache_levels = first("cache_levels_bytes")
        self.cache_sysconf = first("cache_sysconf_bytes")
        self.cache_sys = first("cache_sys")
        self.stream_threshold = first("lrelu_stream_threshold")
        self.pinned_cpu = first("pinned_cpu")
        self.repetition_order = first("repetition_order")
        self.quant_params = first("quant_params")
        self.dates = []
        self.skipped = []
        # The Python scripts' batch plans (bench/batches.py): (script, the
        # C suite's file it followed, or None: one array a row).
        self.batch_plans = []
        self.pinned_python = []  # the Python scripts pinned likewise
        for (ctx, _), path in zip(files, paths):
            exe = os.path.basename(str(ctx.get("executable") or path))
            if ctx.get("date"):
                self.dates.append(f"{ctx['date']} ({exe})")
            if exe.endswith(".py"):
                self.batch_plans.append((exe, ctx.get("batch_plan")))
                if ctx.get("pinned_cpu") is not None:
                    self.pinned_python.append(exe)
            reasons = ctx.get("peers_skipped")
            if isinstance(reasons, str):
                self.skipped += [r.strip() for r in reasons.split(";")
                                 if r.strip()]
            reasons = ctx.get("skipped")
            if isinstance(reasons, list):
                self.skipped += [str(r) for r in reasons]

    @property
    def dispatched(self):
        return f"lrelu:{self.kernel}" if self.kernel else None

    def dispatched_for(self, sfx):
        """The dispatched kernel of the type of suffix sfx."""
        if sfx in QUANT:
            return self.quant_dispatched
        k = self.type_kernels.get(TYPES[sfx][0])
        return f"lrelu:{k}" if k else self.dispatched

    @property
    def quant_dispatched(self):
        """The dispatched kernel of the quantized functions (a level may
        upgrade only those: avx512bw, avx512vbmi)."""
        return f"lrelu:{self.quant_kernel}" if self.quant_kernel else None


def fmt_bytes(size):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            value = size / scale
            text = f"{value:.0f}" if value == int(value) else f"{value:.2f}"
            return f"{text} {unit}"
    return f"{size} B"


def fmt_caches(caches):
    items = []
    for c in caches:
        if not isinstance(c, dict):
            continue
        text = f"L{c.get('level', '?')} {c.get('type', '')}".rstrip()
        if isinstance(c.get("size"), (int, float)):
            text += " " + fmt_bytes(int(c["size"]))
        items.append(text)
    return ", ".join(items) if items else "unknown"


# ---------------------------------------------------------------- tables

def fmt_n(n):
    """1 Ki, 16 Ki, 4 Mi for multiples of powers of 1024, else n."""
    for suffix, scale in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {suffix}"
    return str(n)


def impl_sort_key(impl, kernels):
    kind, _, name = impl.partition(":")
    if kind == "lrelu":
        pos = kernels.index(name) if name in kernels else len(kernels)
        return (0, pos, name)
    if kind == "lrelu_prepared":  # the quantized prepared calls, after ours
        return (0, len(kernels) + 1, name)
    if kind == "limit":
        pos = LIMIT_ORDER.index(impl) if impl in LIMIT_ORDER else 99
        return (1, pos, name)
    if kind == "peer":
        return (2, 0, name)
    return (3, 0, impl)


def limit_family(op, impl):
    """'forward' or 'backward': the table a limit belongs to; None for the
    limits of other tables (tiny calls)."""
    base, sfx = split_op(op)
    if base in FORWARD_OPS:
        return "forward" + sfx
    if base in BACKWARD_OPS:
        return "backward" + sfx
    return None


class Row:
    def __init__(self, label, impl, op, cells, kind):
        self.label = label
        self.impl = impl
        self.op = op
        self.cells = cells  # {n: Result}
        self.kind = kind    # lrelu, limit, peer or other
        self.variant = False
        self.dispatched = False
        self.marker = ""

    @property
    def name(self):
        text = self.label
        if self.dispatched:
            text = f"**{text}** (dispatched)"
        return f"{text} {self.marker}" if self.marker else text

    @property
    def plain_name(self):
        text = self.label + (" (dispatched)" if self.dispatched else "")
        return f"{text} {self.marker}" if self.marker else text


def by_op_impl(results):
    """{(op, impl): {n: Result}}."""
    grouped = {}
    for (op, impl, n), r in results.items():
        grouped.setdefault((op, impl), {})[n] = r
    return grouped


def build_rows(grouped, info, family, main_op, variant_op, variant_label):
    """Rows of the forward or backward table: lrelu kernels, variants,
    limits, peers."""
    def order(impl):
        return impl_sort_key(impl, info.kernels)

    def impls(op):
        return sorted((i for o, i in grouped if o == op), key=order)

    def kind(impl):
        return impl.partition(":")[0]

    rows = []
    for impl in impls(main_op):
        if kind(impl) == "lrelu":
            row = Row(impl, impl, main_op, grouped[(main_op, impl)], "lrelu")
            row.dispatched = impl == info.dispatched_for(split_op(main_op)[1])
            rows.append(row)
    for impl in impls(variant_op):
        if kind(impl) != "limit":
            row = Row(f"{impl} ({variant_label})", impl, variant_op,
                      grouped[(variant_op, impl)], kind(impl))
            row.variant = True
            rows.append(row)
    limits = sorted(((op, impl) for op, impl in grouped
                     if impl.startswith("limit:")
                     and limit_family(op, impl) == family),
                    key=lambda k: (order(k[1]), k[0]))
    for op, impl in limits:
        same = [o for o, i in limits if i == impl]
        label = impl if len(same) == 1 else f"{impl} ({op})"
        rows.append(Row(label, impl, op, grouped[(op, impl)], "limit"))
    for impl in impls(main_op):
        if kind(impl) not in ("lrelu", "limit"):
            rows.append(Row(impl, impl, main_op, grouped[(main_op, impl)],
                            "peer" if kind(impl) == "peer" else "other"))
    return rows


def sizes_of(rows):
    return sorted({n for row in rows for n in row.cells})


def gbs_at(row, n):
    r = row.cells.get(n)
    return r.gbs if r is not None else None


def vs_limit(result, limit_gbs):
    """A library row's speed over its limit's at one size: from the two
    timed in alternate batches on the same arrays when the run has that
    counter (the rows in cache: one machine state for both), else the
    ratio of the two rows' GB/s. None when neither is known."""
    if result is None:
        return None
    if result.vs_limit:
        return 1 / result.vs_limit
    if result.gbs and limit_gbs:
        return result.gbs / limit_gbs
    return None


def fmt_gbs(value):
    return f"{value:.1f}" if value is not None else DASH


def fmt_ratio(num, den):
    if num is None or not den:
        return DASH
    return f"{num / den:.2f}"


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1))
             + "|"]
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    return lines


def assign_markers(rows, used):
    """Mark rows whose results differ from the reference; return the
    flagged rows. `used` counts markers handed out so far."""
    flagged = []
    for row in rows:
        if any(r.flagged() for r in row.cells.values()):
            i = used[0]
            used[0] += 1
            row.marker = (MARKERS[i % len(MARKERS)]
                          * (1 + i // len(MARKERS)))
            flagged.append(row)
    return flagged


def counts_text(row, sizes, attr, total=None):
    """'0 elements at every size' or '0 (1 Ki), 3 (16 Ki) elements'."""
    values = [(n, getattr(row.cells[n], attr)) for n in sizes
              if n in row.cells and getattr(row.cells[n], attr) is not None]
    if not values:
        return None
    of = f" of {total}" if total else ""
    distinct = {v for _, v in values}
    if len(distinct) == 1 and len(values) == len(row.cells):
        return f"{int(values[0][1])}{of} elements at every size"
    parts = ", ".join(f"{int(v)} ({fmt_n(n)})" for n, v in values)
    return f"{parts} elements{of}"


def footnote(row, sizes):
    rand = counts_text(row, sizes, "mismatches")
    total = {r.special_len for r in row.cells.values()}
    special = counts_text(row, sizes, "special",
                          total.pop() if len(total) == 1 else None)
    parts = []
    if rand is not None:
        parts.append(f"on random input, differs from the reference in "
                     f"{rand}")
    if special is not None:
        parts.append(f"on the special input, differs from the reference "
                     f"in {special}")
    return f"{row.marker} {row.label}: " + "; ".join(parts) + "."


def throughput_section(title, rows, info, primary_limit, note):
    """Markdown lines of the forward or backward table."""
    lines = [f"## {title}", ""]
    if not rows:
        return lines + [f"No {title.lower()} benchmarks.", ""]
    sizes = sizes_of(rows)
    lines += [note, ""]
    body = [[row.name] + [fmt_gbs(gbs_at(row, n)) for n in sizes]
            for row in rows]

    main = [r for r in rows if r.dispatched]
    if main:
        d = main[0]
        limits = [r for r in rows if r.kind == "limit"]
        peers = [r for r in rows if r.kind == "peer" and not r.variant]
        prim = [r for r in limits if r.impl == primary_limit]
        if prim:
            short = primary_limit.partition(":")[2]
            ratios = [vs_limit(d.cells.get(n), gbs_at(prim[0], n))
                      for n in sizes]
            body.append([f"dispatched / {short}"]
                        + [f"{r:.2f}" if r is not None else DASH
                           for r in ratios])
        if any(c.vs_copy_loop for c in d.cells.values()):
            body.append(["dispatched / copy_loop (in cache)"]
                        + [f"{1 / d.cells[n].vs_copy_loop:.2f}"
                           if n in d.cells and d.cells[n].vs_copy_loop
                           else DASH for n in sizes])
        if limits:
            row = ["dispatched / best limit"]
            for n in sizes:
                best = max((gbs_at(r, n) for r in limits
                            if gbs_at(r, n) is not None), default=None)
                row.append(fmt_ratio(gbs_at(d, n), best))
            body.append(row)
        if any(c.eps for c in d.cells.values()):
            body.append(["dispatched, G elements/s"] + [
                f"{d.cells[n].eps / 1e9:.2f}"
                if n in d.cells and d.cells[n].eps else DASH
                for n in sizes])
        if peers:
            row = ["dispatched / best peer"]
            for n in sizes:
                cands = [(gbs_at(r, n), r) for r in peers
                         if gbs_at(r, n) is not None]
                if not cands or gbs_at(d, n) is None:
                    row.append(DASH)
                    continue
                best, peer = max(cands, key=lambda c: c[0])
                who = peer.impl.partition(":")[2]
                if peer.marker:
                    who += f" {peer.marker}"
                row.append(f"{fmt_ratio(gbs_at(d, n), best)} ({who})")
            body.append(row)
    elif rows and info.dispatched_for(split_op(rows[0].op)[1]):
        lines += [f"No results for the dispatched kernel "
                  f"{info.dispatched_for(split_op(rows[0].op)[1])}.", ""]

    lines += md_table(["Implementation"] + [fmt_n(n) for n in sizes], body)
    notes = [footnote(r, sizes) for r in rows if r.marker]
    if main and any(c.vs_limit for c in main[0].cells.values()):
        notes.append(f"dispatched / {primary_limit.partition(':')[2]}: in "
                     "cache, the two timed in alternate batches on the same "
                     "arrays (one machine state for both); the other ratios "
                     "are those of the rows.")
    if main and any(c.vs_copy_loop for c in main[0].cells.values()):
        notes.append("dispatched / copy_loop: likewise against "
                     "limit:copy_loop, a plain loop of the widest vector "
                     "loads and stores (the ceiling of any loop that loads, "
                     "computes and stores through the cache; memcpy may use "
                     "an instruction no computing loop can, rep movsb).")
    if notes:
        lines += [""] + notes
    return lines + [""]


def tiny_vs_memcpy(grouped, sfx, disp):
    """The n = 16 call's time over memcpy's of the same bytes, and what it
    is: the two timed in alternate batches on the same arrays when the run
    has that counter (one machine state for both), else the ratio of the
    two rows."""
    tiny = grouped.get(("tiny_forward" + sfx, disp), {}).get(16)
    # int8 and uint8 share one memcpy row (under the first of them).
    memcpy = next((grouped[("tiny_forward" + s, "limit:memcpy")].get(16)
                   for s in ((sfx,) + QUANT if sfx in QUANT else (sfx,))
                   if ("tiny_forward" + s, "limit:memcpy") in grouped),
                  None)
    if not tiny or not tiny.call_ns:
        return None
    rows = (f"{tiny.call_ns:.1f} vs {memcpy.call_ns:.1f} ns"
            if memcpy and memcpy.call_ns else f"{tiny.call_ns:.1f} ns")
    if tiny.vs_memcpy is not None:
        return tiny.vs_memcpy, f"interleaved; rows {rows}"
    if memcpy and memcpy.call_ns:
        return tiny.call_ns / memcpy.call_ns, rows
    return None


def tiny_section(grouped, info):
    lines = ["## Tiny calls", ""]
    impls = sorted(((o, i) for o, i in grouped
                    if split_op(o)[0] == "tiny_forward"),
                   key=lambda k: (list(TYPES).index(split_op(k[0])[1]),
                                  impl_sort_key(k[1], info.kernels)))
    if not impls:
        return lines + ["No tiny-call benchmarks.", ""]
    sizes = sorted({n for k in impls for n in grouped[k]})
    lines += ["Nanoseconds per call of the forward op on tiny arrays "
              "(lower is better); a type's memcpy copies the same bytes.",
              ""]
    body = []
    for op, impl in impls:
        cells = grouped[(op, impl)]
        name = impl
        sfx = split_op(op)[1]
        if impl == info.dispatched_for(sfx):
            name = f"**{impl}** (dispatched)"
        if sfx:
            name += f", {TYPES[sfx][0]}"
        body.append([name] + [
            f"{cells[n].call_ns:.1f}"
            if n in cells and cells[n].call_ns is not None else DASH
            for n in sizes])
    lines += md_table(["Implementation"] + [f"n = {n}" for n in sizes], body)
    return lines + [""]


def subnormal_section(grouped, info):
    keys = sorted((i for o, i in grouped if o == "forward_subnormal"),
                  key=lambda i: impl_sort_key(i, info.kernels))
    if not keys:
        return []
    lines = ["## Subnormal products", "",
             "Forward on inputs whose every product with alpha is "
             "subnormal, against the same implementation's forward on "
             "random input.", ""]
    body = []
    for impl in keys:
        normal = grouped.get(("forward", impl), {})
        for n, r in sorted(grouped[("forward_subnormal", impl)].items()):
            base = normal.get(n)
            body.append([impl, fmt_n(n), fmt_gbs(r.gbs),
                         fmt_ratio(r.gbs, base.gbs if base else None)])
    lines += md_table(["Implementation", "Size", "GB/s", "vs forward"], body)
    return lines + [""]


# The performance targets the project holds itself to, checked on the
# measured medians: (label, ops, sizes filter, numerator, denominator, bar,
# "min" for numerator/denominator >= bar or "max" for <= bar).
IN_CACHE = (1024, 262144)
LARGE = (4194304, None)
ISA_PEERS = {"sse2": "peer:naive", "avx2": "peer:naive_avx2",
             "avx512": "peer:naive_avx512"}


def best_peer(grouped, op, n):
    """(GB/s, name) of the fastest peer of op at n, or (None, None)."""
    best = (None, None)
    for (o, impl), cells in grouped.items():
        r = cells.get(n)
        if (o == op and impl.startswith("peer:") and r is not None
                and r.gbs is not None and (best[0] is None or r.gbs > best[0])):
            best = (r.gbs, impl[5:])
    return best


def gbs_of(grouped, op, impl, n):
    r = grouped.get((op, impl), {}).get(n)
    return r.gbs if r is not None else None


def in_range(n, bounds):
    lo, hi = bounds
    return n >= lo and (hi is None or n <= hi)


# PReLU rows (bench/prelu.cpp, bench/peers.py): prelu_<op>/<impl>/<shape>,
# where NCHW and NHWC of one tensor have the same n: they are read here by
# name, apart from the <op>/<impl>/<n> results.
# prelu_dslope is the backward pass without dx (dslope alone): no bar.
PRELU_OPS = ("prelu_forward", "prelu_backward", "prelu_dslope")
PRELU_SHAPES = ("NCHW_32x64x56x56", "NCHW_8x64x56x56", "NHWC_8x56x56x64",
                "NCHW_1x16x7x7", "NHWC_1x1x1x1024", "shared_1x16x7x7")
# PReLU / lrelu of the same size (speed, the dispatched kernel).
PRELU_BARS = {"prelu_forward": 0.95, "prelu_backward": 0.8}


def collect_prelu(files):
    """{(op, impl, shape): (median real ns, n, median time_vs_lrelu or
    None)} of the PReLU rows."""
    runs = {}
    for _, benchmarks in files:
        for e in benchmarks:
            if not isinstance(e, dict) or e.get("error_occurred"):
                continue
            base = e.get("run_name") or e.get("name", "")
            parts = base.split("/")
            if len(parts) < 3 or parts[0] not in PRELU_OPS:
                continue
            key = tuple(parts[:3])
            g = runs.setdefault(key, {"median": [], "iteration": []})
            if e.get("run_type") == "aggregate":
                if e.get("aggregate_name") == "median":
                    g["median"].append(e)
            else:
                g["iteration"].append(e)
    out = {}
    for key, g in runs.items():
        chosen = g["median"] or g["iteration"]
        # A batched row's iteration is `batch` calls.
        times = [t / (e.get("batch") or 1) for e, t in
                 zip(chosen, map(real_time_ns, chosen)) if t is not None]
        if times:
            out[key] = (statistics.median(times), max_counter(chosen, "n"),
                        median_counter(chosen, "time_vs_lrelu"))
    return out


def prelu_vs_lrelu(p, base):
    """A PReLU row's speed over lrelu's of the same size: from the two
    timed in alternate batches when the row has that counter, else the
    ratio of the two rows' times."""
    if p is not None and p[2]:
        return 1 / p[2]
    if p is not None and base is not None and p[0]:
        return base[0] / p[0]
    return None


def prelu_section(prelu, info):
    if not prelu:
        return []
    disp = info.kernel
    impls = sorted({k[1] for k in prelu}, key=lambda i: (
        not i.endswith(f":{disp}"), i.startswith("peer:"), i))
    body = []
    for op in PRELU_OPS:
        for shape in PRELU_SHAPES:
            base = prelu.get((op, f"lrelu_same_size:{disp}", shape))
            for impl in impls:
                r = prelu.get((op, impl, shape))
                if r is None or (impl.startswith("lrelu") and
                                 not impl.endswith(f":{disp}")):
                    continue
                us = r[0] / 1e3
                ratio = prelu_vs_lrelu(r, base)
                body.append([op, shape, impl,
                             f"{us:.1f}" if us >= 1 else f"{us:.3f}",
                             f"{ratio:.2f}" if ratio is not None else DASH])
    lines = ["## PReLU (float32)", "",
             "Time of one call (µs, median) of the dispatched kernel's "
             "lrelu_prelu_forward / lrelu_prelu_backward (dx and dslope; "
             "prelu_dslope: dslope alone, dx NULL), lrelu_forward / "
             "lrelu_backward on as many elements (lrelu_same_size) and the "
             "peers (one thread); the last column is the speed relative to "
             "lrelu of the same size (for liblrelu's PReLU rows, the two "
             "timed in alternate batches on the same arrays, counter "
             "time_vs_lrelu; prelu_dslope against lrelu_backward, which "
             "reads the same two arrays and writes a third). "
             "NCHW_32x64x56x56 is the shape larger than the caches (51 MB "
             "moved forward): where lrelu of its size stores with streaming "
             "stores (lrelu_stream_threshold), so does PReLU.", ""]
    lines += md_table(["Op", "Shape", "Implementation", "µs", "vs lrelu"],
                      body)
    return lines + [""]


def prelu_points(prelu, info):
    """{op: [(speed vs lrelu of the same size, shape, n)]} of the
    dispatched kernel's PReLU rows, for the ops that have a bar."""
    out = {}
    disp = info.dispatched
    for op in PRELU_BARS:
        for shape in PRELU_SHAPES:
            p = (prelu or {}).get((op, disp, shape))
            base = (prelu or {}).get((op, f"lrelu_same_size:{info.kernel}",
                                      shape))
            ratio = prelu_vs_lrelu(p, base)
            if ratio is not None:
                out.setdefault(op, []).append((ratio, shape, p[1]))
    return out


# Two threads against one, forward out of place at the largest size.
THREADS_BAR = 1.6


def threads_point(all_grouped):
    """(threads2 / threads1 GB/s, n) at the largest size both ran, or
    None."""
    cells1 = (all_grouped or {}).get(("forward", "lrelu:threads1"), {})
    cells2 = (all_grouped or {}).get(("forward", "lrelu:threads2"), {})
    common = sorted(set(cells1) & set(cells2))
    if not common:
        return None
    n = common[-1]
    a, b = cells2[n].gbs, cells1[n].gbs
    return (a / b, n) if a and b else None


# The Python package at 16 Mi floats: (the line, its ratio's name, bar).
PYTHON_TARGETS = {
    "seed": ("10. Python ufunc (16 Mi) vs the seed's np.maximum(a*x, x)",
             "lrelu.leaky_relu / numpy_seed", 3.0),
    "direct": ("10. Python ufunc (16 Mi) vs the C library called directly",
               "lrelu.leaky_relu / c_direct", 0.9),
}


def python_points(grouped):
    """{"n": size, "seed": ratio, "direct": ratio} of the Python rows at
    16 Mi (or their largest size); the ratios that could be formed."""
    sizes = sorted(n for (o, i), cells in grouped.items()
                   if o == "forward" and i == "python:lrelu" for n in cells)
    if not sizes:
        return {}
    big = 16 << 20 if (16 << 20) in sizes else sizes[-1]
    ours = gbs_of(grouped, "forward", "python:lrelu", big)
    out = {"n": big}
    for key, impl in (("seed", "python:numpy_seed"),
                      ("direct", "python:c_direct")):
        theirs = gbs_of(grouped, "forward", impl, big)
        if ours and theirs:
            out[key] = ours / theirs
    return out


def threads_section(all_grouped):
    keys = thread_keys(all_grouped)
    if not keys:
        return ["## Threads", "", "No multi-threaded rows in this run.", ""]
    body = []
    for op, impl in keys:
        for n, r in sorted(all_grouped[(op, impl)].items()):
            body.append([op, impl, fmt_n(n), fmt_gbs(r.gbs)])
    lines = ["## Threads", "",
             "Forward out of place at the largest size with 1..N threads "
             "(lrelu_set_num_threads), and memcpy / the streaming copy of "
             "the same bytes by as many threads: the multi-threaded limit. "
             "GB/s, 8 bytes per element.", ""]
    lines += md_table(["Op", "Implementation", "Size", "GB/s"], body)
    return lines + [""]


def targets_section(grouped, info, prelu=None, all_grouped=None):
    """Each target with its measured ratio and whether it is met."""
    disp = info.dispatched
    if disp is None:
        return []
    rows = []

    def add(target, what, n, value, bar, higher=True):
        if value is None:
            return
        if bar is None:  # shown, no bar
            rows.append([target, what, fmt_n(n) if n else "–",
                         f"{value:.2f}", "–", "shown"])
            return
        met = value >= bar if higher else value <= bar
        rows.append([target, what, fmt_n(n) if n else "–", f"{value:.2f}",
                     (">= " if higher else "<= ") + f"{bar:g}",
                     "met" if met else "**not met**"])

    sizes = sorted({n for (_, _), cells in grouped.items() for n in cells})
    bw_limit = {"forward": "limit:memcpy",
                "backward": "limit:stream_2in1out",
                "backward_from_output": "limit:stream_2in1out"}
    peer_op = {"forward": "forward", "backward": "backward",
               "backward_from_output": "backward"}
    for op in ("forward", "backward", "backward_from_output"):
        for n in sizes:
            ours = gbs_of(grouped, op, disp, n)
            if ours is None:
                continue
            peer, name = best_peer(grouped, peer_op[op], n)
            if in_range(n, IN_CACHE):
                ratio = vs_limit(grouped[(op, disp)][n],
                                 gbs_of(grouped, peer_op[op], bw_limit[op], n))
                if ratio is not None:
                    add("1. in cache vs the limit", f"{op} / {bw_limit[op][6:]}",
                        n, ratio, 0.95)
                if peer:
                    add("1. in cache vs the best peer", f"{op} / {name}", n,
                        ours / peer, 1.0)
            if in_range(n, LARGE) and peer:
                add("2. large, out of place, vs the best peer",
                    f"{op} / {name}", n, ours / peer, 1.4)
    for n in sizes:
        ours = gbs_of(grouped, "forward_inplace", disp, n)
        torch = gbs_of(grouped, "forward_inplace", "peer:torch", n)
        if in_range(n, LARGE) and ours and torch:
            add("3. large, in place, vs PyTorch in place",
                "forward_inplace / torch", n, ours / torch, 1.0)
    ratio = tiny_vs_memcpy(grouped, "", disp)
    if ratio is not None:
        add("4. n = 16 call vs memcpy of 64 bytes", "ns / ns", 16,
            ratio[0], 1.5, higher=False)
    for kernel, peer in ISA_PEERS.items():
        for op in ("forward", "backward"):
            ratios = [(n, gbs_of(grouped, op, f"lrelu:{kernel}", n),
                       gbs_of(grouped, op, peer, n)) for n in sizes]
            ratios = [(n, a / b) for n, a, b in ratios if a and b]
            if ratios:
                n, worst = min(ratios, key=lambda t: t[1])
                add("5. each kernel vs the naive loop of its ISA (worst size)",
                    f"{op} {kernel} / {peer[5:]}", n, worst, 1.0)
    for kernel in info.kernels:
        ratios = [(t, n) for op, n, t in independence_ratios(
            grouped, f"lrelu:{kernel}")]
        if ratios:
            worst, n = max(ratios)
            add("7. data independence: time on random signs / on positive "
                "(worst)", f"{kernel}", n, worst, DI_BAR, higher=False)
    for op, pts in prelu_points(prelu, info).items():
        for ratio, shape, n in pts:
            add("8. PReLU vs lrelu of the same size (speed)",
                f"{op} {shape} / lrelu", n, ratio, PRELU_BARS[op])
    scaling = threads_point(all_grouped)
    if scaling is not None:
        add("9. forward out of place, largest size (64 Mi floats): "
            "2 threads vs one", "threads2 / threads1", scaling[1],
            scaling[0], THREADS_BAR)
    py = python_points(grouped)
    for key, (what, name, bar) in PYTHON_TARGETS.items():
        if key in py:
            add(what, name, py["n"], py[key], bar)
    sizes_py = sorted(n for (o, i), cells in grouped.items()
                      if o == "forward" and i == "python:lrelu" for n in cells)
    if sizes_py:
        small = 1024 if 1024 in sizes_py else sizes_py[0]
        t = grouped.get(("forward", "python:lrelu"), {}).get(small)
        m = grouped.get(("forward", "python:numpy_maximum"), {}).get(small)
        if t and m and t.call_ns and m.call_ns:
            add("11. Python ufunc call (1 Ki) vs np.maximum(x, z), time",
                "ns / ns", small, t.call_ns / m.call_ns, None)
    lines = ["## Targets, point by point (float32)", "",
             "Ratios of the dispatched kernel (and, for 5, of each kernel) "
             "measured in this run. Medians when repeated.", ""]
    if not rows:
        return []
    lines += md_table(["Target", "Ratio", "Size", "Measured", "Bar", ""],
                      rows)
    lines.append("")
    return lines


# The short table at the top: one line per target and type, met when every
# point of it is. Bars: issue 16's for float32 and float64; float16 and
# bfloat16 in cache 0.9 on the avx2 and avx512 kernels (they convert).
SUMMARY_IN_CACHE = {"": 0.95, "_f64": 0.95, "_f16": 0.9, "_bf16": 0.9}
DRAM = (4194304, None)
LIMIT_OF = {"forward": "limit:memcpy", "backward": "limit:stream_2in1out"}


def best_of_run(grouped, op, sfx, n):
    """(GB/s, name, Result) of the best limit or peer of op (forward or
    backward) in type sfx at n: memcpy, the vector copy loop, the streaming
    copy, the two-in, one-out loop and every peer of the same op and
    type."""
    best = (None, None, None)
    fam = op + sfx
    for (o, impl), cells in grouped.items():
        r = cells.get(n)
        if r is None or r.gbs is None:
            continue
        ok = ((impl.startswith("limit:") and limit_family(o, impl) == fam
               and not o.startswith("tiny"))
              or (impl.startswith("peer:") and o == fam))
        if ok and (best[0] is None or r.gbs > best[0]):
            best = (r.gbs, impl.partition(":")[2], r)
    return best


def spread_note(*results):
    """How far the repetitions of these rows spread, for a point's
    description: "; repetitions spread 12%, 30%" (nothing unless every row
    was repeated)."""
    spreads = [r.spread for r in results]
    if not spreads or any(x is None for x in spreads):
        return ""
    return "; repetitions spread " + ", ".join(f"{100 * x:.0f}%"
                                               for x in spreads)


def summary_section(grouped, info, prelu=None, all_grouped=None):
    disp = info.dispatched
    if disp is None:
        return []
    body = []
    sfxs = [t for t in TYPES if t not in QUANT
            and any(split_op(o)[1] == t for o, _ in grouped)]
    for sfx in sfxs:
        tname = TYPES[sfx][0]
        disp = info.dispatched_for(sfx)
        judged = [disp]
        if sfx in ("_f16", "_bf16"):
            # avx2 and the dispatched AVX-512 level (bfloat16 from
            # avx512bw up: avx512bw's).
            judged = ["lrelu:avx2"] if "avx2" in info.kernels else []
            if disp.startswith("lrelu:avx512"):
                judged.append(disp)
            judged = judged or [disp]
        lines = []
        # In cache, vs memcpy (backward: the two-in, one-out loop).
        pts = []
        for impl in judged:
            for op in ("forward", "backward"):
                lim = LIMIT_OF[op]
                for n, r in grouped.get((op + sfx, impl), {}).items():
                    ratio = vs_limit(r, gbs_of(grouped, op + sfx, lim, n))
                    if in_range(n, IN_CACHE) and ratio is not None:
                        pts.append((ratio, f"{op} {impl[6:]} {fmt_n(n)}"))
        bar = SUMMARY_IN_CACHE[sfx]
        lines.append(("in cache vs memcpy"
                      + (" (" + ", ".join(i[6:] for i in judged) + ")"
                         if len(judged) > 1 else ""),
                      pts, bar, True))
        pts = []
        for op in ("forward", "backward"):
            for n, r in grouped.get((op + sfx, disp), {}).items():
                if not in_range(n, DRAM) or not r.gbs:
                    continue
                best, who, theirs = best_of_run(grouped, op, sfx, n)
                if best:
                    pts.append((r.gbs / best, f"{op} {fmt_n(n)} vs {who}"
                                + spread_note(r, theirs)))
        lines.append(("DRAM vs the best of the run", pts, 0.95, True))
        pts = []
        ratio = tiny_vs_memcpy(grouped, sfx, disp)
        if ratio is not None:
            pts.append(ratio)
        lines.append(("n = 16 call time vs memcpy", pts, 1.5, False))
        pts = []
        for k in info.kernels:
            for op, n, ratio in independence_ratios(grouped, f"lrelu:{k}",
                                                    sfx):
                pts.append((ratio, f"{op} {k} {fmt_n(n)}"))
        lines.append(("data independence (every kernel)", pts, DI_BAR,
                      False))
        body += [target_row(what, tname, pts, bar, higher)
                 for what, pts, bar, higher in lines if pts]
    body += quant_summary(grouped, info)
    body += other_summary(grouped, info, prelu, all_grouped)
    if not body:
        return []
    lines = ["## Targets at a glance", "",
             f"Ratios of this run (medians where repeated), of the "
             f"dispatched kernel ({info.kernel}) unless the line says; a "
             "line is met when every point of it is, and shows its worst. "
             "*In cache*: 1 Ki to 256 Ki, forward and backward, GB/s "
             "against memcpy of the same bytes (backward: the two-in, "
             "one-out loop), the two timed in alternate batches on the same "
             "arrays. *DRAM*: 4 Mi and 64 Mi against the best of "
             "memcpy, the vector copy loop, the streaming copy, the two-in, "
             "one-out loop and every "
             "peer of the same op and type; its worst point shows how far the "
             "repetitions of the two rows spread (highest less lowest GB/s, "
             "over the median): a gap to the bar narrower than that is "
             "within the run's noise. *n = 16*: time per call against "
             "memcpy of the same bytes, the two timed in alternate batches "
             "on the same arrays. *Data independence*: time on random "
             "signs / on positive, 16 Ki and 4 Mi. *PReLU*: speed against "
             "lrelu of the same size on the same arrays, the two timed in "
             "alternate batches, a point per shape. *Threads*: forward out "
             "of place at the largest size. *Python*: at 16 Mi floats. The "
             "float32 targets point by point are at the end.", ""]
    lines += md_table(["Target", "Type", "Bar", "Worst", "Points met",
                       ""], body)
    return lines + [""]


# The lines of the table at the top beyond the types: PReLU (one line per
# op, a point per shape), two threads and the Python package.
PRELU_GLANCE = {"prelu_forward": "PReLU forward vs lrelu forward",
                "prelu_backward": "PReLU backward (dx, dslope) vs lrelu "
                                  "backward"}


def other_summary(grouped, info, prelu, all_grouped):
    lines = [(PRELU_GLANCE[op], [(r, s) for r, s, _ in pts],
              PRELU_BARS[op]) for op, pts in prelu_points(prelu, info).items()]
    scaling = threads_point(all_grouped)
    if scaling is not None:
        lines.append(("forward, 2 threads vs one",
                      [(scaling[0], f"{fmt_n(scaling[1])}")], THREADS_BAR))
    py = python_points(grouped)
    for key, what in (("seed", "Python ufunc vs np.maximum(a*x, x)"),
                      ("direct", "Python ufunc vs the C call")):
        if key in py:
            lines.append((what, [(py[key], fmt_n(py["n"]))],
                          PYTHON_TARGETS[key][2]))
    return [target_row(what, "float32", pts, bar, True)
            for what, pts, bar in lines if pts]


def target_row(what, tname, pts, bar, higher):
    """A line of the targets table from its points [(ratio, where)]: met
    when every point is (ratio >= bar, or <= bar when not higher), with the
    worst shown."""
    met = [p for p in pts if (p[0] >= bar if higher else p[0] <= bar)]
    worst = (min if higher else max)(pts, key=lambda p: p[0])
    status = ("met" if len(met) == len(pts) else
              f"**missed** at {len(pts) - len(met)}")
    return [what, tname, (">= " if higher else "<= ") + f"{bar:g}",
            f"{worst[0]:.2f} ({worst[1]})", f"{len(met)} of {len(pts)}",
            status]


# Quantized int8 / uint8 forward in cache against memcpy of the same bytes,
# on the avx2 and avx512 kernels (issue 17).
QUANT_IN_CACHE = 0.9


def quant_judged(info):
    """The kernels the quantized target is for: avx2 and avx512 (and
    avx512bw and avx512vbmi, the AVX-512 levels' 512-bit arithmetic and
    table lookups) where usable, else the dispatched one."""
    return ([f"lrelu:{k}" for k in ("avx2", "avx512", "avx512bw", "avx512vbmi")
             if k in info.kernels]
            or ([info.dispatched] if info.dispatched else []))


def quant_memcpy(grouped):
    """{n: Result} of memcpy of the quantized types' bytes: one row serves
    int8 and uint8 (the same bytes), under whichever type the run put it."""
    for sfx in QUANT:
        cells = grouped.get(("forward" + sfx, "limit:memcpy"))
        if cells:
            return cells
    return {}


def quant_summary(grouped, info):
    """The lines of the quantized targets in the table at the top: in
    cache, and the n = 16 call."""
    judged = quant_judged(info)
    pts = []
    sfxs = [sfx for sfx in QUANT if any(o == "forward" + sfx
                                        for o, _ in grouped)]
    for sfx in sfxs:
        for impl in judged:
            for n, r in sorted(grouped.get(("forward" + sfx, impl),
                                           {}).items()):
                base = quant_memcpy(grouped).get(n)
                ratio = vs_limit(r, base.gbs if base is not None else None)
                if in_range(n, IN_CACHE) and ratio is not None:
                    pts.append((ratio, f"forward{sfx} {impl[6:]} {fmt_n(n)}"))
    types = ", ".join(TYPES[sfx][0] for sfx in sfxs)
    names = ", ".join(impl[6:] for impl in judged)
    # The n = 16 call of the one-shot functions on the dispatched kernel
    # (the prepared ones are in the tiny-call table).
    tiny = [(r[0], f"{TYPES[sfx][0]}, {r[1]}") for sfx in sfxs
            for r in [tiny_vs_memcpy(grouped, sfx, info.quant_dispatched)]
            if r is not None]
    lines = [(f"qs8/qu8 in cache vs memcpy ({names})", pts, QUANT_IN_CACHE,
              True),
             ("qs8/qu8 n = 16 call time vs memcpy", tiny, 1.5, False)]
    return [target_row(what, types, p, bar, higher)
            for what, p, bar, higher in lines if p]


def quant_section(grouped, info, used):
    """GB/s and the ratio to memcpy of the same bytes of every kernel, the
    limit and the peers, for the quantized types."""
    sfxs = [sfx for sfx in QUANT if any(o == "forward" + sfx
                                        for o, _ in grouped)]
    if not sfxs:
        return []
    rows = []
    memcpy = quant_memcpy(grouped)
    for sfx in sfxs:
        op = "forward" + sfx
        impls = sorted((i for o, i in grouped
                        if o == op and i != "limit:memcpy"),
                       key=lambda i: impl_sort_key(i, info.kernels))
        for impl in impls:
            row = Row(impl, impl, op, grouped[(op, impl)],
                      impl.partition(":")[0])
            row.dispatched = impl == info.quant_dispatched
            row.type_name = TYPES[sfx][0]
            rows.append(row)
    if memcpy:
        row = Row("limit:memcpy", "limit:memcpy", "forward_q8", memcpy,
                  "limit")
        row.type_name = "both (the same bytes)"
        rows.append(row)
    flagged = assign_markers(rows, used)
    sizes = sizes_of(rows)
    body = []
    for row in rows:
        cells = []
        for n in sizes:
            g = gbs_at(row, n)
            base = memcpy.get(n)
            if g is None:
                cells.append(DASH)
            else:
                # A peer has no interleaved counter: its ratio is the rows'.
                r = (None if row.impl == "limit:memcpy" else
                     vs_limit(row.cells.get(n), base.gbs if base else None))
                cells.append(fmt_gbs(g) if r is None
                             else f"{fmt_gbs(g)} ({r:.2f}x)")
        body.append([row.type_name, row.name] + cells)
    judged = ", ".join(i[6:] for i in quant_judged(info))
    params = (f" ({info.quant_params})" if info.quant_params else "")
    lines = ["## Quantized int8 and uint8 (forward)", "",
             "lrelu_forward_qs8 / lrelu_forward_qu8 with one parameter set"
             f"{params}, every kernel (scalar in cache only), the dispatched "
             "kernel through parameters prepared once (lrelu_prepared: "
             "lrelu_forward_qs8_prepared / _qu8_prepared), memcpy of the "
             "same bytes (one row for both types) and "
             "XNNPACK's qu8 leaky ReLU operator (one thread). GB/s (2 bytes "
             "per element: one read, one write) and, in parentheses, the "
             "ratio to memcpy at the same size (in cache, for liblrelu's "
             "rows, the two timed in alternate batches on the same "
             "arrays). Target: in cache (1 Ki to "
             f"256 Ki) >= {QUANT_IN_CACHE:g}x memcpy on {judged}.", ""]
    lines += md_table(["Type", "Implementation"] + [fmt_n(n) for n in sizes],
                      body)
    notes = [footnote(r, sizes) for r in flagged]
    if notes:
        lines += [""] + notes
    if any(r.kind == "peer" and r.impl == "peer:xnnpack" for r in flagged):
        lines += ["", "XNNPACK releases before its fixed-point qu8-vlrelu "
                  "kernels (Debian 12's is one) fill a 256-entry table in "
                  "float arithmetic, which differs from the fixed-point "
                  "definition (lrelu.h) by one near rounding boundaries: "
                  "its differences are a finding, not a failure."]
    return lines + [""]


# Data independence: a call's time on random signs against its time on the
# same magnitudes, all positive. Bar for every liblrelu kernel.
DI_BAR = 1.15
DI_OPS = ("forward", "backward")


def independence_ratios(grouped, impl, sfx=""):
    """[(op, n, time on random signs / time on positive)] of impl in type
    sfx: from the batches timed in alternation where the run has them,
    else from the two benchmarks."""
    out = []
    for op in DI_OPS:
        positive = grouped.get((f"{op}_positive{sfx}", impl), {})
        for n, pos in sorted(positive.items()):
            rand = grouped.get((op + sfx, impl), {}).get(n)
            if getattr(pos, "vs_random", None):
                out.append((op, n, 1.0 / pos.vs_random))
            elif rand is not None and rand.gbs and pos.gbs:
                out.append((op, n, pos.gbs / rand.gbs))
    return out


def independence_section(grouped, info):
    pairs = sorted({(sfx, i) for o, i in grouped
                    for sfx in TYPES
                    if o in (f"forward_positive{sfx}",
                             f"backward_positive{sfx}")},
                   key=lambda p: (list(TYPES).index(p[0]),
                                  impl_sort_key(p[1], info.kernels)))
    if not pairs:
        return []
    lines = ["## Data independence", "",
             "The same call on random signs (the benchmark input), on the "
             "same magnitudes all positive, and on inputs whose every "
             "product with alpha is subnormal (no flush to zero). GB/s, "
             "and ratios of times. A kernel whose time depends on the "
             "signs branches on them. The ratios come from batches timed "
             "in alternation in one benchmark (the positive or subnormal "
             "input, then the random one, then the other way round), so "
             "that both see the same machine. Target for every liblrelu "
             f"kernel: time on random / on positive <= {DI_BAR:g}.", ""]
    body = []
    missed = []
    for sfx, impl in pairs:
        ours = impl.startswith("lrelu:")
        ratios = {(op, n): r for op, n, r in independence_ratios(grouped,
                                                                 impl, sfx)}
        for op in DI_OPS:
            positive = grouped.get((f"{op}_positive{sfx}", impl), {})
            for n, pos in sorted(positive.items()):
                rand = grouped.get((op + sfx, impl), {}).get(n)
                sub = grouped.get((f"{op}_subnormal{sfx}", impl),
                                  {}).get(n)
                r_gbs = rand.gbs if rand else None
                s_gbs = sub.gbs if sub else None
                ratio = ratios.get((op, n))
                sub_ratio = getattr(sub, "vs_random", None)
                if sub_ratio is None and sub is not None and s_gbs and r_gbs:
                    sub_ratio = r_gbs / s_gbs
                mark = DASH
                if ratio is not None:
                    if not ours:
                        mark = "(peer)"
                    elif ratio <= DI_BAR:
                        mark = "met"
                    else:
                        mark = "**missed**"
                        missed.append(f"{impl} {op}{sfx} {fmt_n(n)} "
                                      f"({ratio:.2f}x)")
                body.append([impl, TYPES[sfx][0], op, fmt_n(n),
                             fmt_gbs(r_gbs),
                             fmt_gbs(pos.gbs), fmt_gbs(s_gbs),
                             f"{ratio:.2f}" if ratio else DASH,
                             f"{sub_ratio:.2f}" if sub_ratio else DASH,
                             mark])
    lines += md_table(["Implementation", "Type", "Op", "Size",
                       "random GB/s",
                       "positive GB/s", "subnormal GB/s",
                       "time random / positive",
                       "time subnormal / random", f"<= {DI_BAR:g}"], body)
    lines.append("")
    if missed:
        lines += ["Missed: " + "; ".join(missed) + ". These kernels run "
                  "slower on random signs than on positive inputs: their "
                  "time depends on the data.", ""]
    else:
        lines += ["Met by every liblrelu kernel measured.", ""]
    # The witness that in-cache inputs are not learned: a branchy loop on
    # random signs runs about as fast in cache as beyond it.
    naive = grouped.get(("forward", "peer:naive"), {})
    di_sizes = sorted(grouped.get(("forward_positive", "peer:naive"), {}))
    if len(di_sizes) >= 2 and all(naive.get(n) and naive[n].gbs
                                  for n in di_sizes):
        small, large = naive[di_sizes[0]], naive[di_sizes[-1]]
        lines += [f"The naive loop (peer:naive, branchy) forward on random "
                  f"signs: {fmt_gbs(small.gbs)} GB/s at "
                  f"{fmt_n(small.n)}, {fmt_gbs(large.gbs)} GB/s at "
                  f"{fmt_n(large.n)} ({small.gbs / large.gbs:.2f}x). "
                  "In-cache inputs get fresh signs between timed batches; "
                  "a branchy loop much faster in cache than beyond it "
                  "would be running on a sign pattern its branch predictor "
                  "had learned.", ""]
    return lines


def misaligned_section(grouped, info):
    """The dispatched kernel on arrays off the 64-byte lines, against the
    same call on aligned arrays (the forward and backward rows) and against
    the limit loop on the same misaligned arrays."""
    disp = info.dispatched
    body = []
    for op in ("forward", "backward"):
        mis = grouped.get((f"{op}_misaligned", disp), {})
        aligned = grouped.get((op, disp), {})
        limit = "memcpy" if op == "forward" else "the two-in, one-out loop"
        for n, r in sorted(mis.items()):
            a = aligned.get(n)
            body.append([op, fmt_n(n), fmt_gbs(a.gbs if a else None),
                         fmt_gbs(r.gbs), fmt_ratio(r.gbs, a.gbs if a else None),
                         f"{1 / r.vs_limit:.2f} ({limit})" if r.vs_limit
                         else DASH])
    if not body:
        return []
    lines = ["## Misaligned arrays (float32)", "",
             f"{disp} with x, dy and the output 16, 32 and 48 bytes past a "
             "64-byte line (as malloc may give them; every other row has "
             "them on lines), in cache. GB/s; misaligned / aligned (the "
             "rows' ratio); and the speed against the limit loop on the "
             "same misaligned arrays, the two timed in alternate batches. "
             "No target: a vector load that spans two lines costs the "
             "hardware two, and memcpy meets the same.", ""]
    lines += md_table(["Op", "Size", "aligned GB/s", "misaligned GB/s",
                       "misaligned / aligned", "vs limit, misaligned"], body)
    return lines + [""]


def liblrelu_mismatches(results):
    """Results of liblrelu kernels that differ from the reference."""
    return sorted((r for r in results.values()
                   if r.impl.startswith(("lrelu:", "lrelu_prepared:"))
                   and r.flagged()),
                  key=lambda r: (r.impl, r.op, r.n))


def mismatch_section(bad):
    if not bad:
        return []
    lines = ["## FAILED: liblrelu disagrees with its reference", "",
             "Every liblrelu kernel must give the scalar reference's bits. "
             "These benchmarks did not:", ""]
    for r in bad:
        parts = []
        if r.mismatches:
            parts.append(f"{int(r.mismatches)} of {r.n} elements of the "
                         "benchmark input")
        if r.special:
            parts.append(f"{int(r.special)} of {r.special_len} special "
                         "values")
        lines.append(f"- {r.impl} {r.op} n = {r.n}: " + ", ".join(parts))
    return lines + [""]


def cache_lines(info):
    """The CPU's cache sizes as each source detected them, and which the
    library and the benchmark use."""
    def sizes(text):
        out = []
        for item in str(text).split(","):
            name, _, value = item.partition("=")
            try:
                out.append(f"{name} {fmt_bytes(int(value))}"
                           if int(value) > 0 else f"{name} unknown")
            except ValueError:
                out.append(f"{name} {value}")
        return ", ".join(out)

    lines = []
    if info.cache_sysconf:
        lines.append(f"- Caches, sysconf (glibc, CPUID): "
                     f"{sizes(info.cache_sysconf)}")
    if info.cache_sys:
        lines.append("- Caches, /sys/devices/system/cpu/cpu0/cache: "
                     + ("none listed" if info.cache_sys == "none"
                        else sizes(info.cache_sys)))
    if info.caches:
        lines.append(f"- Caches, Google Benchmark: {fmt_caches(info.caches)}")
    if info.stream_threshold:
        st = info.stream_threshold
        lines.append("- Used by liblrelu: lrelu_stream_threshold() = "
                     + (st if st == "never" else fmt_bytes(int(st)))
                     + " (the largest cache one core reaches, from "
                       "cpu_features, its own CPUID reading or 32 MiB, in "
                       "that order; streaming stores from there on)")
    if info.cache_levels:
        lines.append("- Used by the benchmark to size in-cache batches: "
                     + ", ".join(fmt_bytes(int(v)) for v in
                                 str(info.cache_levels).split(",") if v))
    return lines or ["- Caches: unknown"]


def header_section(info, paths):
    lines = ["# liblrelu benchmark report", ""]
    lines.append(f"- CPU: {info.cpu_model}")
    lines.append(f"- CPUs: {info.num_cpus if info.num_cpus else 'unknown'}")
    if info.pinned_cpu not in (None, "", "-1"):
        also = (", and the Python rows of " + ", ".join(info.pinned_python)
                + " too" if info.pinned_python else "")
        lines.append(f"- Single-threaded rows pinned to CPU {info.pinned_cpu} "
                     "(the first one lrelu-bench may use; --no-pin to let "
                     "it move)" + also + "; threads rows on every CPU")
    if info.repetition_order == "random":
        lines.append("- Repetitions of lrelu-bench's rows: run in one random "
                     "order across all rows (Google Benchmark's random "
                     "interleaving), so that a drift of the machine during "
                     "the run falls on every row alike; the medians compare "
                     "rows over the same stretch of time")
    lines += cache_lines(info)
    other = sorted({k for k in info.type_kernels.values()
                    if k != info.kernel})
    lines.append(f"- Dispatched kernel: {info.kernel or 'unknown'}" + "".join(
        f" ({', '.join(t for t, k in info.type_kernels.items() if k == o)}:"
        f" {o})" for o in other))
    lines.append("- Usable kernels: "
                 + (", ".join(info.kernels) if info.kernels else "unknown"))
    lines.append(f"- liblrelu version: {info.version or 'unknown'}")
    lines.append("- Date: " + ("; ".join(info.dates) if info.dates
                               else "unknown"))
    if info.torch_capability:
        lines.append(f"- PyTorch CPU capability: {info.torch_capability}")
    lines.append("- Skipped peers: "
                 + ("; ".join(info.skipped) if info.skipped else "none"))
    lines.append("- Inputs: " + ", ".join(os.path.basename(p)
                                          for p in paths))
    lines += batch_plan_lines(info)
    return lines + [""]


def batch_plan_lines(info):
    """How the Python rows were timed in cache against the C suite's
    batches of several arrays (bench/batches.py)."""
    followed = [f"{exe} ({plan})" for exe, plan in info.batch_plans if plan]
    single = [exe for exe, plan in info.batch_plans if not plan]
    lines = []
    if followed:
        lines.append("- Peers and Python rows in cache: on as many input "
                     "arrays as the C suite's rows of the same op and size "
                     "(counter `calls`), rewritten before each timed batch "
                     "as the C suite's are, read from the C suite's "
                     "output: " + ", ".join(followed))
    if single:
        lines.append("- **Not like for like in cache**: " + ", ".join(single)
                     + " timed each row on one array (no --plan-from), "
                       "whose working set sits in a smaller cache level "
                       "than the C suite's batches of several arrays")
    return lines


# ---------------------------------------------------------------- plots

def load_pyplot():
    """matplotlib.pyplot on the Agg backend, or None (said on stderr)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as exc:
        warn(f"skipping plots: {exc}")
        return None
    return plt


def series(cells):
    """Sorted (n, GB/s) points of {n: Result}."""
    return sorted((n, c.gbs) for n, c in cells.items() if c.gbs is not None)


def best_peer_series(grouped, op):
    """(n, GB/s, peer) of the fastest peer of op at each size."""
    out = {}
    for (o, impl), cells in grouped.items():
        if o != op or not impl.startswith("peer:"):
            continue
        for n, c in cells.items():
            if c.gbs is not None and (n not in out or c.gbs > out[n][0]):
                out[n] = (c.gbs, impl[5:])
    return sorted((n, g, who) for n, (g, who) in out.items())


def setup_axis(ax, sizes, title, unit="elements"):
    ax.set_xscale("log", base=2)
    if sizes:
        ax.set_xticks(sizes)
        ax.set_xticklabels([fmt_n(n) for n in sizes], fontsize="small")
    ax.minorticks_off()
    ax.set_xlabel(f"n ({unit})")
    ax.set_ylabel("GB/s (read + written)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.set_title(title, fontsize="medium")


def draw(ax, points, label, **style):
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], label=label,
                marker=style.pop("marker", "o"), markersize=4, **style)


def save(plt, fig, path, title):
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return True


def plot_overview(plt, path, grouped, info, title):
    """The dispatched kernel, the limits and the best peer per size, forward
    and backward (float32)."""
    disp = info.dispatched
    if disp is None or ("forward", disp) not in grouped:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), dpi=110)
    for ax, op in zip(axes, ("forward", "backward")):
        sizes = sorted(grouped.get((op, disp), {}))
        draw(ax, series(grouped.get((op, disp), {})),
             f"{disp} (dispatched)", color="tab:blue", linewidth=3)
        limits = [i for o, i in grouped if o == op and i.startswith("limit:")]
        for impl, colour in zip(sorted(limits), ("tab:gray", "black",
                                                  "tab:brown")):
            draw(ax, series(grouped[(op, impl)]), impl, color=colour,
                 linestyle="--", linewidth=1.5)
        best = best_peer_series(grouped, op)
        if best:
            draw(ax, [(n, g) for n, g, _ in best], "best peer at each size",
                 color="tab:red", linestyle=":", linewidth=2, marker="^")
            for n, g, who in best:
                ax.annotate(who, (n, g), textcoords="offset points",
                            xytext=(0, -12), ha="center", fontsize=7,
                            color="tab:red")
        setup_axis(ax, sizes, op)
        ax.legend(fontsize="small", loc="upper right")
    return save(plt, fig, path, title)


def plot_kernels(plt, path, grouped, info, title):
    """Every liblrelu kernel, forward and backward (float32)."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), dpi=110)
    drawn = False
    colours = plt.get_cmap("tab10").colors
    for ax, op in zip(axes, ("forward", "backward")):
        sizes = set()
        for i, k in enumerate(info.kernels):
            cells = grouped.get((op, f"lrelu:{k}"), {})
            sizes |= set(cells)
            label = k + (" (dispatched)" if f"lrelu:{k}" == info.dispatched
                         else "")
            draw(ax, series(cells), label, color=colours[i % 10],
                 linewidth=2.5 if f"lrelu:{k}" == info.dispatched else 1.5)
            drawn |= bool(cells)
        lim = LIMIT_OF[op]
        draw(ax, series(grouped.get((op, lim), {})), lim, color="black",
             linestyle="--", linewidth=1)
        setup_axis(ax, sorted(sizes), op)
        ax.legend(fontsize="small", loc="upper right")
    if not drawn:
        plt.close(fig)
        return False
    return save(plt, fig, path, title)


def plot_inplace(plt, path, grouped, info, title):
    """In place: the dispatched kernel in place and out of place, PyTorch
    in place, memcpy."""
    disp = info.dispatched
    if disp is None or ("forward_inplace", disp) not in grouped:
        return False
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    cells = grouped[("forward_inplace", disp)]
    draw(ax, series(cells), f"{disp} in place", color="tab:blue",
         linewidth=3)
    draw(ax, series(grouped.get(("forward", disp), {})),
         f"{disp} out of place", color="tab:blue", linestyle="--")
    for impl, colour in (("peer:torch", "tab:red"),):
        draw(ax, series(grouped.get(("forward_inplace", impl), {})),
             f"{impl[5:]} in place", color=colour, linestyle=":")
    draw(ax, series(grouped.get(("forward", "limit:memcpy"), {})),
         "memcpy (out of place)", color="black", linestyle="--",
         linewidth=1)
    for sfx, colour in (("_f16", "tab:purple"), ("_bf16", "tab:orange"),
                        ("_f64", "tab:green")):
        other = grouped.get(("forward_inplace" + sfx, disp), {})
        draw(ax, series(other), f"{disp} in place, {TYPES[sfx][0]}",
             color=colour, linewidth=1, marker="s")
    setup_axis(ax, sorted(cells), "forward in place (float32 unless said)")
    ax.legend(fontsize="small", loc="upper right")
    return save(plt, fig, path, title)


def plot_types(plt, path, grouped, info, title):
    """float16, bfloat16, float64: the dispatched kernel (and avx2 for the
    16-bit types), the limits of the same bytes, the best peer."""
    sfxs = [s for s in ("_f16", "_bf16", "_f64")
            if ("forward" + s, info.dispatched_for(s)) in grouped]
    if not sfxs:
        return False
    fig, axes = plt.subplots(len(sfxs), 2, figsize=(13, 4.2 * len(sfxs)),
                             dpi=110, squeeze=False)
    for row, sfx in zip(axes, sfxs):
        disp = info.dispatched_for(sfx)
        for ax, op in zip(row, ("forward", "backward")):
            o = op + sfx
            cells = grouped.get((o, disp), {})
            draw(ax, series(cells), f"{disp} (dispatched)",
                 color="tab:blue", linewidth=3)
            for k, colour in (("avx2", "tab:green"),):
                if f"lrelu:{k}" != disp:
                    draw(ax, series(grouped.get((o, f"lrelu:{k}"), {})), k,
                         color=colour, linewidth=1.5)
            limits = sorted(i for oo, i in grouped
                            if oo == o and i.startswith("limit:"))
            for impl, colour in zip(limits, ("tab:gray", "black")):
                draw(ax, series(grouped[(o, impl)]),
                     impl + " (same bytes)", color=colour, linestyle="--",
                     linewidth=1.5)
            best = best_peer_series(grouped, o)
            if best:
                draw(ax, [(n, g) for n, g, _ in best],
                     "best peer: " + ", ".join(sorted({w for _, _, w in
                                                       best})),
                     color="tab:red", linestyle=":", marker="^")
            setup_axis(ax, sorted(cells), f"{op}, {TYPES[sfx][0]}",
                       f"{TYPES[sfx][0]} elements")
            ax.legend(fontsize="x-small", loc="upper right")
    return save(plt, fig, path, title)


def plot_quant(plt, path, grouped, info, title):
    """int8 and uint8 forward: every kernel, memcpy of the same bytes,
    XNNPACK."""
    sfxs = [sfx for sfx in QUANT if any(o == "forward" + sfx
                                        for o, _ in grouped)]
    if not sfxs:
        return False
    fig, axes = plt.subplots(1, len(sfxs), figsize=(6.5 * len(sfxs), 5),
                             dpi=110, squeeze=False)
    colours = plt.get_cmap("tab10").colors
    for ax, sfx in zip(axes[0], sfxs):
        op = "forward" + sfx
        sizes = set()
        for i, k in enumerate(info.kernels):
            cells = grouped.get((op, f"lrelu:{k}"), {})
            sizes |= set(cells)
            disp = f"lrelu:{k}" == info.dispatched_for(sfx)
            draw(ax, series(cells), k + (" (dispatched)" if disp else ""),
                 color=colours[i % 10], linewidth=2.5 if disp else 1.5)
        draw(ax, series(quant_memcpy(grouped)),
             "memcpy (same bytes)", color="black", linestyle="--",
             linewidth=1)
        for (o, impl), cells in sorted(grouped.items()):
            if o == op and impl.startswith("peer:"):
                draw(ax, series(cells), impl[5:], color="tab:red",
                     linestyle=":", marker="^")
            if o == op and impl.startswith("lrelu_prepared:"):
                draw(ax, series(cells), impl.partition(":")[2] + ", prepared",
                     color="tab:gray", linestyle="-.", marker="s")
        setup_axis(ax, sorted(sizes), f"forward, {TYPES[sfx][0]}",
                   f"{TYPES[sfx][0]} elements")
        ax.legend(fontsize="small", loc="upper right")
    return save(plt, fig, path, title)


def thread_keys(grouped):
    """Rows of multi-threaded runs: an implementation or op that names
    threads (forward/lrelu:threads<T>, limit:memcpy_threads<T>, ...)."""
    return sorted(k for k in grouped if "thread" in k[0] or "thread" in k[1])


def plot_threads(plt, path, grouped, info, title):
    keys = thread_keys(grouped)
    if not keys:
        return False
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    sizes = set()
    for op, impl in keys:
        sizes |= set(grouped[(op, impl)])
        draw(ax, series(grouped[(op, impl)]), f"{op} {impl}")
    setup_axis(ax, sorted(sizes), "threads")
    ax.legend(fontsize="small", loc="upper left")
    return save(plt, fig, path, title)


PLOTS = (("overview.png", plot_overview,
          "the dispatched kernel, the limits and the best peer, float32"),
         ("kernels.png", plot_kernels, "every kernel, float32"),
         ("inplace.png", plot_inplace, "in place"),
         ("types.png", plot_types, "float16, bfloat16 and float64"),
         ("quantized.png", plot_quant, "int8 and uint8 (quantized), forward"),
         ("threads.png", plot_threads, "threads"))


# ---------------------------------------------------------------- main

def main(argv=None):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write report.md and PNG plots from "
                    "Google Benchmark JSON of liblrelu and its peers.")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("inputs", nargs="+", metavar="INPUT.json")
    args = p.parse_args(argv)

    files = [load(path) for path in args.inputs]
    results = collect(files)
    if not results:
        die("no benchmark named <op>/<impl>/<n> in the inputs")
    info = Info(files, args.inputs)
    all_grouped = by_op_impl(results)
    # The threads rows have their own section: the tables, limits and
    # targets above it are single-threaded.
    threaded = set(thread_keys(all_grouped))
    grouped = {k: v for k, v in all_grouped.items() if k not in threaded}
    prelu = collect_prelu(files)

    fwd = build_rows(grouped, info, "forward", "forward", "forward_inplace",
                     "in place")
    bwd = build_rows(grouped, info, "backward", "backward",
                     "backward_from_output", "from output")
    used = [0]
    assign_markers(fwd, used)
    assign_markers(bwd, used)

    bad = liblrelu_mismatches(results)
    lines = header_section(info, args.inputs)
    lines[2:2] = mismatch_section(bad)
    lines += summary_section(grouped, info, prelu, all_grouped)
    lines += throughput_section(
        "Forward", fwd, info, "limit:memcpy",
        "GB/s (8 bytes per element: one read, one write; higher is "
        "better). Median over repetitions when repeated.")
    lines += throughput_section(
        "Backward", bwd, info, "limit:stream_2in1out",
        "GB/s (12 bytes per element: two reads, one write; higher is "
        "better). Median over repetitions when repeated.")
    for sfx in ("_f16", "_bf16", "_f64"):
        if not any(split_op(o)[1] == sfx for o, _ in grouped):
            continue
        tname, size = TYPES[sfx]
        f = build_rows(grouped, info, "forward" + sfx, "forward" + sfx,
                       "forward_inplace" + sfx, "in place")
        b = build_rows(grouped, info, "backward" + sfx, "backward" + sfx,
                       "backward_from_output" + sfx, "from output")
        assign_markers(f, used)
        assign_markers(b, used)
        lines += throughput_section(
            f"Forward, {tname}", f, info, "limit:memcpy",
            f"GB/s ({2 * size} bytes per element; n counts {tname} "
            "elements; the limits move the same bytes). Kernels that "
            "convert one element at a time run in cache only.")
        lines += throughput_section(
            f"Backward, {tname}", b, info, "limit:stream_2in1out",
            f"GB/s ({3 * size} bytes per element).")
    lines += quant_section(grouped, info, used)
    lines += tiny_section(grouped, info)
    lines += subnormal_section(grouped, info)
    lines += independence_section(grouped, info)
    lines += misaligned_section(grouped, info)
    lines += prelu_section(prelu, info)
    lines += threads_section(all_grouped)
    lines += targets_section(grouped, info, prelu, all_grouped)

    os.makedirs(args.out, exist_ok=True)
    written = []
    md_path = os.path.join(args.out, "report.md")
    with open(md_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines).rstrip("\n") + "\n")
    written.append(md_path)

    plt = load_pyplot()
    if plt is not None:
        for name, fn, what in PLOTS:
            path = os.path.join(args.out, name)
            title = f"liblrelu: {what} ({info.cpu_model})"
            data = all_grouped if fn is plot_threads else grouped
            if fn(plt, path, data, info, title):
                written.append(path)
    for path in written:
        print(path)
    if bad:
        kernels = sorted({r.impl for r in bad})
        warn(f"{', '.join(kernels)} disagree(s) with the reference in "
             f"{len(bad)} benchmark(s): see the top of {md_path}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
