#!/usr/bin/env python3
"""Tests of the benchmark itself, run on lrelu-bench-shim (the benchmark
linked behind bench/shim.c). No timing is judged.

Usage: check_bench.py CHECK LRELU_BENCH_SHIM REPORT_PY

  special_values  With one kernel made wrong on special values only (every
                  -0.0 out becomes +0.0; in the quantized types, the
                  outputs of the inputs 0 and 0x80 move by one), the
                  benchmark flags that kernel's rows, every one of them
                  (the quantized ones among them), and no other kernel's:
                  each row checks the code it timed. The prepared
                  quantized rows (lrelu_prepared:<dispatched>) likewise,
                  in a second run with the dispatched kernel made wrong.
  mismatch_fails  report.py exits non-zero, and says so at the top of the
                  report, when a liblrelu kernel disagrees with the
                  reference (a real wrong-kernel run, and a doctored one);
                  a peer that disagrees is reported, and is no failure.
                  A clean run's report marks, in each float type's forward
                  table, the kernel the benchmark names as that type's
                  dispatched one (bfloat16's is avx512bw's from that
                  level up), which alone has in-place rows (but for
                  float32, whose every kernel has them).
  fresh_inputs    In-cache benchmarks call the code on inputs whose signs
                  change from call to call (no pattern for a branch
                  predictor to learn), on arrays that, with the output,
                  fit in the cache level the size is measured in; for
                  float32 and the other types, quantized ones included.
  interleaved     liblrelu's forward, backward and backward-from-output
                  rows in cache (the quantized and prepared ones too), and
                  only they (not the threads rows), time their limit loop
                  in alternate batches (counter time_vs_limit), and the
                  report judges the in-cache targets on that ratio rather
                  than on the two rows' GB/s; the forward ones of the
                  floating-point types also the plain vector copy loop
                  (time_vs_copy_loop), which the forward table shows;
                  likewise each kernel's PReLU
                  rows with lrelu of the same size (time_vs_lrelu) and the
                  PReLU target.
"""

import collections
import json
import math
import os
import subprocess
import sys
import tempfile

PROG = "check_bench.py"
ELEMENT_BYTES = {"f16": 2, "bf16": 2, "f64": 8, "qs8": 1, "qu8": 1}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run_bench(bench, out, args=(), env=None):
    full = dict(os.environ, OMP_NUM_THREADS="1")
    for key in ("LRELU_SHIM_WRONG_KERNEL", "LRELU_SHIM_LOG", "LRELU_MAX_ISA"):
        full.pop(key, None)
    full.update(env or {})
    subprocess.run([bench, *args, "--benchmark_format=json",
                    f"--benchmark_out={out}"],
                   env=full, check=True, stdout=subprocess.DEVNULL)
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def rows(doc):
    """{(op, impl, n): entry} of the checked rows."""
    out = {}
    for e in doc["benchmarks"]:
        op, impl, n = e["name"].split("/")[:3]
        if "special_mismatches" in e:
            out[(op, impl, int(n))] = e
    return out


def kernels_of(doc):
    return [k for k in doc["context"]["lrelu_kernels"].split(",") if k]


# Levels that upgrade only some functions of the level below (the
# quantized ones, and avx512bw's bfloat16 ones): the benchmark gives them
# rows of those types only.
PARTIAL = ("avx512bw", "avx512vbmi")


def float_kernels(kernels):
    return [k for k in kernels if k not in PARTIAL]


def wrong_kernel(kernels):
    """A kernel neither the reference nor the default where there is one:
    the case a check on the default kernel would miss."""
    return kernels[1] if len(kernels) >= 3 else kernels[-1]


def run_report(report, inputs, outdir):
    p = subprocess.run([sys.executable, report, "--out", outdir, *inputs],
                       capture_output=True, text=True)
    with open(os.path.join(outdir, "report.md"), encoding="utf-8") as f:
        return p.returncode, f.read(), p.stderr


def special_values(bench, _report, tmp):
    doc = run_bench(bench, f"{tmp}/clean.json", ["--smoke"])
    clean = rows(doc)
    kernels = kernels_of(doc)
    if len(kernels) < 2:
        print(f"{PROG}: one kernel here ({kernels}): nothing to tell apart")
        return 77
    wrong = wrong_kernel(kernels)
    print(f"kernels {kernels}; made wrong: {wrong}")
    check(all(e["special_mismatches"] == 0 and e["mismatches"] == 0
              for (op, impl, n), e in clean.items()
              if impl.startswith("lrelu:")),
          "without the fault, every liblrelu row agrees with the reference")
    got = rows(run_bench(bench, f"{tmp}/wrong.json", ["--smoke"],
                         {"LRELU_SHIM_WRONG_KERNEL": wrong}))
    for k in kernels:
        mine = {key: e for key, e in got.items() if key[1] == f"lrelu:{k}"}
        check(len(mine) >= (2 if k in PARTIAL else 10),
              f"lrelu:{k} has its rows ({len(mine)})")
        quant = sorted({op for (op, _, _) in mine if op in ("forward_qs8", "forward_qu8")})
        check(quant == ["forward_qs8", "forward_qu8"],
              f"lrelu:{k} has checked quantized rows ({quant})")
        flagged = sorted(f"{op}/{n}" for (op, _, n), e in mine.items()
                         if e["special_mismatches"] > 0)
        if k == wrong:
            missed = sorted(f"{op}/{n}" for (op, _, n), e in mine.items()
                            if e["special_mismatches"] == 0)
            check(not missed, f"every lrelu:{k} row flags the special "
                  f"values (not flagged: {missed})")
        else:
            check(not flagged, f"no lrelu:{k} row is flagged "
                  f"(flagged: {flagged})")
    check(all(e["mismatches"] == 0 for (_, impl, _), e in got.items()
              if impl.startswith("lrelu:")),
          "the benchmark input stays right on every kernel (only the "
          "special check can see this fault)")
    # The prepared quantized rows (the dispatched kernel only) call their
    # own entry points: clean above, unflagged while another kernel is
    # wrong, and flagged, every one, once their kernel is.
    disp = doc["context"].get("lrelu_default_quant_kernel", "")
    prepared = {key: e for key, e in clean.items()
                if key[1] == f"lrelu_prepared:{disp}"}
    ops = sorted({op for (op, _, _) in prepared})
    check(ops == ["forward_qs8", "forward_qu8", "tiny_forward_qs8",
                  "tiny_forward_qu8"],
          f"lrelu_prepared:{disp} has quantized and tiny rows ({ops})")
    check(all(e["special_mismatches"] == 0 and e["mismatches"] == 0
              for e in prepared.values()),
          f"lrelu_prepared:{disp} agrees with the reference without the fault")
    check(all(e["special_mismatches"] == 0 for (_, impl, _), e in got.items()
              if impl.startswith("lrelu_prepared:")),
          f"no lrelu_prepared row is flagged while {wrong} is wrong")
    got = rows(run_bench(bench, f"{tmp}/wrong_prepared.json",
                         ["--smoke", "--types=qs8,qu8"],
                         {"LRELU_SHIM_WRONG_KERNEL": disp}))
    mine = {key: e for key, e in got.items()
            if key[1] == f"lrelu_prepared:{disp}"}
    missed = sorted(f"{op}/{n}" for (op, _, n), e in mine.items()
                    if e["special_mismatches"] == 0)
    check(mine and not missed, f"with {disp} wrong, every "
          f"lrelu_prepared:{disp} row flags the special values "
          f"({len(mine)} rows; not flagged: {missed})")
    return 0


def mismatch_fails(bench, report, tmp):
    doc = run_bench(bench, f"{tmp}/clean.json", ["--smoke"])
    kernels = kernels_of(doc)

    def report_on(name, d):
        path = f"{tmp}/{name}.json"
        with open(path, "w", encoding="utf-8") as f:
            json.dump(d, f)
        out = f"{tmp}/{name}"
        os.makedirs(out, exist_ok=True)
        return run_report(report, [path], out)

    status, text, _ = report_on("clean", doc)
    check(status == 0 and "FAILED" not in text,
          f"a clean run's report exits 0 (status {status})")
    type_kernels = dict(item.split("=", 1) for item in
                        doc["context"].get("lrelu_type_kernels", "").split(",")
                        if "=" in item)
    check(sorted(type_kernels) == ["bfloat16", "float16", "float32", "float64"],
          f"the run names each float type's dispatched kernel ({type_kernels})")
    for tname, sfx in (("float32", ""), ("float16", "_f16"),
                       ("bfloat16", "_bf16"), ("float64", "_f64")):
        k = type_kernels.get(tname)
        inplace = sorted({e["name"].split("/")[1] for e in doc["benchmarks"]
                          if e["name"].startswith(f"forward_inplace{sfx}/lrelu:")})
        check(not sfx or inplace == [f"lrelu:{k}"],
              f"{tname}: in-place rows for lrelu:{k} only ({inplace})")
        title = "## Forward" + (f", {tname}" if sfx else "")
        table = text.split(f"\n{title}\n")[-1].split("\n## ")[0]
        marked = [ln.split("|")[1].strip() for ln in table.splitlines()
                  if "(dispatched)" in ln]
        check(marked == [f"**lrelu:{k}** (dispatched)"],
              f"{tname}: the forward table marks lrelu:{k} ({marked})")

    peer = json.loads(json.dumps(doc))
    doctored = [e for e in peer["benchmarks"]
                if e["name"].startswith("forward/peer:naive/")]
    for e in doctored:
        e["special_mismatches"] = 3
    status, text, _ = report_on("peer", peer)
    check(bool(doctored) and status == 0 and "FAILED" not in text
          and "peer:naive †" in text,
          f"a peer's disagreement is marked in the tables and does not fail "
          f"(status {status})")

    ours = json.loads(json.dumps(doc))
    last = float_kernels(kernels)[-1]
    name = f"backward/lrelu:{last}/37"
    doctored = [e for e in ours["benchmarks"]
                if e["name"].startswith(name + "/")]
    for e in doctored:
        e["mismatches"] = 5
    status, text, err = report_on("ours", ours)
    top = text.split("- CPU:")[0]
    check(bool(doctored) and status != 0, f"a liblrelu mismatch fails the "
          f"report (status {status}; {err.strip()})")
    check(f"- lrelu:{last} backward n = 37: 5 of 37" in top,
          "and is named at the top of the report")

    if len(kernels) >= 2:
        wrong = wrong_kernel(kernels)
        got = run_bench(bench, f"{tmp}/wrong.json", ["--smoke"],
                        {"LRELU_SHIM_WRONG_KERNEL": wrong})
        status, text, err = report_on("wrong", got)
        top = text.split("- CPU:")[0]
        named = {line.split()[1] for line in top.splitlines()
                 if line.startswith("- lrelu:")}
        check(status != 0 and named == {f"lrelu:{wrong}"},
              f"a run with lrelu:{wrong} wrong on special values fails the "
              f"report, which names it and only it at the top (status "
              f"{status}, named {sorted(named)})")
    return 0


def cache_levels():
    levels = []
    for name in ("LEVEL1_DCACHE_SIZE", "LEVEL2_CACHE_SIZE"):
        try:
            v = int(subprocess.run(["getconf", name], capture_output=True,
                                   text=True).stdout.strip() or 0)
        except (OSError, ValueError):
            v = 0
        if v > 0:
            levels.append(v)
    return levels


def fresh_inputs(bench, _report, tmp):
    log = f"{tmp}/calls.log"
    # 0.05 s a row: 40 calls at least of the slowest row (scalar, quint8,
    # 16 Ki) under ThreadSanitizer on a Zen 3, where 0.02 s gave 34.
    run_bench(bench, f"{tmp}/log.json",
              ["--sizes=1K,16K", "--tiny=16", "--benchmark_min_time=0.05",
               "--benchmark_filter=^(forward|forward_inplace|backward|"
               "backward_from_output|tiny_forward)(_f16|_bf16|_f64|_qs8|_qu8)?"
               "/lrelu:scalar/"],
              {"LRELU_SHIM_LOG": log})
    calls = collections.defaultdict(list)
    with open(log, encoding="utf-8") as f:
        for line in f:
            fn, n, addr, h = line.split()
            calls[(fn, int(n))].append((addr, h))
    levels = cache_levels()
    for fn, n in (("forward", 1024), ("backward", 1024),
                  ("backward_from_output", 1024), ("forward", 16384),
                  ("backward", 16384), ("forward", 16),
                  ("forward_f16", 1024), ("backward_bf16", 16384),
                  ("forward_f64", 16384), ("backward_f64", 1024),
                  ("forward_qs8", 1024), ("forward_qu8", 16384)):
        seq = calls.get((fn, n), [])
        check(len(seq) >= 40, f"{fn} n = {n}: {len(seq)} calls logged")
        if not seq:
            continue
        # Random signs: as many distinct patterns as len(seq) draws from
        # 2^n give, but for the few calls that check the benchmark input.
        patterns = len({h for _, h in seq})
        space = 2.0 ** min(n, 64)
        expected = space * -math.expm1(-len(seq) / space)
        check(patterns >= 0.8 * expected,
              f"{fn} n = {n}: the sign pattern changes from call to call "
              f"({patterns} patterns in {len(seq)} calls, random signs "
              f"would give {expected:.0f})")
        # The arrays in rotation: the most common number of calls until an
        # input address comes back (the timed batches go round them in
        # order; the runs' edges and the checks are the exceptions).
        last, gaps = {}, collections.Counter()
        for i, (a, _) in enumerate(seq):
            if a in last:
                gaps[i - last[a]] += 1
            last[a] = i
        arrays = gaps.most_common(1)[0][0] if gaps else 1
        size = ELEMENT_BYTES[fn.rpartition("_")[2]] if fn.endswith(
            tuple(ELEMENT_BYTES)) else 4
        per_call = n * size * (2 if fn.startswith("forward") else 3)
        level = next((c for c in levels if c >= 2 * per_call), None)
        if level is None:
            print(f"     {fn} n = {n}: cache sizes unknown, {arrays} arrays")
            continue
        used = arrays * n * size + per_call
        check(used <= level, f"{fn} n = {n}: {arrays} input arrays and one "
              f"call's other arrays, {used} bytes, fit the {level}-byte "
              f"cache level")
    return 0


def interleaved(bench, report, tmp):
    doc = run_bench(bench, f"{tmp}/run.json",
                    ["--sizes=1K", "--tiny=16", "--types=f32,qs8,qu8",
                     "--benchmark_min_time=0.01",
                     "--benchmark_filter=^((forward|forward_inplace|backward|"
                     "backward_from_output|forward_qs8|forward_qu8|"
                     "forward_misaligned|backward_misaligned)/|"
                     "prelu_.*/NCHW_1x16x7x7)"])
    judged = ("forward", "backward", "backward_from_output", "forward_qs8",
              "forward_qu8", "forward_misaligned", "backward_misaligned")
    have, lack = [], []
    prelu_have, prelu_lack = [], []
    for e in doc["benchmarks"]:
        op, impl = e["name"].split("/")[:2]
        if op.startswith("prelu_"):
            (prelu_have if impl.startswith("lrelu:") else prelu_lack).append(e)
            continue
        # The threads rows compare with the copies by as many threads.
        ours = (impl.startswith(("lrelu:", "lrelu_prepared:")) and op in judged
                and not impl.startswith("lrelu:threads"))
        (have if ours else lack).append(e)
    check(have and all(e.get("time_vs_limit", 0) > 0 for e in have),
          f"every liblrelu row in cache has time_vs_limit ({len(have)} rows)")
    check(lack and not any("time_vs_limit" in e for e in lack),
          f"no limit, peer, in-place or threads row has it ({len(lack)} rows)")
    # The vector copy loop is an x86 limit (SSE2 and up).
    has_loop = any(e["name"].startswith("forward/limit:copy_loop/")
                   for e in doc["benchmarks"])
    fwd = [e for e in have if has_loop and e["name"].split("/")[0] in
           ("forward", "forward_f16", "forward_bf16", "forward_f64",
            "forward_misaligned")]
    misaligned = sorted(e["name"].split("/")[0] for e in have
                        if e["name"].split("/")[0].endswith("_misaligned"))
    check(misaligned == ["backward_misaligned", "forward_misaligned"],
          f"the dispatched kernel's misaligned rows ran ({misaligned})")
    check(not has_loop or (fwd and all(e.get("time_vs_copy_loop", 0) > 0 for e in fwd)),
          f"every liblrelu forward row in cache has time_vs_copy_loop ({len(fwd)} rows)")
    check(not any("time_vs_copy_loop" in e for e in have if e not in fwd)
          and not any("time_vs_copy_loop" in e for e in lack),
          "no other row has it")
    check(prelu_have and all(e.get("time_vs_lrelu", 0) > 0 for e in prelu_have),
          f"every kernel's PReLU row has time_vs_lrelu ({len(prelu_have)} rows)")
    check(prelu_lack and not any("time_vs_lrelu" in e for e in prelu_lack),
          f"no lrelu_same_size or peer PReLU row has it ({len(prelu_lack)} rows)")

    # The dispatched rows made as fast as their limits by their GB/s, and
    # half as fast (a quarter, quantized) by the interleaved counter: the
    # report must say the latter.
    disp = doc["context"]["lrelu_default_kernel"]
    qdisp = doc["context"].get("lrelu_default_quant_kernel", disp)
    by_name = {"/".join(e["name"].split("/")[:3]): e for e in doc["benchmarks"]}
    for row, limit, factor in (
            (f"forward/lrelu:{disp}/1024", "forward/limit:memcpy/1024", 2.0),
            (f"backward/lrelu:{disp}/1024",
             "backward/limit:stream_2in1out/1024", 2.0),
            (f"forward_qs8/lrelu:{qdisp}/1024",
             "forward_qs8/limit:memcpy/1024", 4.0)):
        ok = row in by_name and limit in by_name
        check(ok, f"{row} and {limit} ran")
        if ok:
            by_name[row]["bytes_per_second"] = by_name[limit]["bytes_per_second"]
            by_name[row]["time_vs_limit"] = factor
    loop_row = f"forward/lrelu:{disp}/1024"
    if has_loop and loop_row in by_name:
        by_name[loop_row]["time_vs_copy_loop"] = 4.0
    shape = "NCHW_1x16x7x7"
    prelu = by_name.get(f"prelu_forward/lrelu:{disp}/{shape}")
    same = by_name.get(f"prelu_forward/lrelu_same_size:{disp}/{shape}")
    check(prelu is not None and same is not None,
          f"prelu_forward/lrelu:{disp} and lrelu_same_size:{disp} ran on {shape}")
    if prelu is not None and same is not None:
        prelu["real_time"], prelu["time_unit"] = same["real_time"], same["time_unit"]
        prelu["time_vs_lrelu"] = 4.0
    path = f"{tmp}/doctored.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    out = f"{tmp}/report"
    os.makedirs(out, exist_ok=True)
    status, text, err = run_report(report, [path], out)
    check(status == 0, f"the report runs ({err.strip()[-200:]})")
    summary = text.split("## Targets at a glance")[-1].split("\n## ")[0]
    line = next((ln for ln in summary.splitlines()
                 if ln.startswith("| in cache vs memcpy | float32 |")), "")
    check("| 0.50 (" in line, f"the float32 in-cache line says 0.50: {line}")
    forward = text.split("\n## Forward\n")[-1].split("\n## ")[0]
    ratio = next((ln for ln in forward.splitlines()
                  if ln.startswith("| dispatched / memcpy |")), "")
    check(ratio.startswith("| dispatched / memcpy | 0.50 |"),
          f"and the forward table's dispatched / memcpy at 1 Ki: {ratio}")
    loop = next((ln for ln in forward.splitlines()
                 if ln.startswith("| dispatched / copy_loop (in cache) |")), "")
    check(loop.startswith("| dispatched / copy_loop (in cache) | 0.25 |")
          if has_loop else not loop,
          f"and its dispatched / copy_loop at 1 Ki: {loop}")
    mis = text.split("\n## Misaligned arrays (float32)\n")[-1].split("\n## ")[0]
    mrows = [ln for ln in mis.splitlines() if ln.startswith(("| forward | 1 Ki |",
                                                             "| backward | 1 Ki |"))]
    check(len(mrows) == 2 and all(ln.count("|") == 7 and " – " not in ln for ln in mrows),
          f"the misaligned table has both ops at 1 Ki, every cell filled: {mrows}")
    quant = text.split("## Quantized")[-1].split("\n## ")[0]
    qline = next((ln for ln in quant.splitlines()
                  if ln.startswith(f"| int8 (qs8) | **lrelu:{qdisp}**")
                  or ln.startswith(f"| int8 (qs8) | lrelu:{qdisp} ")), "")
    check("(0.25x)" in qline, f"the quantized table says 0.25x: {qline}")
    target = next((ln for ln in text.splitlines()
                   if ln.startswith("| 8. PReLU") and f"prelu_forward {shape} /" in ln), "")
    check("| 0.25 |" in target, f"the PReLU target says 0.25: {target}")
    glance = next((ln for ln in summary.splitlines()
                   if ln.startswith("| PReLU forward vs lrelu forward | float32 |")), "")
    check(f"| 0.25 ({shape}) |" in glance and "**missed**" in glance,
          f"and the table at the top gives it as PReLU forward's worst, missed: {glance}")

    # A DRAM point whose repetitions spread: the line shows the median
    # ratio and how far each row's repetitions spread.
    def rep(name, gbs, i):
        return {"name": name, "run_name": name, "run_type": "iteration",
                "repetitions": 2, "repetition_index": i, "iterations": 1,
                "real_time": 4194304 * 8 / gbs, "cpu_time": 1.0,
                "time_unit": "ns", "bytes_per_second": gbs * 1e9}
    big = 4194304
    ours, memcpy = f"forward/lrelu:{disp}/{big}", f"forward/limit:memcpy/{big}"
    spread_doc = {"context": doc["context"],
                  "benchmarks": [rep(ours, 10.0, 0), rep(ours, 12.0, 1),
                                 rep(memcpy, 20.0, 0), rep(memcpy, 20.0, 1)]}
    path = f"{tmp}/spread.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spread_doc, f)
    status, text, err = run_report(report, [path], out)
    check(status == 0, f"the report runs on repeated DRAM rows ({err.strip()[-200:]})")
    line = next((ln for ln in text.splitlines()
                 if ln.startswith("| DRAM vs the best of the run | float32 |")), "")
    check("| 0.55 (forward 4 Mi vs memcpy; repetitions spread 18%, 0%) |" in line,
          f"the DRAM line gives the median ratio and the spreads: {line}")
    return 0


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    check_name, bench, report = sys.argv[1:]
    fn = {"special_values": special_values, "mismatch_fails": mismatch_fails,
          "fresh_inputs": fresh_inputs,
          "interleaved": interleaved}.get(check_name)
    if fn is None:
        print(f"{PROG}: unknown check {check_name}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        status = fn(bench, report, tmp)
    if failures:
        print(f"{PROG}: {len(failures)} check(s) failed")
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
