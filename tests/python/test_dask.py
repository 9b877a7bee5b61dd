"""lrelu.leaky_relu on a chunked Dask array, computed by the worker
processes of a dask.distributed LocalCluster bound to 127.0.0.1, equal to
NumPy's result bit for bit. Bounded: every wait has a timeout."""
import os

import numpy as np
import pytest

import lrelu

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")

TIMEOUT = 120


def test_leaky_relu_on_a_local_cluster_with_worker_processes():
    n, chunk, alpha = 2_000_003, 250_000, 0.05
    xs = np.random.default_rng(21).standard_normal(n).astype(np.float32)
    xs[::1001] = -0.0
    x = da.from_array(xs, chunks=chunk)
    y = lrelu.leaky_relu(x, alpha)
    assert isinstance(y, da.Array)          # lazy, through __array_ufunc__
    assert y.dtype == np.float32
    assert any(name.startswith("leaky_relu-") for name in y.dask.layers)
    dx = lrelu.leaky_relu_backward(x, x, alpha)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", scheduler_port=0,
                                  dashboard_address=None, worker_dashboard_address=None,
                                  death_timeout=TIMEOUT) as cluster, \
            distributed.Client(cluster, timeout=TIMEOUT) as client:
        pids = set(client.run(os.getpid, wait=True).values())
        assert len(pids) == 2 and os.getpid() not in pids
        got, got_dx = client.compute([y, dx], sync=False)
        got = got.result(timeout=TIMEOUT)
        got_dx = got_dx.result(timeout=TIMEOUT)
        # every chunk ran in a worker process, with lrelu imported there
        kernels = client.run(lambda: __import__("lrelu").active_kernel())
        assert set(kernels) == set(cluster.scheduler_info["workers"])
    a = np.float32(alpha)
    want = np.where(xs > 0, xs, a * xs)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
    want_dx = np.where(xs > 0, xs, a * xs)
    assert np.array_equal(got_dx.view(np.uint32), want_dx.view(np.uint32))
