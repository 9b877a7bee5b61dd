#!/usr/bin/env python3
"""lrelu.leaky_relu on a chunked Dask array, computed by worker processes
of a dask.distributed LocalCluster on this machine (loopback only).

    python3 examples/dask_leaky_relu.py [--workers 2] [--n 8000000] [--chunk 1000000]

lrelu's functions are NumPy ufuncs, so a Dask array takes them through
__array_ufunc__: lrelu.leaky_relu(darr, alpha) is a lazy Dask array whose
chunks each worker computes with liblrelu (the ufunc travels by name,
lrelu.leaky_relu, and each worker imports lrelu). The same code runs on a
real cluster by giving Client the scheduler's address instead.

Worker processes start a new interpreter that imports this file again:
everything runs under `if __name__ == "__main__":`.
"""
import argparse
import sys
import time


def run(workers, n, chunk, alpha=0.01, timeout=120):
    import dask.array as da
    import numpy as np
    from dask.distributed import Client, LocalCluster

    import lrelu

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None,
                      scheduler_port=0, worker_dashboard_address=None) as cluster, \
            Client(cluster, timeout=timeout) as client:
        x = da.random.RandomState(42).standard_normal(n, chunks=chunk).astype(np.float32)
        y = lrelu.leaky_relu(x, alpha)                # lazy: one task per chunk
        t0 = time.perf_counter()
        got = client.compute(y).result(timeout=timeout)
        seconds = time.perf_counter() - t0
        # where each chunk ran: the workers' process ids
        pids = set(client.run(lambda: __import__("os").getpid()).values())
        kernels = set(client.run(lambda: __import__("lrelu").active_kernel()).values())
        xs = client.compute(x).result(timeout=timeout)
    want = np.maximum(np.float32(alpha) * xs, xs)  # 0 <= alpha <= 1
    same = np.array_equal(got.view(np.uint32), want.view(np.uint32))
    return {"n": n, "chunks": len(y.chunks[0]), "workers": len(pids), "kernels": sorted(kernels),
            "seconds": seconds, "equal_to_numpy": same}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--n", type=int, default=8_000_000)
    p.add_argument("--chunk", type=int, default=1_000_000)
    args = p.parse_args(argv)
    r = run(args.workers, args.n, args.chunk)
    print(f"{r['n']} float32 in {r['chunks']} chunks on {r['workers']} worker processes "
          f"(kernel {', '.join(r['kernels'])}): {r['seconds']:.3f} s, "
          f"equal to NumPy: {r['equal_to_numpy']}")
    return 0 if r["equal_to_numpy"] else 1


if __name__ == "__main__":
    sys.exit(main())
