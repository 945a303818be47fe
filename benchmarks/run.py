"""The one benchmark runner: experiments -> jobs -> cached results -> reports.

    python benchmarks/run.py digits                  # the main job, a few minutes on 2 cores
    python benchmarks/run.py fashion-mnist           # the headline
    python benchmarks/run.py label-efficiency outliers tune-digits
    python benchmarks/run.py tune-imputer imputation adbench   # the tables

Each experiment (``configs/<name>.yaml``, read by ``experiments.py``) expands into jobs
(one per entry, seed and data set). A job's result is cached in
``<out>/cache/<experiment>/<key>.json``, the key a hash of the job and of the code its
result depends on (its protocols and the library versions; skae's version and source for a
job that fits a skae estimator): a run stopped before its end continues where it stopped,
and a change of code or settings runs its jobs again, while the baselines keep their results
when only skae changes. Heavy jobs (conv nets, the classifiers) run one at a time with every
torch thread; the others ``--jobs`` at a time (every core by default), one thread each. Then
``report.py`` writes ``<out>/<experiment>.csv``, ``.md`` and the figures from the cached
results.
"""

import argparse
import ast
import datetime
import functools
import hashlib
import json
import os
import re
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SKAE = HERE.parent / "skae"
sys.path.insert(0, str(HERE))

import experiments  # noqa: E402
import mixed  # noqa: E402, F401  (registers its protocols in protocols.PROTOCOLS)
import tables  # noqa: E402, F401  (registers its protocols in protocols.PROTOCOLS)
import protocols  # noqa: E402
import report  # noqa: E402
import systems  # noqa: E402, F401  (registers its protocols in protocols.PROTOCOLS)


def expand(name, exp):
    """The jobs of experiment ``name``: each entry for each seed and data set (an entry's own
    ``seeds`` and ``datasets``, where it has them, instead of the experiment's)."""
    datasets = exp["dataset"] if isinstance(exp["dataset"], tuple) else (exp["dataset"],)
    return [
        {**{k: v for k, v in entry.items() if k not in ("seeds", "datasets")},
         "experiment": name, "protocol": exp["protocol"], "dataset": dataset,
         "split": exp["split"], "seed": seed}  # fmt: skip
        for entry in exp["jobs"]
        for dataset in entry.get("datasets", datasets)
        for seed in entry.get("seeds", exp["seeds"])
    ]


@functools.cache
def fingerprint(modules=(), files=("data", "estimators", "protocols")):
    """What a cached result depends on beside its job: the protocols' ``files``, the library
    versions, skae's version and data loaders, and the source of the skae ``modules`` the
    job imports. A job keeps its results when other parts of skae change."""
    import skae

    digest = hashlib.sha256(skae.__version__.encode())
    for name in ("scikit-learn", "numpy", "torch", "pyod"):
        try:
            digest.update(f"{name} {metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            pass
    for path in [SKAE / f"{m}.py" for m in ("datasets", *modules)] + [HERE / f"{f}.py"
                                                                      for f in files]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def skae_modules(job):
    """The skae modules ``job``'s estimators come from and, transitively, those they import
    from skae (``from .x import ...``, at any depth of the file)."""
    import skae

    names = re.findall(r'"skae\.(\w+)"', json.dumps(job.get("estimator"), default=str))
    todo, seen = {getattr(skae, n).__module__.rsplit(".", 1)[-1] for n in names}, set()
    while todo:
        seen.add(module := todo.pop())
        todo |= _imports(module) - seen
    return tuple(sorted(seen))


@functools.cache
def _imports(module):
    """The skae modules that skae module ``module`` imports (``from .x import ...``)."""
    found = set()
    for node in ast.walk(ast.parse((SKAE / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {a.name for a in node.names}
    return {f for f in found if (SKAE / f"{f}.py").exists()}


def settings(job):
    """``job`` as text: its settings, not how it is scheduled."""
    return json.dumps({k: v for k, v in job.items() if k != "heavy"}, sort_keys=True, default=str)


def key(job):
    """The cache key of ``job``: its settings and the fingerprint of the code it depends on
    (the data loader, the estimator specs, the protocols, and the file of its protocol)."""
    protocol = protocols.PROTOCOLS.get(job.get("protocol"))
    home = protocol.__module__ if protocol else "protocols"
    files = ("data", "estimators", "protocols") + ((home,) if home != "protocols" else ())
    text = settings(job) + fingerprint(skae_modules(job), files)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def earlier(folder):
    """The newest cached result of each job's settings, whatever code made it: what
    ``--report-only`` reports where this code has no result yet (the report names the
    commits its results were run at)."""
    found = {}
    records = (json.loads(p.read_text()) | {"key": p.stem} for p in folder.glob("*.json"))
    for record in sorted(records, key=lambda r: r["date"]):
        found[settings(record["job"])] = record["key"]
    return found


def _work(job, threads):
    """Run one job (in this process or a worker): its rows, seconds and provenance."""
    sys.path.insert(0, str(HERE))
    import data
    import mixed  # noqa: F401, F811  (registers its protocols)
    import tables  # noqa: F401, F811  (registers its protocols)
    import protocols
    import systems  # noqa: F401, F811  (registers its protocols)
    import torch

    torch.set_num_threads(threads)
    protocol = protocols.PROTOCOLS[job["protocol"]]
    load = getattr(protocol, "load", data.load)  # a protocol may read its own data sets
    loaded = load(job["dataset"], job["split"], job["seed"])
    start = time.perf_counter()
    rows = protocol(job, loaded)
    return job, rows, time.perf_counter() - start, threads


def save(folder, job_key, job, rows, seconds, threads):
    arrays = {f"{i}:{k}": v for i, r in enumerate(rows) for k, v in r.pop("_arrays", {}).items()}
    if arrays:
        np.savez_compressed(folder / f"{job_key}.npz", **arrays)
    record = {"job": job, "rows": rows, "seconds": seconds, "threads": threads,
              "commit": report.commit(), "date": report.now()}  # fmt: skip
    (folder / f"{job_key}.json").write_text(json.dumps(record, indent=1, default=str))


def run(name, args):
    exp = experiments.EXPERIMENTS[name]
    folder = args.out / "cache" / name
    folder.mkdir(parents=True, exist_ok=True)
    jobs = {key(job): job for job in expand(name, exp)}
    if args.prune:  # results no job of the experiment has any more (old settings or code)
        for path in [*folder.glob("*.json"), *folder.glob("*.npz")]:
            if path.stem not in jobs:
                path.unlink()
    if args.methods:
        jobs = {k: j for k, j in jobs.items() if j["method"] in args.methods}
    todo = {k: j for k, j in jobs.items() if not (folder / f"{k}.json").exists()}
    print(f"{name}: {len(jobs)} jobs, {len(jobs) - len(todo)} cached, {len(todo)} to run",
          flush=True)  # fmt: skip
    if todo and not args.report_only:
        start, started = time.perf_counter(), report.now()
        for done, (job, rows, seconds, threads) in enumerate(schedule(todo, args.jobs), 1):
            save(folder, key(job), job, rows, seconds, threads)
            scores = ", ".join(f"{k} {v:.4g}" for k, v in rows[0].items()
                               if isinstance(v, float) and k != "fit_seconds")  # fmt: skip
            what = " ".join(str(job[k]) for k in report.KEYS if k in job and k != "method")
            print(f"[{done}/{len(todo)}] {job['method']} {what} seed "
                  f"{job['seed']}: {scores} ({seconds:.0f} s)", flush=True)  # fmt: skip
        with open(folder / "runs.jsonl", "a") as log:
            log.write(json.dumps({"started": started, "commit": report.commit(),
                                  "jobs": len(todo), "workers": args.jobs,
                                  "command": " ".join(report.COMMAND),
                                  "minutes": (time.perf_counter() - start) / 60}) + "\n")
    records, stale = {}, earlier(folder) if args.report_only else {}
    for k, job in jobs.items():
        if not (folder / f"{k}.json").exists() and settings(job) in stale:
            k = stale[settings(job)]
        path = folder / f"{k}.json"
        if path.exists():
            record = json.loads(path.read_text())
            npz = folder / f"{k}.npz"
            record["arrays"] = dict(np.load(npz)) if npz.exists() else {}
            records[k] = record
    missing = len(jobs) - len(records)
    report.write(name, exp, list(records.values()), args.out, missing, folder / "runs.jsonl")
    if "select" in exp and not missing:
        choice = exp["select"](report.summarize(exp, list(records.values())), exp)
        path = experiments.CONFIGS / f"{name}.json"
        path.write_text(json.dumps({"defaults": choice}, indent=2) + "\n")  # the whole file
        print(f"{name}: chose {choice}, written to {path}")


def schedule(todo, workers):
    """Each job's (job, rows, seconds, threads) as it finishes: the heavy jobs first, one at
    a time with every thread; then the light ones ``workers`` at a time, one thread each."""
    from joblib import Parallel, delayed

    heavy = [j for j in todo.values() if j.get("heavy")]
    light = [j for j in todo.values() if not j.get("heavy")]
    for job in heavy:
        yield _work(job, os.cpu_count() or 1)
    if workers <= 1:
        yield from (_work(job, os.cpu_count() or 1) for job in light)
        return
    light.sort(key=lambda j: -(j.get("size") or 0))  # the wide codes first
    yield from Parallel(n_jobs=workers, return_as="generator_unordered")(
        delayed(_work)(job, 1) for job in light
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("experiments", nargs="+", choices=sorted(experiments.EXPERIMENTS))
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="light jobs run at a time (default: every core)")
    parser.add_argument("--methods", nargs="+", help="run and report only these methods")
    parser.add_argument("--report-only", action="store_true",
                        help="write the reports from the cache, running nothing (a job "
                        "this code has no result for takes the newest of earlier code)")
    parser.add_argument("--prune", action="store_true",
                        help="first delete the cached results that no job has any more")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    report.COMMAND[:] = ["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]]
    for name in args.experiments:
        run(name, args)


if __name__ == "__main__":
    print(f"started {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    main()
