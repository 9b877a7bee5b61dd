#!/usr/bin/env python3
"""Turn liblrelu's benchmark JSON into a Markdown report and two plots.

Usage: report.py --out DIR INPUT.json [INPUT2.json ...]

The inputs are Google Benchmark JSON files (--benchmark_format=json): the
C suite's and bench/peers.py's. Benchmark names are <op>/<impl>/<n>; any
path component after n (/real_time, /iterations:1, ...) is ignored. Of
repeated benchmarks the median aggregate is used, else the median of the
iteration entries.

Writes DIR/report.md, and DIR/forward.png and DIR/backward.png when
matplotlib is available; prints the paths written, one per line. Exits
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
             "backward_positive", "backward_subnormal"}
FORWARD_OPS = {"forward", "forward_inplace"}
BACKWARD_OPS = {"backward", "backward_from_output"}
LIMIT_ORDER = ["limit:memcpy", "limit:nt_copy", "limit:stream_2in1out"]
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
        self.mismatches = mismatches
        self.special = special
        self.special_len = special_len
        self.vs_random = None  # time / time on random signs, interleaved

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
            if key[0] not in KNOWN_OPS:
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
        paired = [e["time_vs_random"] for e in everything
                  if isinstance(e.get("time_vs_random"), (int, float))]
        results[key] = Result(key[0], key[1], key[2], real_ns, bps,
                              max_counter(everything, "mismatches"),
                              max_counter(everything, "special_mismatches"),
                              int(special_len or SPECIAL_LEN),
                              calls if calls and calls > 0 else 1)
        results[key].vs_random = (statistics.median(paired) if paired
                                  else None)
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
        kernels = first("lrelu_kernels") or ""
        self.kernels = [k.strip() for k in str(kernels).split(",")
                        if k.strip()]
        self.version = first("lrelu_version")
        self.torch_capability = first("torch_cpu_capability")
        self.dates = []
        self.skipped = []
        for (ctx, _), path in zip(files, paths):
            if ctx.get("date"):
                exe = os.path.basename(str(ctx.get("executable") or path))
                self.dates.append(f"{ctx['date']} ({exe})")
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
    if kind == "limit":
        pos = LIMIT_ORDER.index(impl) if impl in LIMIT_ORDER else 99
        return (1, pos, name)
    if kind == "peer":
        return (2, 0, name)
    return (3, 0, impl)


def limit_family(op, impl):
    """'forward' or 'backward': the table a limit belongs to; None for the
    limits of other tables (tiny calls)."""
    if op in FORWARD_OPS:
        return "forward"
    if op in BACKWARD_OPS:
        return "backward"
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
            row.dispatched = impl == info.dispatched
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
            body.append([f"dispatched / {short}"]
                        + [fmt_ratio(gbs_at(d, n), gbs_at(prim[0], n))
                           for n in sizes])
        if limits:
            row = ["dispatched / best limit"]
            for n in sizes:
                best = max((gbs_at(r, n) for r in limits
                            if gbs_at(r, n) is not None), default=None)
                row.append(fmt_ratio(gbs_at(d, n), best))
            body.append(row)
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
    elif info.dispatched:
        lines += [f"No results for the dispatched kernel "
                  f"{info.dispatched}.", ""]

    lines += md_table(["Implementation"] + [fmt_n(n) for n in sizes], body)
    notes = [footnote(r, sizes) for r in rows if r.marker]
    if notes:
        lines += [""] + notes
    return lines + [""]


def tiny_section(grouped, info):
    lines = ["## Tiny calls", ""]
    impls = sorted((i for o, i in grouped if o == "tiny_forward"),
                   key=lambda i: impl_sort_key(i, info.kernels))
    if not impls:
        return lines + ["No tiny-call benchmarks.", ""]
    sizes = sorted({n for i in impls for n in grouped[("tiny_forward", i)]})
    lines += ["Nanoseconds per call of the forward op on tiny arrays "
              "(lower is better).", ""]
    body = []
    for impl in impls:
        cells = grouped[("tiny_forward", impl)]
        name = impl
        if impl == info.dispatched:
            name = f"**{impl}** (dispatched)"
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


def targets_section(grouped, info):
    """Each target with its measured ratio and whether it is met."""
    disp = info.dispatched
    if disp is None:
        return []
    rows = []

    def add(target, what, n, value, bar, higher=True):
        if value is None:
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
                lim = gbs_of(grouped, peer_op[op], bw_limit[op], n)
                if lim:
                    add("1. in cache vs the limit", f"{op} / {bw_limit[op][6:]}",
                        n, ours / lim, 0.95)
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
    tiny = grouped.get(("tiny_forward", disp), {}).get(16)
    memcpy = grouped.get(("tiny_forward", "limit:memcpy"), {}).get(16)
    if tiny and memcpy and tiny.call_ns and memcpy.call_ns:
        add("4. n = 16 call vs memcpy of 64 bytes", "ns / ns", 16,
            tiny.call_ns / memcpy.call_ns, 1.5, higher=False)
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
    lines = ["## Targets", "",
             "Ratios of the dispatched kernel (and, for 5, of each kernel) "
             "measured in this run. Medians when repeated.", ""]
    if not rows:
        return []
    lines += md_table(["Target", "Ratio", "Size", "Measured", "Bar", ""],
                      rows)
    lines.append("")
    return lines


# Data independence: a call's time on random signs against its time on the
# same magnitudes, all positive. Bar for every liblrelu kernel.
DI_BAR = 1.15
DI_OPS = ("forward", "backward")


def independence_ratios(grouped, impl):
    """[(op, n, time on random signs / time on positive)] of impl: from
    the batches timed in alternation where the run has them, else from the
    two benchmarks."""
    out = []
    for op in DI_OPS:
        positive = grouped.get((f"{op}_positive", impl), {})
        for n, pos in sorted(positive.items()):
            rand = grouped.get((op, impl), {}).get(n)
            if getattr(pos, "vs_random", None):
                out.append((op, n, 1.0 / pos.vs_random))
            elif rand is not None and rand.gbs and pos.gbs:
                out.append((op, n, pos.gbs / rand.gbs))
    return out


def independence_section(grouped, info):
    impls = sorted({i for o, i in grouped
                    if o in ("forward_positive", "backward_positive")},
                   key=lambda i: impl_sort_key(i, info.kernels))
    if not impls:
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
    for impl in impls:
        ours = impl.startswith("lrelu:")
        ratios = {(op, n): r for op, n, r in independence_ratios(grouped,
                                                                 impl)}
        for op in DI_OPS:
            positive = grouped.get((f"{op}_positive", impl), {})
            for n, pos in sorted(positive.items()):
                rand = grouped.get((op, impl), {}).get(n)
                sub = grouped.get((f"{op}_subnormal", impl), {}).get(n)
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
                        missed.append(f"{impl} {op} {fmt_n(n)} "
                                      f"({ratio:.2f}x)")
                body.append([impl, op, fmt_n(n), fmt_gbs(r_gbs),
                             fmt_gbs(pos.gbs), fmt_gbs(s_gbs),
                             f"{ratio:.2f}" if ratio else DASH,
                             f"{sub_ratio:.2f}" if sub_ratio else DASH,
                             mark])
    lines += md_table(["Implementation", "Op", "Size", "random GB/s",
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


def liblrelu_mismatches(results):
    """Results of liblrelu kernels that differ from the reference."""
    return sorted((r for r in results.values()
                   if r.impl.startswith("lrelu:") and r.flagged()),
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


def header_section(info, paths):
    lines = ["# liblrelu benchmark report", ""]
    lines.append(f"- CPU: {info.cpu_model}")
    lines.append(f"- CPUs: {info.num_cpus if info.num_cpus else 'unknown'}")
    lines.append(f"- Caches: {fmt_caches(info.caches)}")
    lines.append(f"- Dispatched kernel: {info.kernel or 'unknown'}")
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
    return lines + [""]


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


def plot(plt, path, rows, title):
    """Throughput against n, one line per row; returns True if written."""
    rows = [r for r in rows if any(c.gbs is not None
                                   for c in r.cells.values())]
    if not rows:
        return False
    styles = {"lrelu": "-", "limit": "--", "peer": ":", "other": "-."}
    # tab20's dark shades first, then its light ones, so that neighbours
    # in the legend do not share a hue.
    tab20 = plt.get_cmap("tab20").colors
    palette = tab20[0::2] + tab20[1::2]
    colours = {}
    fig, ax = plt.subplots(figsize=(10, 6), dpi=120)
    for row in rows:
        # A variant (in place, from output) shares its impl's colour.
        colour = colours.setdefault(row.impl,
                                    palette[len(colours) % len(palette)])
        points = sorted((n, c.gbs) for n, c in row.cells.items()
                        if c.gbs is not None)
        ax.plot([p[0] for p in points], [p[1] for p in points],
                linestyle=styles[row.kind], color=colour,
                linewidth=3.0 if row.dispatched else 1.5,
                marker="s" if row.variant else "o", markersize=4,
                fillstyle="none" if row.variant else "full",
                label=row.plain_name)
    sizes = sizes_of(rows)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes)
    ax.set_xticklabels([fmt_n(n) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("n (float32 elements)")
    ax.set_ylabel("GB/s")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize="small")
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return True


# ---------------------------------------------------------------- main

def main(argv=None):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write report.md, forward.png and backward.png from "
                    "Google Benchmark JSON of liblrelu and its peers.")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("inputs", nargs="+", metavar="INPUT.json")
    args = p.parse_args(argv)

    files = [load(path) for path in args.inputs]
    results = collect(files)
    if not results:
        die("no benchmark named <op>/<impl>/<n> in the inputs")
    info = Info(files, args.inputs)
    grouped = by_op_impl(results)

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
    lines += throughput_section(
        "Forward", fwd, info, "limit:memcpy",
        "GB/s (8 bytes per element: one read, one write; higher is "
        "better). Median over repetitions when repeated.")
    lines += throughput_section(
        "Backward", bwd, info, "limit:stream_2in1out",
        "GB/s (12 bytes per element: two reads, one write; higher is "
        "better). Median over repetitions when repeated.")
    lines += tiny_section(grouped, info)
    lines += subnormal_section(grouped, info)
    lines += independence_section(grouped, info)
    lines += targets_section(grouped, info)

    os.makedirs(args.out, exist_ok=True)
    written = []
    md_path = os.path.join(args.out, "report.md")
    with open(md_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines).rstrip("\n") + "\n")
    written.append(md_path)

    plt = load_pyplot()
    if plt is not None:
        for name, rows, what in (("forward.png", fwd, "forward"),
                                 ("backward.png", bwd, "backward")):
            path = os.path.join(args.out, name)
            title = f"liblrelu {what} throughput, {info.cpu_model}"
            if plot(plt, path, rows, title):
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
