#!/usr/bin/env python3
"""lrelu-info: text and JSON agree with each other and with the library's
choice, LRELU_MAX_ISA shows as the reason a kernel is not usable, --bench
gives a throughput for every usable kernel, and the options behave.
Usage: check_info.py LRELU_INFO"""
import json
import os
import subprocess
import sys

exe = sys.argv[1]
fails = []


def run(*args, env_extra=None, status=0):
    env = dict(os.environ)
    env.pop("LRELU_MAX_ISA", None)
    env.update(env_extra or {})
    p = subprocess.run([exe, *args], env=env, capture_output=True, text=True)
    if p.returncode != status:
        fails.append(f"{' '.join(args)}: exit {p.returncode}, want {status}")
    return p


def check(cond, what):
    if not cond:
        fails.append(what)


text = run().stdout
info = json.loads(run("--json").stdout)
kernels = info["kernels"]
usable = [k["name"] for k in kernels if k["usable"]]
check(kernels[0]["name"] == "scalar" and kernels[0]["usable"], "scalar not first and usable")
check(info["active"] == usable[-1], f"active {info['active']} is not the best usable {usable}")
check(f"active kernel: {info['active']}\n" in text, "text and JSON name different kernels")
check(f"liblrelu {info['version']}\n" in text, "text lacks the version")
for k in kernels:
    check((k["reason"] is None) == k["usable"], f"{k['name']}: reason given iff not usable")
    line = [ln for ln in text.splitlines() if ln.split()[:1] == [k["name"]]]
    check(len(line) == 1 and ("not usable" in line[0]) != k["usable"],
          f"{k['name']}: text line disagrees with JSON")
check(info["max_isa"] is None, "max_isa not null when unset")
t = info["stream_threshold_bytes"]
check(t is None or t > 0, f"stream threshold {t}")

capped = json.loads(run("--json", env_extra={"LRELU_MAX_ISA": "scalar"}).stdout)
check(capped["active"] == "scalar", "LRELU_MAX_ISA=scalar: active is not scalar")
check(capped["max_isa"] == "scalar", "LRELU_MAX_ISA=scalar not shown")
check(capped["stream_threshold_bytes"] is None,
      "the scalar kernel has no streaming stores, yet a threshold is shown")
for k in capped["kernels"][1:]:
    if k["name"] in usable:
        check(k["reason"] == "above LRELU_MAX_ISA",
              f"{k['name']}: capped but reason is {k['reason']}")

bench = json.loads(run("--json", "--bench").stdout)
for k in bench["kernels"]:
    if k["usable"]:
        g = k.get("forward_gbps", {})
        check(len(g) == 2 and all(v > 0 for v in g.values()),
              f"{k['name']}: --bench gave {g}")

check("usage:" in run("--help").stdout, "--help prints no usage")
check(info["version"] in run("--version").stdout, "--version lacks the version")
check("usage:" in run("--bogus", status=2).stderr, "unknown option: no usage on stderr")

print(text, end="")
if fails:
    print("\n".join("FAIL " + f for f in fails))
    sys.exit(1)
print("lrelu-info: text, JSON, cap, bench and options agree")
