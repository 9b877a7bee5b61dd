#!/usr/bin/env python3
"""Nothing outside the AVX2 and AVX-512 kernels can SIGILL on an old x86-64.

Disassembles the shared library as linked (dispatcher, API, scalar and SSE2
kernels, cpu_features) and fails on any VEX- or EVEX-encoded instruction
(AVX, AVX2, FMA, AVX-512, BMI1/2) outside the code of the AVX2, AVX-512 and
AVX-512 VBMI kernel objects. Those objects are located in the library by
their .text section: the address of lrelu_forward_f32_<isa> (or, for a
kernel without float32 functions, lrelu_forward_qs8_<isa>) in the
library, minus its offset in the object, is where the object's .text
starts. Every
instruction is judged by its address, so helpers that an unoptimised
build leaves out of line (v_load, ...) are attributed to the right object
even though every kernel has one of that name.

The check also proves it can see what it looks for: each kernel object
must hold such instructions (ymm for AVX2, zmm or mask registers for
AVX-512), and a stripped library, where the kernels cannot be found, fails.
The kernels are kept out of link-time optimisation (meson.build: -fno-lto),
so an LTO build (-Db_lto=true, or a distribution's -flto) is checked as any
other; kernel objects built with LTO would hold no machine code to locate,
and the check fails saying so.

Usage: check_baseline_isa.py OBJDUMP LIBRARY [ISA KERNEL_ARCHIVE]...
"""
import re
import subprocess
import sys

# VEX/EVEX-encoded instructions: v-prefixed mnemonics (AVX..AVX-512, FMA),
# the mask-register instructions, BMI1/BMI2 on general registers, and any
# instruction naming a ymm, zmm, mask or tile register or an encoding
# pseudo-prefix.
V_MNEMONIC = re.compile(r"^v(?!err$|erw$)[a-z0-9]+$")
BMI = {"andn", "bextr", "blsi", "blsmsk", "blsr", "bzhi", "mulx", "pdep", "pext",
       "rorx", "sarx", "shlx", "shrx"}
WIDE_REG = re.compile(r"%(?:[yz]mm\d+|k[0-7]\b|tmm\d)|\{(?:vex3?|evex)\}")
PREFIXES = {"lock", "rep", "repz", "repe", "repnz", "repne", "notrack", "bnd", "data16",
            "addr32", "cs", "ds", "es", "fs", "gs", "ss", "rex", "rex.w", "{vex}", "{vex3}",
            "{evex}"}
INSN = re.compile(r"^\s*([0-9a-f]+):\t(.*)$")
FUNC = re.compile(r"^([0-9a-f]+) <(.+)>:$")


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def is_vex_evex(text):
    words = [w for w in text.split() if w not in PREFIXES]
    mnemonic = words[0] if words else ""
    mnemonic = mnemonic.split("{")[0]  # AT&T suffixes like {z}
    if V_MNEMONIC.match(mnemonic) or mnemonic in BMI:
        return True
    return bool(WIDE_REG.search(text))


def symbols(objdump, path):
    """Defined symbols: name -> list of (section, value)."""
    out = {}
    for line in run(objdump, "-t", path).splitlines():
        # "0000000000002d00 l     F .text\t000000000000014d   [.hidden] name"
        left, tab, right = line.partition("\t")
        left, right = left.split(), right.split()
        if not tab or len(left) < 2 or not right or not re.fullmatch(r"[0-9a-f]+", left[0]):
            continue
        if left[-1] != "*UND*":
            out.setdefault(right[-1], []).append((left[-1], int(left[0], 16)))
    return out


def code_sections(objdump, path):
    """Code sections with a size: name -> size."""
    out = {}
    lines = run(objdump, "-h", path).splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s", line)
        if m and i + 1 < len(lines) and "CODE" in lines[i + 1] and int(m.group(2), 16) > 0:
            out[m.group(1)] = int(m.group(2), 16)
    return out


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        print(__doc__)
        return 2
    objdump, lib = argv[1], argv[2]
    kernels = list(zip(argv[3::2], argv[4::2]))
    fails = []
    lib_syms = symbols(objdump, lib)

    # Where each kernel object's .text is in the library.
    ranges = []  # (isa, start, end)
    for isa, archive in kernels:
        sections = code_sections(objdump, archive)
        if not sections:
            fails.append(f"the {isa} kernel object holds no machine code (an LTO build?): it "
                         "cannot be located in the library")
            continue
        # On 32-bit x86 the compiler adds tiny position-independent-code
        # helpers (.text.__x86.get_pc_thunk.*: a mov and a ret, no VEX),
        # merged with every other object's copies: nothing to place.
        sections = {k: v for k, v in sections.items()
                    if not k.startswith(".text.__x86.get_pc_thunk.")}
        if set(sections) != {".text"}:
            fails.append(f"the {isa} kernel has code sections {sorted(sections)}, this check "
                         "expects .text alone: place the others too")
            continue
        archive_syms = symbols(objdump, archive)
        anchor = next((a for a in (f"lrelu_forward_f32_{isa}", f"lrelu_forward_qs8_{isa}")
                       if a in archive_syms), f"lrelu_forward_f32_{isa}")
        in_obj = [v for s, v in archive_syms.get(anchor, []) if s == ".text"]
        in_lib = [v for s, v in lib_syms.get(anchor, []) if s == ".text"]
        if len(in_obj) != 1 or len(in_lib) != 1:
            fails.append(f"{anchor} not found once in the symbol tables of {archive} and "
                         f"{lib} (a stripped library cannot be checked)")
            continue
        start = in_lib[0] - in_obj[0]
        ranges.append((isa, start, start + sections[".text"]))

    # Every instruction of the library, judged by where it is.
    in_kernel = {isa: [] for isa, _, _ in ranges}
    outside = {}  # function -> [instruction]
    checked = 0
    funcs = set()
    func = "?"
    for line in run(objdump, "-d", "--no-show-raw-insn", lib).splitlines():
        m = FUNC.match(line)
        if m:
            func = m.group(2)
            continue
        m = INSN.match(line)
        if not m or m.group(2).startswith("(bad)"):
            continue
        addr, text = int(m.group(1), 16), m.group(2).strip()
        owner = next((isa for isa, lo, hi in ranges if lo <= addr < hi), None)
        if owner is not None:
            if is_vex_evex(text):
                in_kernel[owner].append(text)
            continue
        checked += 1
        funcs.add(func)
        if is_vex_evex(text):
            outside.setdefault(func, []).append(f"{addr:x}: {text}")

    for f, insns in sorted(outside.items()):
        fails.append(f"{f} has {len(insns)} VEX/EVEX instruction(s) outside the AVX2/AVX-512 "
                     f"kernels, first: " + "; ".join(insns[:3]))
    wide = {"avx2": "%ymm", "avx512": "%zmm", "avx512bw": "%zmm", "avx512vbmi": "%zmm"}
    for isa, insns in in_kernel.items():
        if not any(wide.get(isa, "%") in t or "%k" in t for t in insns):
            fails.append(f"the {isa} kernel shows no {wide.get(isa, 'VEX')} instruction: this "
                         "check does not recognise them")
    for public in ("lrelu_forward", "lrelu_active_kernel"):
        if public not in funcs:
            fails.append(f"{public} was not among the functions checked")
    if checked == 0:
        fails.append("no instruction was checked")

    for f in fails:
        print("FAIL " + f)
    if fails:
        return 1
    kernel_counts = ", ".join(f"{isa} {len(v)}" for isa, v in in_kernel.items()) or "none"
    print(f"baseline: {checked} instructions in {len(funcs)} functions outside the AVX2/AVX-512 "
          f"kernels, none VEX/EVEX-encoded; VEX/EVEX instructions in the kernels: "
          f"{kernel_counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
