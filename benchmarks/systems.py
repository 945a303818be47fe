"""Protocols that measure skae as software rather than as a model: the speed of ``fit``
and ``transform`` against a bare PyTorch loop, the memory of ``fit`` against the data's
size, GridSearchCV on one core, loky and dask, and fits on a busy machine with one torch
thread or more. Each is ``(job, data) -> rows``, registered in ``protocols.PROTOCOLS``
as the others; a job's cached result depends on this file and on protocols.py.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from data import load
from estimators import build
from protocols import register

HERE = Path(__file__).resolve().parent


def _seconds(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _median(calls, repeats):
    """The median seconds of each of ``calls`` (a dict), run in turn ``repeats`` times, the
    order rotated every time so that drifts in the machine's speed cancel."""
    times = {k: [] for k in calls}
    for r in range(repeats):
        for k in list(calls)[r % len(calls):] + list(calls)[: r % len(calls)]:
            times[k].append(_seconds(calls[k]))
    return {k: statistics.median(v) for k, v in times.items()}


def bare_fit(module, X, batch_size, epochs):
    """The loop a user would write: a fresh copy of ``module`` (skae's own architecture, its
    weights drawn again), ``DataLoader(TensorDataset(X), shuffle=True)``, Adam lr 1e-3, MSE."""
    import copy

    import torch

    model = copy.deepcopy(module).train()
    for layer in model.modules():
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()
    optimizer, loss_fn = torch.optim.Adam(model.parameters(), lr=1e-3), torch.nn.MSELoss()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(X)),
                                         batch_size=batch_size, shuffle=True)  # fmt: skip
    for _ in range(epochs):
        for (xb,) in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), xb).backward()
            optimizer.step()


@register("condition", "repeats", "transform_rows")
def speed(job, data):
    """Samples per second of ``fit``: skae, skae with torch's unfused Adam (the bare loop's
    kernel, so that the ratio isolates the rest of the library) and :func:`bare_fit`,
    alternating over ``repeats``; rows per second of ``transform`` over ``transform_rows``
    random rows against the bare encoder's forward pass; and the median time of a one-row
    ``transform`` (``predict`` for a classifier, fitted on labels 0-9 only for this)
    against its reference: sklearn's ``validate_data`` plus the bare network on that row."""
    import torch
    from sklearn.base import clone, is_classifier
    from sklearn.utils.validation import validate_data

    X = data[0]
    y = np.arange(len(X)) % 10
    est = build(job["estimator"], 0)
    fitted = clone(est).fit(X, y)  # a warm-up, and the model timed below
    row, network = {}, fitted.module_ if is_classifier(est) else fitted.module_.encoder
    if not is_classifier(est):
        unfused = clone(est).set_params(net_params={"optimizer__fused": False})
        fit = _median({"bare": lambda: bare_fit(fitted.module_, X, est.batch_size,
                                                est.max_epochs),
                       "skae": lambda: clone(est).fit(X),
                       "unfused": lambda: clone(unfused).fit(X)}, job["repeats"])  # fmt: skip
        bulk = load(f"random/{job['transform_rows']}x{X.shape[1]}", seed=1)[0]
        with torch.inference_mode():
            network.eval()
            tr = _median({"bare": lambda: network(torch.from_numpy(bulk)).numpy(),
                          "skae": lambda: fitted.transform(bulk)}, job["repeats"])  # fmt: skip
        row = {"fit_bare": len(X) * est.max_epochs / fit["bare"],
               "fit_skae": len(X) * est.max_epochs / fit["skae"],
               "fit_ratio": fit["bare"] / fit["skae"], "fit_ratio_unfused": fit["bare"] /
               fit["unfused"], "transform_ratio": tr["bare"] / tr["skae"]}  # fmt: skip
    x = X[:1]

    def reference():
        checked = validate_data(fitted, x, reset=False, dtype="numeric")
        with torch.inference_mode():
            network(torch.from_numpy(np.asarray(checked, dtype=np.float32))).numpy()

    method = getattr(fitted, "predict" if is_classifier(est) else "transform")
    for call in (lambda: method(x), reference) * 100:  # a warm-up
        call()
    one = _median({"skae": lambda: [method(x) for _ in range(2000)],
                   "reference": lambda: [reference() for _ in range(2000)]}, 5)  # fmt: skip
    one = {k: v / 2000 for k, v in one.items()}
    return [row | {"one_row_us": 1e6 * one["skae"], "reference_us": 1e6 * one["reference"],
                   "one_row_ratio": one["skae"] / one["reference"]}]


CHILD = r"""
import json, sys, threading, time
import numpy as np
from sklearn.base import clone
sys.path.insert(0, sys.argv[1])
from estimators import build

def anon():  # memory the process allocated itself (not the page cache of a memmap)
    with open("/proc/self/status") as f:
        return next(int(x.split()[1]) * 1024 for x in f if x.startswith("RssAnon:"))

spec, path, n, d, case = json.loads(sys.argv[2]), sys.argv[3], *map(int, sys.argv[4:6]), sys.argv[6]
X = np.memmap(path, dtype=np.float32, mode="r", shape=(n, d))
est = build(spec, 0)
clone(est).fit(np.random.rand(64, d).astype(np.float32))  # warm torch up
if case == "transform":
    est.fit(X[:2000])
if "float64" in case:
    X = np.array(X, dtype=np.float64)
before = anon()
peak, done = [before], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], anon())
        time.sleep(0.001)
t = threading.Thread(target=sample)
t.start()
start = time.perf_counter()
Z = est.transform(X) if case == "transform" else est.fit(X)
seconds = time.perf_counter() - start
done.set()
t.join()
print(json.dumps({"data": X.nbytes, "growth": max(peak[0], anon()) - before,
                  "out": getattr(Z, "nbytes", 0), "seconds": seconds}))
"""


@register()
def memory(job, data):
    """The growth of private memory (``RssAnon``) during ``fit`` (or ``transform``, after a
    fit on 2,000 rows), sampled every millisecond in a fresh process that reads the data as
    a float32 memmap (``"fit, float64 in memory"``: copied into memory as float64 first,
    the growth counted from after the copy). Its target: 0.15 x the data + 64 MiB for a
    fit, the output + 64 MiB for a transform."""
    X, mib = data[0], 2**20
    with tempfile.TemporaryDirectory() as tmp:
        X.tofile(path := Path(tmp) / "X.dat")
        done = subprocess.run([sys.executable, "-c", CHILD, str(HERE), json.dumps(
            job["estimator"]), str(path), *map(str, X.shape), job["method"]],
            capture_output=True, text=True, check=True)  # fmt: skip
    r = json.loads(done.stdout.splitlines()[-1])
    limit = (r["out"] if job["method"] == "transform" else 0.15 * r["data"]) + 64 * mib
    return [{"data_mib": r["data"] / mib, "growth_mib": r["growth"] / mib,
             "target_mib": limit / mib, "growth_over_target": r["growth"] / limit,
             "seconds": r["seconds"], "rows_per_second": len(X) / r["seconds"]}]  # fmt: skip


@register("cv", "grid")
def grid_search(job, data):
    """GridSearchCV over the job's ``estimator`` with its ``grid`` and ``cv``, timed with one
    job, with loky (``n_jobs=2``) and on a dask ``LocalCluster`` of 2 process workers
    through joblib's dask backend; one row each, with its speed-up over one job and
    whether its cross-validation scores are those of one job."""
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.model_selection import GridSearchCV

    X, _, y, _ = data
    scores, seconds = {}, {}

    def search(label, n_jobs):
        gs = GridSearchCV(build(job["estimator"], 0), job["grid"], cv=job["cv"],
                          n_jobs=n_jobs)  # fmt: skip
        seconds[label] = _seconds(lambda: gs.fit(X, y))
        scores[label] = gs.cv_results_["mean_test_score"].tolist()

    search("n_jobs=1", 1)
    search("loky, n_jobs=2", 2)
    with (LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
          Client(cluster), joblib.parallel_backend("dask")):  # fmt: skip
        search("dask LocalCluster, 2 workers", -1)
    return [{"condition": k, "seconds": s, "speedup": seconds["n_jobs=1"] / s,
             "same_scores": float(scores[k] == scores["n_jobs=1"])} for k, s in seconds.items()]


BUSY = "while True: pass"  # the other program of a busy machine: one core, spinning


def _thread_counts():
    """The torch threads of a worker of ``Parallel(n_jobs=2)`` with loky (joblib limits its
    workers' thread pools to cores / n_jobs, as for scikit-learn's own estimators)."""
    import joblib

    def threads():
        import torch

        return torch.get_num_threads()

    return joblib.Parallel(n_jobs=2)(joblib.delayed(threads)() for _ in range(2))


@register("condition", "busy", "threads", "limit")
def threads(job, data):
    """The seconds of ``fit`` with ``threads`` torch threads (``torch.set_num_threads``), on
    an idle machine or, with ``busy``, while another process spins on one core; with
    ``limit``, the fit runs inside ``threadpoolctl.threadpool_limits(limit)``, the limit
    scikit-learn's own estimators honour (torch's OpenMP pool reads it). Also the torch
    threads a loky worker of ``n_jobs=2`` starts with."""
    import contextlib

    import torch
    from threadpoolctl import threadpool_limits

    X = data[0]
    est = build(job["estimator"], 0)
    before = torch.get_num_threads()
    torch.set_num_threads(job["threads"])
    other = subprocess.Popen([sys.executable, "-c", BUSY]) if job.get("busy") else None
    try:
        limit = threadpool_limits(job["limit"]) if job.get("limit") else contextlib.nullcontext()
        with limit:
            used = torch.get_num_threads()
            seconds = _median({"fit": lambda: est.fit(X)}, 3)["fit"]
    finally:
        if other is not None:
            other.kill()
            other.wait()
        torch.set_num_threads(before)
    return [{"torch_threads": used, "seconds": seconds,
             "rows_per_second": len(X) * est.max_epochs / seconds,
             "loky_worker_threads": min(_thread_counts())}]  # fmt: skip
