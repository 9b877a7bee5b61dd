#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus: one small input per special case.

The input format is described at the top of fuzz_lrelu.c. The seeds give
the fuzzer every special value and alpha, every layout (in place, overlaps,
NULL arrays, huge n) and the lengths around each vector width, to mutate
from.

    make_corpus.py DIR           write the seeds into DIR (emptied first)
    make_corpus.py --check DIR   exit 1 unless DIR holds exactly these seeds
"""
import filecmp
import os
import struct
import sys
import tempfile

FORWARD, BACKWARD, FROM_OUTPUT = 0, 1, 2
OP_NAMES = {FORWARD: 'forward', BACKWARD: 'backward', FROM_OUTPUT: 'from-output'}

# Output modes (layout bits 0-1) and NULL arrays (bits 3-4).
OUT_OWN, OUT_X, OUT_DY, OUT_PARTIAL = 0, 1, 2, 3
NULL_X, NULL_DY, NULL_OUT = 1, 2, 3


def f32(value):
    return struct.unpack('<I', struct.pack('<f', value))[0]


# The values: signed zeros, infinities, quiet and signalling NaNs with
# payloads, subnormals, FLT_MIN, FLT_MAX, +-1, inputs whose product with a
# small alpha is subnormal, and a few plain numbers.
VALUES = [
    0x00000000, 0x80000000, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd5a5a5,
    0x7f800001, 0xff800001, 0x7fa00000, 0xffb54321,
    0x00000001, 0x80000001, 0x007fffff, 0x807fffff,
    0x00012345, 0x80400000, 0x00800000, 0x80800000,
    0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
] + [f32(v) for v in (-1e-37, -1e-38, -3e-39, 1e-37, 2.5, -3.75, 1e30, -1e30, 0.5, -0.5)]

ALPHAS = {
    '0.01': f32(0.01), '0': 0x00000000, '-0': 0x80000000, '1': f32(1.0), '1.5': f32(1.5),
    '3': f32(3.0), '-0.5': f32(-0.5), '-2': f32(-2.0), 'denorm-min': 0x00000001,
    '-denorm-min': 0x80000001, 'max': 0x7f7fffff, 'nan': 0x7fc00000, 'snan': 0x7f800001,
    '-nan': 0xffc00000, 'inf': 0x7f800000, '-inf': 0xff800000,
}


# Store flags (byte 0, bits 2-3).
AUTO, STREAM, CACHED, BOTH = 0, 1, 2, 3


def seed(op, n, alpha='0.01', out=OUT_OWN, on_dy=False, dy_in_x=False, null=0, huge=None,
         mis=(1, 2, 3), dy_shift=0, out_shift=0, store=AUTO):
    """One input: mis is the misalignment of x, dy and the output."""
    layout = out | (4 if dy_in_x else 0) | null << 3 | (32 if on_dy else 0)
    if huge is not None:
        layout |= 64 | (128 if huge == 'wrap' else 0)
    header = bytes([op | store << 2, layout, mis[0] | mis[2] << 4, mis[1], n & 255, n >> 8])
    header += struct.pack('<I', ALPHAS[alpha])
    header += struct.pack('<bb', dy_shift, out_shift)
    return header + b''.join(struct.pack('<I', v) for v in VALUES)


def seeds():
    s = {}
    # every alpha on every function (negative and non-finite ones are errors
    # for backward-from-output; non-finite ones for all)
    for a in ALPHAS:
        s[f'forward-alpha-{a}'] = seed(FORWARD, 37, a)
    for op in (BACKWARD, FROM_OUTPUT):
        for a in ('0.01', '0', '-0', '-0.5', 'denorm-min', '-denorm-min', 'nan', 'inf'):
            s[f'{OP_NAMES[op]}-alpha-{a}'] = seed(op, 37, a)
    # lengths around each vector width (4, 8, 16 floats, unrolled by 4)
    for n in (0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 63, 64, 65, 127, 300, 1024):
        s[f'forward-n-{n}'] = seed(FORWARD, n, mis=(n % 16, 0, (n * 7) % 16))
    for n in (1, 7, 17, 65, 300):
        s[f'backward-n-{n}'] = seed(BACKWARD, n, mis=(0, n % 16, 15))
    # layouts
    s['forward-in-place'] = seed(FORWARD, 45, out=OUT_X)
    s['backward-in-place-x'] = seed(BACKWARD, 45, out=OUT_X)
    s['backward-in-place-dy'] = seed(BACKWARD, 45, out=OUT_DY)
    s['from-output-in-place-y'] = seed(FROM_OUTPUT, 45, out=OUT_X)
    s['forward-overlap-after'] = seed(FORWARD, 45, out=OUT_PARTIAL, out_shift=3)
    s['forward-overlap-before'] = seed(FORWARD, 45, out=OUT_PARTIAL, out_shift=-40)
    s['backward-overlap-dy'] = seed(BACKWARD, 45, out=OUT_PARTIAL, on_dy=True, out_shift=-1)
    s['backward-dy-is-x'] = seed(BACKWARD, 45, dy_in_x=True)
    s['backward-dy-is-x-in-place'] = seed(BACKWARD, 45, dy_in_x=True, out=OUT_X)
    s['backward-dy-overlaps-x'] = seed(BACKWARD, 45, dy_in_x=True, dy_shift=5)
    s['backward-dy-overlaps-x-in-place'] = seed(BACKWARD, 45, dy_in_x=True, dy_shift=-7,
                                                out=OUT_X)
    for name, null in (('x', NULL_X), ('dy', NULL_DY), ('out', NULL_OUT)):
        s[f'backward-null-{name}'] = seed(BACKWARD, 45, null=null)
        s[f'backward-null-{name}-n-0'] = seed(BACKWARD, 0, null=null)
    s['forward-null-dy-unused'] = seed(FORWARD, 45, null=NULL_DY)
    for op in (FORWARD, BACKWARD):
        s[f'{OP_NAMES[op]}-huge-n'] = seed(op, 5, huge='past')
        s[f'{OP_NAMES[op]}-wrapping-n'] = seed(op, 5, huge='wrap')
    # store flags: streaming forced at lengths and output alignments that
    # reach its head, body and tail; cached; both (refused); in place
    for op in (FORWARD, BACKWARD, FROM_OUTPUT):
        for n in (5, 17, 70, 300):
            s[f'{OP_NAMES[op]}-stream-n-{n}'] = seed(op, n, store=STREAM,
                                                     mis=(n % 16, 3, (n * 5) % 16))
        s[f'{OP_NAMES[op]}-cached'] = seed(op, 70, store=CACHED)
        s[f'{OP_NAMES[op]}-both-flags'] = seed(op, 70, store=BOTH)
    s['forward-stream-in-place'] = seed(FORWARD, 70, out=OUT_X, store=STREAM)
    s['backward-stream-overlap'] = seed(BACKWARD, 45, out=OUT_PARTIAL, out_shift=2, store=STREAM)
    return s


def write(directory):
    os.makedirs(directory, exist_ok=True)
    for old in os.listdir(directory):
        os.remove(os.path.join(directory, old))
    for name, data in seeds().items():
        with open(os.path.join(directory, name), 'wb') as f:
            f.write(data)


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == '--check':
        with tempfile.TemporaryDirectory() as fresh:
            write(fresh)
            names = sorted(os.listdir(fresh))
            _, mismatch, errors = filecmp.cmpfiles(fresh, args[1], names, shallow=False)
            extra = sorted(set(os.listdir(args[1])) - set(names))
        if mismatch or errors or extra:
            print('FAIL the seed corpus is not what make_corpus.py writes; differing:',
                  ' '.join(mismatch + errors + extra))
            return 1
        print(f'seed corpus: {len(names)} inputs, as make_corpus.py writes them')
        return 0
    if len(args) == 1:
        write(args[0])
        return 0
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())
