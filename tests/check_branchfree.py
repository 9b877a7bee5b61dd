#!/usr/bin/env python3
"""No kernel branches on the data: every loop body is straight-line code.

A kernel that branches on the value of an element (x > 0 ? x : alpha * x
kept as a branch) runs at the mercy of the branch predictor: on realistic
activations, where the sign of x is random, it is many times slower than on
all-positive ones. The kernels must compute the product everywhere and
select, with masks, predicated instructions or conditional moves.

This check reads the machine code the build made. For every function in the
given static libraries (objdump -dr --no-show-raw-insn), it builds the
control-flow graph, finds the loops (natural loops: an edge to a block that
dominates its source closes a loop), and judges every conditional branch
inside a loop: one that leaves a loop it is in (a loop exit, e.g. between
the copies of an unrolled loop, or into the tail) or jumps back to a loop's
header (the loop's own test, a counter such as brctg or bdnz) is loop
control and allowed; any other, whose both ways stay inside every loop that
holds it, goes one way or the other by the data and fails the check. A
loop entered in more than one place (irreducible: compilers' jump
threading makes them) is the blocks on the paths from the target of its
closing edge to that edge, judged the same way. Such a
branch inside a nested inner loop's guard would be reported too: the one
nested loop of the kernels (PReLU's blocks) has an inner loop that runs at
least once, with no test before it.

Predicated instructions (ARM's IT blocks, conditional moves, s390x's
load-on-condition) are not branches. An indirect jump has no known target;
a branch with a relocation to another symbol (a tail call, a cold section)
leaves the function.

The check proves it sees what it looks for: every library given must hold
at least one loop (an LTO object, with no machine code, fails), and with
--expect-branchy the check passes only if it finds a data-dependent branch
(run on a fixture holding branchy loops, so a checker that sees nothing
fails); --expect-branchy-in=F,G also requires one in each function named
(those whose branch no target predicates away: the loop entered in two
places among them).

Usage: check_branchfree.py [--expect-branchy | --expect-branchy-in=F,...] OBJDUMP LIBRARY...
Architectures: x86-64, i386, AArch64, 32-bit ARM (ARM and Thumb-2), s390x,
riscv64, ppc64 (little- and big-endian).
"""
import re
import subprocess
import sys

FORMATS = [  # objdump's "file format" word -> architecture
    ("x86-64", "x86"), ("i386", "x86"), ("aarch64", "aarch64"), ("littlearm", "arm"),
    ("bigarm", "arm"), ("s390", "s390"), ("riscv", "riscv"), ("powerpc", "ppc"),
]

# What an instruction does to the flow of control.
COND, JUMP, STOP, CALL, OTHER = "cond", "jump", "stop", "call", "other"

# Calls that do not return: the block after them is not their successor.
NORETURN = re.compile(r"^(?:__stack_chk_fail|__chk_fail|__\w+_chk_fail|abort|__assert_fail|"
                      r"__ubsan_handle_\w+_abort|__asan_report_\w+)$")

X86_PREFIXES = {"bnd", "notrack", "ds", "cs", "ss", "es", "fs", "gs", "data16", "addr32",
                "lock", "rep", "repz", "repnz", "repe", "repne"}


def x86_kind(mn, ops):
    mn = mn.split(",")[0]  # jne,pt
    if mn in ("jmp", "jmpq", "jmpl", "ljmp"):
        return JUMP
    if re.fullmatch(r"j[a-z]+", mn) or re.fullmatch(r"loopn?[ez]?", mn):
        return COND
    if mn in ("call", "callq", "calll", "lcall"):
        return CALL
    if mn in ("ret", "retq", "retl", "retw", "lret", "iret", "iretq", "ud2", "hlt", "int3"):
        return STOP
    return OTHER


def aarch64_kind(mn, ops):
    if re.fullmatch(r"b\.[a-z]{2}|bc\.[a-z]{2}|cbn?z|tbn?z", mn):
        return COND
    if mn in ("b", "br", "braa", "brab", "braaz", "brabz"):
        return JUMP
    if mn in ("bl", "blr", "blraa", "blrab", "blraaz", "blrabz"):
        return CALL
    if mn in ("ret", "retaa", "retab", "eret", "brk", "udf", "hlt"):
        return STOP
    return OTHER


ARM_COND = r"(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)"


def arm_kind(mn, ops):
    mn = re.sub(r"\.[nw]$", "", mn)
    if re.fullmatch(r"b" + ARM_COND + r"|cbn?z", mn):
        return COND
    if mn in ("b", "bal", "tbb", "tbh"):
        return JUMP
    if re.fullmatch(r"blx?" + ARM_COND + "?", mn):
        return CALL
    if mn in ("udf", "bkpt"):
        return STOP
    # Writes to pc: returns and indirect jumps; with a condition (inside an
    # IT block, or ARM's conditional execution) they may fall through.
    m = re.fullmatch(r"(bx|pop|ldm(?:ia|ib|da|db|fd|fa|ed|ea)?|ldr|mov)(" + ARM_COND + ")?", mn)
    if m:
        base, cond = m.groups()
        regs = [r.strip(" {}!^") for r in ops.split(",")]
        writes_pc = (base == "bx" or (base in ("pop",) or base.startswith("ldm")) and "pc" in regs
                     or base in ("ldr", "mov") and regs and regs[0] == "pc")
        if writes_pc:
            return COND if cond else STOP
    return OTHER


S390_COND = r"(?:o|h|p|nle|l|m|nhe|lh|ne|nz|e|z|nlh|he|nl|nm|le|nh|np|no)"


def s390_kind(mn, ops):
    if mn in ("j", "jg", "b"):
        return JUMP
    if mn in ("br",):
        return STOP
    if mn in ("brc", "brcl", "bc", "bcr"):
        mask = ops.split(",")[0].strip()
        if mask == "0":
            return OTHER
        if mask == "15":
            return STOP if mn == "bcr" else JUMP
        return COND
    if (re.fullmatch(r"jg?" + S390_COND, mn) or re.fullmatch(r"b" + S390_COND + "r?", mn)
            or re.fullmatch(r"brct[gh]?|brx(?:h|le|hg|lg)", mn)
            or re.fullmatch(r"cl?g?[ri][jb]" + S390_COND + "?", mn)):
        return COND
    if mn in ("bras", "brasl", "bas", "basr"):
        return CALL
    return OTHER


def riscv_kind(mn, ops):
    mn = mn[2:] if mn.startswith("c.") else mn
    if re.fullmatch(r"b(?:eq|ne|lt|ge|ltu|geu|gt|le|gtu|leu)|b(?:eq|ne|le|ge|lt|gt)z", mn):
        return COND
    if mn == "j" or mn == "jr" and ops.strip() != "ra":
        return JUMP
    if mn == "jal" and ops.split(",")[0].strip() == "zero":
        return JUMP
    if mn in ("jal", "jalr", "call"):
        return CALL
    if mn in ("ret", "ebreak", "unimp") or mn == "jr" and ops.strip() == "ra":
        return STOP
    return OTHER


PPC_COND = r"(?:lt|le|eq|ge|gt|nl|ne|ng|so|ns|un|nu)"


def ppc_kind(mn, ops):
    mn = mn.rstrip("+-")
    if mn in ("b", "ba", "bctr"):
        return JUMP
    if mn in ("bl", "bla", "bctrl", "blrl"):
        return CALL
    if mn in ("blr", "trap"):
        return STOP
    if (re.fullmatch(r"b" + PPC_COND + "a?", mn) or re.fullmatch(r"bd(?:nz|z)(?:[tf]|" + PPC_COND
                                                                  + ")?a?", mn)
            or re.fullmatch(r"bca?|b[tf]a?", mn)):
        return COND
    # Conditional returns and jumps through the count register.
    if re.fullmatch(r"(?:b" + PPC_COND + r"|bd(?:nz|z)|bc|b[tf])(?:lr|ctr)", mn):
        return COND
    return OTHER


KINDS = {"x86": x86_kind, "aarch64": aarch64_kind, "arm": arm_kind, "s390": s390_kind,
         "riscv": riscv_kind, "ppc": ppc_kind}

FILE = re.compile(r"^(\S.*?):\s+file format (\S+)$")
FUNC = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSN = re.compile(r"^\s*([0-9a-f]+):\t(.*)$")
RELOC = re.compile(r"^\s*([0-9a-f]+): (R_\S+)\s+(\S+)")
TARGET = re.compile(r"(?:^|[\s,])(?:0x)?([0-9a-f]+) <([^>]+)>")


class Insn:
    def __init__(self, addr, text, kind):
        self.addr, self.text, self.kind = addr, text, kind
        self.target = None   # direct target inside the function, if any
        self.target_sym = None
        self.reloc = None    # symbol of a relocation in this instruction
        self.next = None     # address of the next instruction in the function


def parse(objdump, path):
    """Yields (member, arch, function, [Insn]) for every function in the file."""
    run = subprocess.run([objdump, "-dr", "--no-show-raw-insn", path], capture_output=True,
                         text=True)
    if run.returncode != 0:  # e.g. a native objdump given a foreign object
        raise SystemExit(f"FAIL {objdump} -d {path}: exit status {run.returncode}: "
                         + run.stderr.strip())
    out = run.stdout
    member, arch, func, insns = None, None, None, []
    for line in out.splitlines():
        m = FILE.match(line)
        if m:
            if func:
                yield member, arch, func, insns
            member, func, insns = m.group(1), None, []
            fmt = m.group(2)
            arch = next((a for k, a in FORMATS if k in fmt), None)
            if arch is None:
                raise SystemExit(f"FAIL {path}: {member}: unknown object format {fmt}")
            continue
        m = FUNC.match(line)
        if m:
            name = m.group(2)
            # Local labels kept in the symbol table (RISC-V) and mapping
            # symbols do not start a function.
            if name.startswith((".L", "$")) or re.fullmatch(r"\.text\S*|L0\S*", name):
                continue
            if func:
                yield member, arch, func, insns
            func, insns = name, []
            continue
        m = RELOC.match(line)
        if m and insns:
            off = int(m.group(1), 16)
            owner = next((i for i in reversed(insns) if i.addr <= off), None)
            if owner is not None:
                owner.reloc = m.group(3)
            continue
        m = INSN.match(line)
        if not m or func is None:
            continue
        addr, text = int(m.group(1), 16), m.group(2).strip()
        code = re.split(r"\s(?://|@|#)\s|\t(?://|@|#)", text)[0]  # comments
        words = code.split()
        while words and (words[0] in X86_PREFIXES or words[0].startswith("rex")) and arch == "x86":
            words = words[1:]
        if not words or words[0].startswith((".word", ".short", ".byte", ".inst", "(bad)")):
            continue
        mn, ops = words[0], " ".join(words[1:])
        insn = Insn(addr, text, KINDS[arch](mn, ops))
        t = TARGET.search(" " + ops)
        if t and insn.kind in (COND, JUMP, CALL) and "*" not in ops:
            insn.target, insn.target_sym = int(t.group(1), 16), t.group(2)
        insns.append(insn)
    if func:
        yield member, arch, func, insns


def base_symbol(sym):
    return re.split(r"[+-]0x|[+-]\d", sym)[0]


def analyse(func, insns):
    """Returns (number of loops, [(insn, loop header, loop end)] of data branches)."""
    if not insns:
        return 0, []
    addrs = {i.addr for i in insns}
    for a, b in zip(insns, insns[1:]):
        a.next = b.addr
    # Successors inside the function of each instruction.
    for i in insns:
        if i.kind in (COND, JUMP, CALL) and i.target is not None:
            # A relocation to another symbol: the target is not known here
            # (a tail call, a cold section); to a local label (RISC-V keeps
            # them for relaxation) or the function itself: it is inside.
            sym = base_symbol(i.reloc) if i.reloc else func
            if not (sym == func or sym.startswith(".L")) or i.target not in addrs \
                    or i.kind == CALL:
                i.target = None
    succ = {}
    for i in insns:
        s = []
        if i.kind in (COND, JUMP) and i.target is not None:
            s.append(i.target)
        falls = i.kind in (COND, OTHER) or (
            i.kind == CALL and not (i.reloc and NORETURN.match(base_symbol(i.reloc)))
            and not (i.target_sym and NORETURN.match(base_symbol(i.target_sym))))
        if falls and i.next is not None:
            s.append(i.next)
        succ[i.addr] = s

    # Basic blocks.
    leaders = {insns[0].addr}
    for i in insns:
        if i.kind != OTHER and i.next is not None:
            leaders.add(i.next)
        if i.target is not None:
            leaders.add(i.target)
    blocks, block_of, cur = {}, {}, None  # leader -> [Insn]
    for i in insns:
        if i.addr in leaders:
            cur = i.addr
            blocks[cur] = []
        blocks[cur].append(i)
        block_of[i.addr] = cur
    bsucc = {b: sorted({block_of[a] for a in succ[body[-1].addr]}) for b, body in blocks.items()}

    # Reverse post-order from the entry; dominators (Cooper, Harvey, Kennedy).
    entry = insns[0].addr
    order, seen, stack = [], {entry}, [(entry, iter(bsucc[entry]))]
    while stack:
        b, it = stack[-1]
        n = next(it, None)
        if n is None:
            order.append(b)
            stack.pop()
        elif n not in seen:
            seen.add(n)
            stack.append((n, iter(bsucc[n])))
    rpo = order[::-1]
    index = {b: k for k, b in enumerate(rpo)}
    preds = {b: [] for b in rpo}
    for b in rpo:
        for s in bsucc[b]:
            preds[s].append(b)
    idom = {entry: entry}
    changed = True
    while changed:
        changed = False
        for b in rpo[1:]:
            ps = [p for p in preds[b] if p in idom]
            new = ps[0]
            for p in ps[1:]:
                x, y = p, new
                while x != y:
                    while index[x] > index[y]:
                        x = idom[x]
                    while index[y] > index[x]:
                        y = idom[y]
                new = x
            if idom.get(b) != new:
                idom[b], changed = new, True

    def dominates(h, b):
        while True:
            if b == h:
                return True
            if b == entry:
                return False
            b = idom[b]

    def reach(start, edges):
        found, work = set(), [start]
        while work:
            n = work.pop()
            if n not in found:
                found.add(n)
                work.extend(edges[n])
        return found

    # Loops, one per header: natural loops, and loops entered in more than
    # one place (irreducible: jump threading makes them, a jump from before
    # the loop into its body past the test), whose body is every block on a
    # path from the retreating edge's target to its source.
    loops = {}  # header -> set of blocks
    for b in rpo:
        for s in bsucc[b]:
            if index[s] <= index[b]:  # a retreating edge
                body = loops.setdefault(s, {s})
                if not dominates(s, b):
                    body |= reach(s, bsucc) & reach(b, preds)
                    continue
                work = [b]
                while work:
                    n = work.pop()
                    if n not in body:
                        body.add(n)
                        work.extend(preds[n])

    bad = []
    for b in rpo:
        last = blocks[b][-1]
        if last.kind != COND:
            continue
        holding = [(h, body) for h, body in loops.items() if b in body]
        if not holding:
            continue
        nexts = bsucc[b]
        control = any(any(n not in body or n == h for n in nexts) or len(nexts) < 2
                      for h, body in holding)
        if not control:
            h, body = min(holding, key=lambda hb: len(hb[1]))
            end = max(i.addr for n in body for i in blocks[n])
            bad.append((last, h, end))
    return len(loops), bad


def main(argv):
    args = argv[1:]
    expect_branchy = "--expect-branchy" in args
    expect_in = [f for a in args if a.startswith("--expect-branchy-in=")
                 for f in a.split("=", 1)[1].split(",") if f]
    expect_branchy = expect_branchy or bool(expect_in)
    args = [a for a in args if a != "--expect-branchy" and not a.startswith("--expect-branchy-in=")]
    if len(args) < 2:
        print(__doc__)
        return 2
    objdump, libs = args[0], args[1:]
    fails, found, funcs = [], [], []
    for lib in libs:
        nfuncs = nloops = 0
        arches = set()
        for member, arch, func, insns in parse(objdump, lib):
            arches.add(arch)
            nfuncs += 1
            funcs.append((lib, member, func))
            n, bad = analyse(func, insns)
            nloops += n
            for insn, h, end in bad:
                found.append(f"{lib}({member}): {func}: {insn.addr:x}: {insn.text}: a conditional "
                             f"branch inside the loop {h:x}..{end:x} that neither leaves nor "
                             "closes it: the loop branches on the data")
        if nloops == 0:
            fails.append(f"{lib}: no loop found in its {nfuncs} function(s): this check sees no "
                         "machine code to judge there (an LTO build?) or does not know the "
                         "architecture's branches")
        else:
            print(f"{lib}: {'/'.join(sorted(arches))}, {nfuncs} function(s), {nloops} loop(s)")
    if expect_branchy:
        for f in found:
            print("found (expected) " + f)
        if not found:
            fails.append("no data-dependent branch found in " + ", ".join(libs) + ", which holds "
                         "the branchy loop: this check does not see what it looks for")
        fails += [f"{lib}({member}): {func}: no data-dependent branch found in this branchy "
                  "function: this check does not see what it looks for"
                  for lib, member, func in funcs if func in expect_in and not any(
                      f.startswith(f"{lib}({member}): {func}: ") for f in found)]
        fails += [f"{name}: no such function in " + ", ".join(libs)
                  for name in expect_in if name not in {func for _, _, func in funcs}]
    else:
        fails += found
    return verdict(fails, "the branchy fixture is caught" if expect_branchy else
                   "no conditional branch inside a loop body other than loop control")


def verdict(fails, ok):
    """Prints each failure, or the one line saying what held; the exit status."""
    for f in fails:
        print("FAIL " + f)
    if fails:
        return 1
    print("ok: " + ok)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
