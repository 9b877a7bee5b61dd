#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus: one small input per special case.

The input format is described at the top of fuzz_lrelu.c. The seeds give
the fuzzer, for every element type, every special value and alpha, every
layout (in place, overlaps, NULL arrays, huge n) and the lengths around
each vector width, to mutate from; and PReLU calls of every kind on NCHW,
NHWC and shared-slope shapes (the driver's three ways of laying out the
slopes), in place, with raw slopes and empty shapes.

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


# Element types (byte 2) and their sizes.
F32, F16, BF16, F64 = 0, 1, 2, 3
TYPE_NAMES = {F32: 'f32', F16: 'f16', BF16: 'bf16', F64: 'f64'}
SIZES = {F32: 4, F16: 2, BF16: 2, F64: 8}


def f32(value):
    return struct.unpack('<I', struct.pack('<f', value))[0]


def f64(value):
    return struct.unpack('<Q', struct.pack('<d', value))[0]


def f16(value):
    return struct.unpack('<H', struct.pack('<e', value))[0]


def bf16(value):
    """bfloat16 code nearest to value (ties to even; no NaN here)."""
    u = f32(value)
    return (u + 0x7fff + (u >> 16 & 1)) >> 16


PLAIN = (2.5, -3.75, 1e3, -1e3, 0.5, -0.5, 0.3, -0.7)

# The values of each type: signed zeros, infinities, quiet and signalling
# NaNs with payloads, subnormals, the smallest normal, the largest value,
# +-1, inputs whose product with a small alpha is subnormal, and a few plain
# numbers.
VALUES = {
    F32: [
        0x00000000, 0x80000000, 0x7f800000, 0xff800000,
        0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd5a5a5,
        0x7f800001, 0xff800001, 0x7fa00000, 0xffb54321,
        0x00000001, 0x80000001, 0x007fffff, 0x807fffff,
        0x00012345, 0x80400000, 0x00800000, 0x80800000,
        0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
    ] + [f32(v) for v in (-1e-37, -1e-38, -3e-39, 1e-37, 2.5, -3.75, 1e30, -1e30, 0.5, -0.5)],
    F16: [
        0x0000, 0x8000, 0x7c00, 0xfc00,
        0x7e00, 0xfe00, 0x7e55, 0xffff,
        0x7c01, 0xfd23, 0x7d00, 0xfc01,
        0x0001, 0x8001, 0x03ff, 0x83ff,
        0x0123, 0x8200, 0x0400, 0x8400,
        0x7bff, 0xfbff, 0x3c00, 0xbc00,
    ] + [f16(v) for v in (-6.1e-5, -1e-4, -3e-3, 1e-4, 6e4, -6e4) + PLAIN],
    BF16: [
        0x0000, 0x8000, 0x7f80, 0xff80,
        0x7fc0, 0xffc0, 0x7fd5, 0xffff,
        0x7f81, 0xffa3, 0x7fbf, 0xff81,
        0x0001, 0x8001, 0x007f, 0x807f,
        0x0042, 0x8040, 0x0080, 0x8080,
        0x7f7f, 0xff7f, 0x3f80, 0xbf80,
    ] + [bf16(v) for v in (-1e-37, -1e-38, -3e-39, 1e-37, 1e30, -1e30) + PLAIN],
    F64: [
        0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
        0x7ff8000000000000, 0xfff8000000000000, 0x7ff8123456789abc, 0xfffdeadbeef00000,
        0x7ff0000000000001, 0xfff0000000000001, 0x7ff4000000000000, 0xfff00000deadbeef,
        0x0000000000000001, 0x8000000000000001, 0x000fffffffffffff, 0x800fffffffffffff,
        0x0000000123456789, 0x8008000000000000, 0x0010000000000000, 0x8010000000000000,
        0x7fefffffffffffff, 0xffefffffffffffff, 0x3ff0000000000000, 0xbff0000000000000,
    ] + [f64(v) for v in (-1e-307, -1e-308, -3e-310, 1e-307, 1e300, -1e300) + PLAIN],
}

# alpha bits: binary32 for float32, float16 and bfloat16, binary64 for float64
ALPHAS32 = {
    '0.01': f32(0.01), '0': 0x00000000, '-0': 0x80000000, '1': f32(1.0), '1.5': f32(1.5),
    '3': f32(3.0), '-0.5': f32(-0.5), '-2': f32(-2.0), 'denorm-min': 0x00000001,
    '-denorm-min': 0x80000001, 'max': 0x7f7fffff, 'nan': 0x7fc00000, 'snan': 0x7f800001,
    '-nan': 0xffc00000, 'inf': 0x7f800000, '-inf': 0xff800000,
}
ALPHAS64 = {
    '0.01': f64(0.01), '0': 0, '-0': 0x8000000000000000, '1': f64(1.0), '1.5': f64(1.5),
    '3': f64(3.0), '-0.5': f64(-0.5), '-2': f64(-2.0), 'denorm-min': 1,
    '-denorm-min': 0x8000000000000001, 'max': 0x7fefffffffffffff,
    'nan': 0x7ff8000000000000, 'snan': 0x7ff0000000000001, '-nan': 0xfff8000000000000,
    'inf': 0x7ff0000000000000, '-inf': 0xfff0000000000000,
    '1e300': f64(1e300), '1e-300': f64(1e-300),
}


# Store flags (byte 0, bits 2-3).
AUTO, STREAM, CACHED, BOTH = 0, 1, 2, 3


def seed(t, op, n, alpha='0.01', out=OUT_OWN, on_dy=False, dy_in_x=False, null=0, huge=None,
         mis=(1, 2, 3), dy_shift=0, out_shift=0, store=AUTO):
    """One input of type t: mis is the misalignment of x, dy and the output."""
    layout = out | (4 if dy_in_x else 0) | null << 3 | (32 if on_dy else 0)
    if huge is not None:
        layout |= 64 | (128 if huge == 'wrap' else 0)
    header = bytes([op | store << 2, layout, t, mis[0], mis[1], mis[2], n & 255, n >> 8])
    header += struct.pack('<bb', dy_shift, out_shift)
    if t == F64:
        header += struct.pack('<Q', ALPHAS64[alpha])
    else:
        header += struct.pack('<II', ALPHAS32[alpha], 0)
    fmt = {2: '<H', 4: '<I', 8: '<Q'}[SIZES[t]]
    return header + b''.join(struct.pack(fmt, v) for v in VALUES[t])


def seeds_of(t):
    s = {}
    alphas = ALPHAS64 if t == F64 else ALPHAS32
    vec = 64 // SIZES[t]  # elements of the widest vector
    # every alpha on every function (negative and non-finite ones are errors
    # for backward-from-output; non-finite ones for all)
    for a in alphas:
        s[f'forward-alpha-{a}'] = seed(t, FORWARD, 37, a)
    for op in (BACKWARD, FROM_OUTPUT):
        for a in ('0.01', '0', '-0', '-0.5', 'denorm-min', '-denorm-min', 'nan', 'inf'):
            s[f'{OP_NAMES[op]}-alpha-{a}'] = seed(t, op, 37, a)
    # lengths around each vector width (4, 8, 16 floats; 8, 16, 32 16-bit
    # elements; 2, 4, 8 doubles; unrolled by 4)
    for n in (0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300, 1024):
        s[f'forward-n-{n}'] = seed(t, FORWARD, n, mis=(n % vec, 0, (n * 7) % vec))
    for n in (1, 7, 17, 65, 300):
        s[f'backward-n-{n}'] = seed(t, BACKWARD, n, mis=(0, n % vec, vec - 1))
    # layouts
    s['forward-in-place'] = seed(t, FORWARD, 45, out=OUT_X)
    s['backward-in-place-x'] = seed(t, BACKWARD, 45, out=OUT_X)
    s['backward-in-place-dy'] = seed(t, BACKWARD, 45, out=OUT_DY)
    s['from-output-in-place-y'] = seed(t, FROM_OUTPUT, 45, out=OUT_X)
    s['forward-overlap-after'] = seed(t, FORWARD, 45, out=OUT_PARTIAL, out_shift=3)
    s['forward-overlap-before'] = seed(t, FORWARD, 45, out=OUT_PARTIAL, out_shift=-40)
    s['backward-overlap-dy'] = seed(t, BACKWARD, 45, out=OUT_PARTIAL, on_dy=True, out_shift=-1)
    s['backward-dy-is-x'] = seed(t, BACKWARD, 45, dy_in_x=True)
    s['backward-dy-is-x-in-place'] = seed(t, BACKWARD, 45, dy_in_x=True, out=OUT_X)
    s['backward-dy-overlaps-x'] = seed(t, BACKWARD, 45, dy_in_x=True, dy_shift=5)
    s['backward-dy-overlaps-x-in-place'] = seed(t, BACKWARD, 45, dy_in_x=True, dy_shift=-7,
                                                out=OUT_X)
    for name, null in (('x', NULL_X), ('dy', NULL_DY), ('out', NULL_OUT)):
        s[f'backward-null-{name}'] = seed(t, BACKWARD, 45, null=null)
        s[f'backward-null-{name}-n-0'] = seed(t, BACKWARD, 0, null=null)
    s['forward-null-dy-unused'] = seed(t, FORWARD, 45, null=NULL_DY)
    for op in (FORWARD, BACKWARD):
        s[f'{OP_NAMES[op]}-huge-n'] = seed(t, op, 5, huge='past')
        s[f'{OP_NAMES[op]}-wrapping-n'] = seed(t, op, 5, huge='wrap')
    # store flags: streaming forced at lengths and output alignments that
    # reach its head, body and tail; cached; both (refused); in place
    for op in (FORWARD, BACKWARD, FROM_OUTPUT):
        for n in (5, 17, 70, 300):
            s[f'{OP_NAMES[op]}-stream-n-{n}'] = seed(t, op, n, store=STREAM,
                                                     mis=(n % vec, 3, (n * 5) % vec))
        s[f'{OP_NAMES[op]}-cached'] = seed(t, op, 70, store=CACHED)
        s[f'{OP_NAMES[op]}-both-flags'] = seed(t, op, 70, store=BOTH)
    s['forward-stream-in-place'] = seed(t, FORWARD, 70, out=OUT_X, store=STREAM)
    s['backward-stream-overlap'] = seed(t, BACKWARD, 45, out=OUT_PARTIAL, out_shift=2,
                                        store=STREAM)
    return s


# PReLU inputs (byte 2 bit 7): the calls, the output layouts (byte 1), the
# slope modes (byte 9 bit 1).
PRELU = 0x80
HEADER = 18  # bytes before the values
P_FORWARD, P_BOTH, P_DX, P_DSLOPE = 0, 1, 2, 3
P_NAMES = {P_FORWARD: 'forward', P_BOTH: 'backward', P_DX: 'dx', P_DSLOPE: 'dslope'}
RAW_SLOPES = 2

# Finite values of both signs, some tiny, some large, whose products and
# sums exercise dslope's rounding.
PRELU_PLAIN = [f32(v) for v in (-1.5, 2.25, -0.375, 7.0, -1e-3, 3e4, -2.5e4, 0.0, -0.0, 1e-40,
                                -6.5, 0.125, -1e20, 1e20, -3.0, 5.5, -0.8125, 1.0)]


def prelu_seed(op, outer, channels, inner, out=OUT_OWN, mis=(1, 2, 3), slope_mis=(0, 5),
               raw=False, values=None):
    """One PReLU input: the shape (inner up to 511), the output layout."""
    header = bytes([op, out, PRELU, mis[0], mis[1], mis[2], outer, channels, inner & 255,
                    inner >> 8 | (RAW_SLOPES if raw else 0), slope_mis[0] | slope_mis[1] << 4])
    header += bytes(HEADER - len(header))
    vals = values if values is not None else VALUES[F32]
    return header + b''.join(struct.pack('<I', v) for v in vals)



def prelu_seeds():
    s = {}
    shapes = {
        'nchw': (2, 3, 5), 'nchw-49': (2, 16, 49), 'nhwc': (37, 7, 1), 'nhwc-33': (5, 33, 1),
        'shared': (1, 1, 100), 'blocks': (1, 9, 300), 'stretches': (1, 100, 21),
        'odd': (3, 17, 13),
    }
    for name, (o, c, i) in shapes.items():
        for op in (P_FORWARD, P_BOTH, P_DX, P_DSLOPE):
            s[f'prelu-{P_NAMES[op]}-{name}'] = prelu_seed(op, o, c, i)
        s[f'prelu-backward-{name}-finite'] = prelu_seed(P_BOTH, o, c, i, values=PRELU_PLAIN)
    # in place; misaligned slopes and dslope; raw slopes (NaN, infinities:
    # errors); empty shapes
    s['prelu-forward-in-place'] = prelu_seed(P_FORWARD, 3, 5, 7, out=OUT_X)
    s['prelu-backward-in-place-x'] = prelu_seed(P_BOTH, 3, 5, 7, out=OUT_X)
    s['prelu-backward-in-place-dy'] = prelu_seed(P_BOTH, 3, 5, 7, out=OUT_DY)
    s['prelu-dx-in-place-dy'] = prelu_seed(P_DX, 9, 3, 1, out=OUT_DY)
    s['prelu-backward-misaligned'] = prelu_seed(P_BOTH, 4, 6, 3, mis=(15, 9, 1),
                                                slope_mis=(13, 11))
    s['prelu-forward-raw-slopes'] = prelu_seed(P_FORWARD, 2, 8, 3, raw=True)
    s['prelu-backward-raw-slopes'] = prelu_seed(P_BOTH, 2, 8, 3, raw=True)
    s['prelu-backward-raw-finite-slopes'] = prelu_seed(P_BOTH, 2, 4, 3, raw=True,
                                                       values=PRELU_PLAIN)
    for name, (o, c, i) in {'outer-0': (0, 3, 5), 'channels-0': (2, 0, 5),
                            'inner-0': (2, 3, 0)}.items():
        s[f'prelu-backward-{name}'] = prelu_seed(P_BOTH, o, c, i)
        s[f'prelu-forward-{name}'] = prelu_seed(P_FORWARD, o, c, i)
    return s


def seeds():
    """Every seed of every element type, named TYPE-CASE, and the PReLU ones."""
    s = {f'{TYPE_NAMES[t]}-{name}': data
         for t in (F32, F16, BF16, F64) for name, data in seeds_of(t).items()}
    s.update(prelu_seeds())
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
