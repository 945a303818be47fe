"""Memory and time of fit against data size; GridSearchCV on dask against loky and one job.

Each fit runs in a fresh process, which samples its own anonymous resident
memory (``RssAnon``: what the process allocated itself, not the page cache
of a memory-mapped file) every millisecond while ``fit`` runs:

* ``memmap``: ``AETransformer`` (784-512-256-32, one epoch, batch 256) on a
  float32 ``np.memmap`` of N x 784 on disk;
* ``memmap + early stopping``: the same with ``early_stopping=True``;
* ``float64 in memory``: on a float64 array already in memory (the growth
  is measured from after its allocation).

Target of the scale issue: the growth of private memory during ``fit`` at
most 0.15 x the data's size + 64 MiB. Then GridSearchCV over an
``AETransformer`` + ``LogisticRegression`` pipeline on digits, with
``n_jobs=1``, with loky (``n_jobs=2``) and on a dask ``LocalCluster`` (2
process workers) through joblib's dask backend. Writes
``benchmarks/results/scale.md``, ``scale.csv`` and ``scale-memory.png``.

    python benchmarks/scale.py [--rows 25000 50000 100000 200000] [--out DIR]
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report  # noqa: E402

N_FEATURES = 784
CASES = ("memmap", "memmap + early stopping", "float64 in memory")

CHILD = r"""
import json, sys, threading, time
import numpy as np
from skae import AETransformer

def anon():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024

path, n, case = sys.argv[1], int(sys.argv[2]), sys.argv[3]
X = np.memmap(path, dtype=np.float32, mode="r", shape=(n, 784))
if case == "float64 in memory":
    X = np.array(X, dtype=np.float64)
ae = AETransformer(max_epochs=1, batch_size=256, random_state=0,
                   early_stopping=case == "memmap + early stopping")
AETransformer(max_epochs=1, random_state=0).fit(np.random.rand(64, 784))  # warm up torch
before = anon()
peak = [before]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], anon())
        time.sleep(0.001)
t = threading.Thread(target=sample); t.start()
start = time.perf_counter()
ae.fit(X)
seconds = time.perf_counter() - start
done.set(); t.join()
peak[0] = max(peak[0], anon())
print(json.dumps({"data_bytes": int(X.nbytes), "growth_bytes": peak[0] - before,
                  "fit_seconds": seconds}))
"""


def make_memmap(path, n, seed=0):
    """N x 784 float32 in [0, 1], written in blocks (never all in memory)."""
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(n, N_FEATURES))
    rng = np.random.default_rng(seed)
    for start in range(0, n, 10_000):
        stop = min(n, start + 10_000)
        X[start:stop] = rng.random((stop - start, N_FEATURES), dtype=np.float32)
    X.flush()
    del X


def memory_rows(rows):
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in rows:
            path = Path(tmp) / f"X{n}.dat"
            make_memmap(path, n)
            for case in CASES:
                result = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), str(n), case],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                r = json.loads(result.stdout.strip().splitlines()[-1])
                limit = 0.15 * r["data_bytes"] + 64 * 2**20
                row = {
                    "rows": n,
                    "case": case,
                    "data_mib": round(r["data_bytes"] / 2**20, 1),
                    "growth_mib": round(r["growth_bytes"] / 2**20, 1),
                    "limit_mib": round(limit / 2**20, 1),
                    "met": r["growth_bytes"] <= limit,
                    "fit_seconds": round(r["fit_seconds"], 1),
                    "rows_per_second": round(n / r["fit_seconds"]),
                }
                print(
                    f"{n} rows, {case}: data {row['data_mib']} MiB, growth "
                    f"{row['growth_mib']} MiB (limit {row['limit_mib']}), "
                    f"fit {row['fit_seconds']} s",
                    flush=True,
                )
                out.append(row)
            path.unlink()
    return out


def grid_search_times():
    """GridSearchCV with n_jobs=1, loky n_jobs=2, and a dask LocalCluster (2 process workers)."""
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    from skae import AETransformer
    from skae.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    pipe = Pipeline(
        [
            ("ae", AETransformer((128,), max_epochs=20, random_state=0)),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    )
    grid = {"ae__n_components": [8, 16, 32, 64]}
    times, scores = {}, {}

    def run(label, n_jobs, backend=None):
        start = time.perf_counter()
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=n_jobs)
        if backend:
            with joblib.parallel_backend(backend):
                search.fit(X, y)
        else:
            search.fit(X, y)
        times[label] = time.perf_counter() - start
        scores[label] = search.cv_results_["mean_test_score"].tolist()
        print(f"GridSearchCV, {label}: {times[label]:.1f} s", flush=True)

    run("n_jobs=1", 1)
    run("loky, n_jobs=2", 2)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        run("dask LocalCluster, 2 workers", -1, "dask")
    same = all(scores[k] == scores["n_jobs=1"] for k in scores)
    return times, same


def plot(rows, path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.6))
    for case, marker in zip(CASES, "osD"):
        pts = [(r["data_mib"], r["growth_mib"]) for r in rows if r["case"] == case]
        ax.plot(*zip(*pts), marker=marker, label=case)
    sizes = sorted({r["data_mib"] for r in rows})
    ax.plot(sizes, [0.15 * s + 64 for s in sizes], "k--", label="target: 0.15 x data + 64 MiB")
    ax.plot(sizes, sizes, ":", color="gray", label="one copy of the data")
    ax.set_xlabel("size of X (MiB)")
    ax.set_ylabel("growth of private memory during fit (MiB)")
    ax.set_title("AETransformer.fit: memory against data size (784 features)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(rows, times, same, args):
    lines = [
        "# Scale: memory and time of fit, and GridSearchCV on dask",
        "",
        "Generated by `benchmarks/scale.py`; do not edit by hand.",
        "",
        *args.provenance,
        "- method: each fit in a fresh process; peak growth of `RssAnon` (memory the process "
        "allocated itself, not the page cache of the memmap) sampled every millisecond during "
        "`fit`; AETransformer 784-512-256-32, one epoch, batch 256, random data in [0, 1]",
        "",
        "| rows | case | data MiB | growth MiB | target MiB | met | fit s | rows/s |",
        "| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['rows']:,} | {r['case']} | {r['data_mib']} | **{r['growth_mib']}** | "
            f"{r['limit_mib']} | {'met' if r['met'] else 'MISSED'} | {r['fit_seconds']} | "
            f"{r['rows_per_second']:,} |"
        )
    lines += [
        "",
        "![memory against data size](scale-memory.png)",
        "",
        "## GridSearchCV: one job, loky, dask",
        "",
        "Pipeline(AETransformer((128,), max_epochs=20) + LogisticRegression) on digits, "
        "`ae__n_components` in (8, 16, 32, 64), cv=3 (12 fits), on this machine's 2 cores:",
        "",
    ]
    if times is None:
        lines.append("- not run (`--skip-grid-search`)")
    else:
        base = times["n_jobs=1"]
        for label, seconds in times.items():
            lines.append(f"- {label}: {seconds:.1f} s ({base / seconds:.2f}x as fast as one job)")
        lines += [
            "",
            f"- identical cross-validation scores on all three: {'yes' if same else 'NO'}",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[25_000, 50_000, 100_000, 200_000])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--skip-grid-search", action="store_true")
    args = parser.parse_args(argv)
    args.provenance = report.provenance()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = memory_rows(args.rows)
    with open(args.out / "scale.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, args.out / "scale-memory.png")
    times, same = (None, None) if args.skip_grid_search else grid_search_times()
    (args.out / "scale.md").write_text(markdown(rows, times, same, args))
    print(f"wrote {args.out / 'scale.md'}")
    return rows, times, same


if __name__ == "__main__":
    main()
