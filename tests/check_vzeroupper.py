#!/usr/bin/env python3
"""No kernel returns with the upper halves of the vector registers in use.

After an instruction names a 256- or 512-bit register among the first 16,
the upper halves of those registers hold data until VZEROUPPER (or
VZEROALL); zmm16-31, which SSE code cannot reach, do not count. Returning to
code built for SSE in that state costs every later legacy SSE instruction
a merge with the upper halves, or the whole state a save and restore, on
many CPUs: a Zen 3 took about 100 ns more per call. Compilers put a
VZEROUPPER before every return of a function that used such a register,
unless the function takes or returns a vector in them: gcc 12 left it out
of a static function whose argument was a 256-bit vector (alpha), and out
of its caller, an entry point, which took the call as the end of the wide
state.

This check reads the machine code the build made (objdump -dr), follows
every path through each function of the given static libraries from its
entry, which it takes as clean, and fails at any `ret` that a path reaches
after an instruction naming ymm0-15 or zmm0-15 with no VZEROUPPER or
VZEROALL since. A direct call to a function of the same object leaves the
state that function returns in (to a fixed point over the calls); other
calls leave the state as it was. A local function may return in use when
its last wide instruction writes ymm0/zmm0 (a helper returning a vector,
which clang keeps out of line): its callers are judged with that state.
It proves it sees what it looks for: the libraries must hold wide
instructions and VZEROUPPERs, and with --expect-dirty=F,G the check passes
only if each function named fails it (a fixture).

Usage: check_vzeroupper.py [--expect-dirty=F,...] OBJDUMP LIBRARY...
x86 only.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_branchfree import (COND, JUMP, STOP, CALL, OTHER, base_symbol, parse,  # noqa: E402
                              verdict)

WIDE = re.compile(r"%[yz]mm(?:1[0-5]|[0-9])\b")  # VZEROUPPER clears 0-15 only
CLEAN = re.compile(r"^(?:vzeroupper|vzeroall)\b")
TO_X0 = re.compile(r"%[yz]mm0(?:\{[^}]*\})*$")  # the last operand: the destination
# Upper halves clean; in use, the last wide instruction writing ymm0/zmm0
# (a helper returning a vector in it); in use otherwise.
CLEAN_S, RET_X0, DIRTY = 0, 1, 2


def exits(func, insns, exit_of):
    """Each `ret` with the worst state a path reaches it in. A direct call
    to a function of the same object leaves the worse of the state before it
    and that function's exit state (exit_of), any other call the state
    before it."""
    at = {i.addr: n for n, i in enumerate(insns)}

    def succ(n):
        i = insns[n]
        s = []
        if i.kind in (COND, JUMP) and i.target is not None and i.target in at:
            sym = base_symbol(i.reloc) if i.reloc else func
            if sym == func or sym.startswith(".L"):
                s.append(at[i.target])
        if i.kind in (COND, OTHER, CALL) and n + 1 < len(insns):
            s.append(n + 1)
        return s

    state = [None] * len(insns)  # the worst state a path reaches it in
    work = [(0, CLEAN_S)] if insns else []
    while work:
        n, st = work.pop()
        if state[n] is not None and state[n] >= st:
            continue
        state[n] = st
        i = insns[n]
        if CLEAN.match(i.text):
            st = CLEAN_S
        elif WIDE.search(i.text):
            st = RET_X0 if TO_X0.search(i.text.split("#")[0].strip()) else DIRTY
        if i.kind == CALL:
            callee = base_symbol(i.reloc or i.target_sym or "")
            st = max(st, exit_of.get(callee, CLEAN_S))
        for s in succ(n):
            work.append((s, st))
    return [(i, state[n]) for n, i in enumerate(insns)
            if state[n] is not None and i.kind == STOP and i.text.split()[0].startswith("ret")]


def global_functions(objdump, lib):
    run = subprocess.run([objdump, "-t", lib], capture_output=True, text=True)
    return {line.split()[-1] for line in run.stdout.splitlines()
            if re.search(r"\sg\s+F\s", line)}


def main(argv):
    args = argv[1:]
    expect = [f for a in args if a.startswith("--expect-dirty=")
              for f in a.split("=", 1)[1].split(",") if f]
    args = [a for a in args if not a.startswith("--expect-dirty=")]
    if len(args) < 2:
        print(__doc__)
        return 2
    objdump, libs = args[0], args[1:]
    fails, found = [], set()
    nwide = nclean = 0
    for lib in libs:
        globs = global_functions(objdump, lib)
        objects = {}  # member -> {function: [Insn]}
        for member, arch, func, insns in parse(objdump, lib):
            if arch == "x86":
                objects.setdefault(member, {})[func] = insns
        nfuncs = lib_wide = 0
        for member, funcs in objects.items():
            exit_of = {}
            while True:  # exit states through the calls, to a fixed point
                new = {f: max([st for _, st in exits(f, insns, exit_of)], default=CLEAN_S)
                       for f, insns in funcs.items()}
                if new == exit_of:
                    break
                exit_of = new
            for func, insns in funcs.items():
                nfuncs += 1
                lib_wide += sum(1 for i in insns if WIDE.search(i.text))
                nclean += sum(1 for i in insns if CLEAN.match(i.text))
                for i, st in exits(func, insns, exit_of):
                    if st == CLEAN_S or (st == RET_X0 and func not in globs):
                        continue  # clean, or a local helper returning a vector
                    found.add(func)
                    msg = (f"{lib}({member}): {func}: {i.addr:x}: {i.text}: a path reaches this "
                           "return after a ymm/zmm instruction with no vzeroupper since")
                    if func not in expect:
                        fails.append(msg)
                    else:
                        print("found (expected) " + msg)
        nwide += lib_wide
        print(f"{lib}: {nfuncs} x86 function(s), {lib_wide} ymm/zmm instruction(s)")
    if not expect and (nwide == 0 or nclean == 0):
        fails.append(f"{nwide} ymm0-15/zmm0-15 instruction(s) and {nclean} vzeroupper(s) in all: "
                     "this check sees nothing to judge")
    fails += [f"{f}: expected to return with the upper halves in use, and does not (or is "
              "not there): this check does not see what it looks for" for f in expect
              if f not in found]
    return verdict(fails, "the fixture is caught" if expect else
                   "every return is reached with the upper halves clean")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
