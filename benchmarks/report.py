"""Every report from cached results: the csv, the markdown table with its provenance, the
targets and the figures. Nothing here fits a model; ``run.py`` calls :func:`write`."""

import csv
import datetime
import json
import operator
import os
import platform
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COMMAND = []  # the command line of this run, set by run.py
CHOICES = ("C", "scaling", "epochs")  # reported as the values the seeds chose
KEYS = ("method", "size", "dataset", "condition", "labels")  # a table row's


def git(*cmd):
    try:
        done = subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def commit():
    """The commit checked out, marked where skae/ or benchmarks/ has uncommitted changes."""
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "skae", "benchmarks",
                ":!benchmarks/results")  # fmt: skip
    return (git("rev-parse", "--short", "HEAD") or "unknown") + (" (modified)" if dirty else "")


def now():
    return f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"


def machine():
    """Machine and library versions, as markdown lines."""
    import skae
    import torch

    cpu = platform.processor() or "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        names = [x for x in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in x]
        cpu = names[0].split(":", 1)[1].strip() if names else cpu
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    gpu = f"CUDA {torch.cuda.get_device_name()}" if torch.cuda.is_available() else "no GPU"
    versions = ", ".join(f"{n} {metadata.version(n)}" for n in
                         ("torch", "skorch", "scikit-learn", "numpy", "matplotlib"))  # fmt: skip
    return [f"- machine: {platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, "
            f"{memory:.0f} GiB RAM, {gpu}",
            f"- versions: Python {platform.python_version()}, skae {skae.__version__}, {versions}"]


def flatten(records):
    """One dict per result row: the job's keys and the row's numbers."""
    out = []
    for record in records:
        job = record["job"]
        for row in record["rows"]:
            out.append({k: job[k] for k in (*KEYS, "seed") if k in job} | row)
    return out


def _columns_by_dataset(exp):
    """Whether each data set has its own columns (else its own rows: ``dataset_rows``)."""
    return isinstance(exp["dataset"], tuple) and not exp.get("dataset_rows")


def summarize(exp, records):
    """Mean (and standard deviation) of each table column over seeds and draws, one dict per
    method and size (and budget, class or condition); with several data sets, one column per
    data set and metric (``"columns"`` names them), or one row (``dataset_rows``). Sorted by
    the first column, best first (``lower_is_better`` says which way), within each data set
    and condition."""
    by_column = _columns_by_dataset(exp)
    keys = [k for k in KEYS if k != "dataset" or exp.get("dataset_rows")]
    groups = {}
    for row in flatten(records):
        groups.setdefault(tuple(row.get(k) for k in keys), []).append(row)
    out = []
    for rows in groups.values():
        summary = {k: rows[0][k] for k in keys if k in rows[0]}
        for dataset in sorted({r["dataset"] for r in rows}):
            of = [r for r in rows if r["dataset"] == dataset]
            for i, col in enumerate(exp["table"]):
                values = [r[col] for r in of if col in r]
                name = f"{dataset}: {col}" if by_column else col
                if col in CHOICES and values:  # what each seed chose
                    summary[name] = "/".join(f"{v:g}" if isinstance(v, float) else str(v)
                                             for v in sorted(set(values)))  # fmt: skip
                elif values:
                    summary[name] = statistics.fmean(values)
                    if len(values) > 1 and (i == 0 or name != col):
                        summary[name + "_std"] = statistics.stdev(values)
        summary["columns"] = [c for c in summary if ":" in c and not c.endswith("_std")]
        out.append(summary)
    if exp.get("overall"):
        out += overall(out, exp["overall"], lower=exp.get("lower_is_better", False))
    first = out[0]["columns"][0] if out and out[0]["columns"] else exp["table"][0]
    sign = 1 if exp.get("lower_is_better") else -1
    return sorted(out, key=lambda r: (str(r.get("dataset", "")), str(r.get("condition", "")),
                                      sign * r.get(first, -sign * np.inf)))


def ranks(rows, metric, lower):
    """``{method: [its rank on each data set]}`` (1 = best; ties share the mean rank), over
    the data sets every method has."""
    methods = sorted({r["method"] for r in rows if r.get("dataset") != "all"})
    by_set = {}
    for r in rows:
        if metric in r and r.get("dataset") != "all":
            by_set.setdefault(r["dataset"], {})[r["method"]] = r[metric]
    out = {m: [] for m in methods}
    for values in by_set.values():
        if len(values) == len(methods):
            for m in methods:
                better = sum((v < values[m]) if lower else (v > values[m]) for v in values.values())
                out[m].append(better + (sum(v == values[m] for v in values.values()) + 1) / 2)
    return out, [v for v in by_set.values() if len(v) == len(methods)]


def overall(rows, metric, lower):
    """One row per method with ``dataset="all"``: its mean ``metric`` over the data sets,
    its mean rank among the methods (see :func:`ranks`) and its ``place`` by that rank."""
    of, complete = ranks(rows, metric, lower)
    if not complete:
        return []
    mean_rank = {m: statistics.fmean(r) for m, r in of.items()}
    order = sorted(of, key=mean_rank.get)
    return [{"method": m, "dataset": "all", metric: statistics.fmean(v[m] for v in complete),
             "rank": mean_rank[m], "place": order.index(m) + 1, "sets": len(complete),
             "columns": []} for m in of]  # fmt: skip


def _fmt(value, std=None):
    if isinstance(value, float):
        text = (f"{value:.5f}" if abs(value) < 0.01 else f"{value:.4f}" if value < 10
                else f"{value:.1f}")  # fmt: skip
        return text + (f" ± {std:.4f}" if std is not None else "")
    return "" if value is None else str(value)


def pivot(exp, summary, metric):
    """``metric`` as a table of data sets and conditions (rows) by methods (columns), the
    best of each row in bold (the smallest or largest, as ``exp["pivot"][metric]`` says)."""
    reported = {_name(r) for r in summary}  # a method at each of its sizes: a column each
    methods = [m for m in dict.fromkeys(_name(j) for j in exp["jobs"]) if m in reported]
    cells = {}
    for r in summary:
        if r.get("dataset") != "all":
            cells.setdefault((r.get("dataset"), r.get("condition")), {})[_name(r)] = r
    pick = {"min": min, "max": max}[exp["pivot"][metric]]
    by = ["dataset"] + ["condition"] * any(cond is not None for _, cond in cells)
    lines = [f"### {metric}, mean of draws (best in bold)", "",
             "| " + " | ".join(by + methods) + " |",
             "| " + " | ".join(["---"] * len(by) + ["---:"] * len(methods)) + " |"]  # fmt: skip
    for (dataset, cond), row in sorted(cells.items(), key=lambda x: tuple(map(str, x[0]))):
        values = [r[metric] for r in row.values() if metric in r]
        if not values:  # a metric measured under some conditions only
            continue
        best = pick(values)
        texts = []
        for m in methods:
            value = row.get(m, {}).get(metric)
            text = _fmt(value)
            texts.append(f"**{text}**" if value == best else text)
        lines.append("| " + " | ".join([dataset, cond][: len(by)] + texts) + " |")
    return lines


def _name(row):
    return row["method"] + (f" ({row['size']})" if row.get("size") is not None else "")


def targets(exp, summary):
    """(text, value, met) for each target of ``exp``."""
    def best(metric, methods, sizes, op, where, worst=False):
        rows = [r for r in summary if metric in r and (methods is None or r["method"] in methods)
                and (sizes is None or r.get("size") in sizes)
                and all(r.get(k) == v for k, v in where.items())]  # fmt: skip
        pick = min if (op == "<=") != worst else max
        return pick(rows, key=lambda r: r[metric]) if rows else None

    out = []
    for t in exp.get("targets", ()):
        where = t.get("where") or {}
        row = best(t["metric"], t["methods"], t["sizes"], t["op"], where, t.get("worst"))
        ref = t["value"]
        if isinstance(ref, dict):  # another row's best, of this metric or of ref's "column"
            metric, factor = ref.get("column", t["metric"]), ref.get("factor", 1)
            ref_row = best(metric, ref["methods"], ref.get("sizes"), t["op"], where)
            ref = ref_row and factor * ref_row[metric]
            scale = f"{factor} x " if factor != 1 else ""
            label = ref_row and (f"{scale}{_name(ref_row)}"
                                 f"{' ' + metric if metric != t['metric'] else ''} "
                                 f"{ref_row[metric]:.4f}")  # fmt: skip
        if row is None or ref is None:
            continue
        got = f"{_name(row)} {_fmt(row[t['metric']])}"
        met = {">=": operator.ge, "<=": operator.le}[t["op"]](row[t["metric"]], ref)
        ref_text = f" against {label}" if isinstance(t["value"], dict) else ""
        out.append(f"- {'met' if met else 'MISSED'}: {t['text']}: {got}{ref_text}")
    return out


def write(name, exp, records, out, missing, runs_path):
    """``<out>/<name>.csv``, ``<name>.md`` and the figures of ``exp``."""
    rows = flatten(records)
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with open(out / f"{name}.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)
    summary = summarize(exp, records)
    runs = [json.loads(x) for x in runs_path.read_text().splitlines()] if runs_path.exists() else []
    commits = sorted({r["commit"] for r in records})
    columns = summary[0]["columns"] if summary and summary[0]["columns"] else exp["table"]
    keys = [k for k in KEYS if any(k in r for r in summary)]
    provenance = [
        f"- written: {now()}, at commit {commit()}",
        f"- results: {len(records)} jobs, run at commit{'s' * (len(commits) > 1)} "
        f"{', '.join(commits)}" + (f"; **{missing} jobs not run yet**" if missing else ""),
        f"- run time: {sum(r['minutes'] for r in runs):.1f} min in {len(runs)} run(s): "
        + ", ".join(f"`{r.get('command', 'benchmarks/run.py ' + name)}` at {r['commit']}, "
                    f"{r['started']}, {r['minutes']:.1f} min" for r in runs),
        *machine(), f"- data: {exp['dataset']}, {exp['split']} split; seeds {exp['seeds']}",
        f"- settings: {exp['about']}",
    ]  # fmt: skip
    long = ["| " + " | ".join(keys + list(columns)) + " |",
            "| " + " | ".join(["---"] * len(keys) + ["---:"] * len(columns)) + " |"]
    for r in summary:
        if r.get("dataset") == "all":  # the overall rows: their own table
            continue
        cells = [_fmt(r.get(k)) for k in keys]
        cells += [_fmt(r.get(c), r.get(c + "_std")) for c in columns]
        long.append("| " + " | ".join(cells) + " |")
    # what a reader came for first: the summary tables and the figures, then the targets,
    # then every result, then how they were made
    head, pivots = [], [pivot(exp, summary, metric) for metric in exp.get("pivot", ())]
    if pivots:  # the first metric's table of data sets by methods
        head += [*pivots[0], ""]
    every = sorted((r for r in summary if r.get("dataset") == "all"), key=lambda r: r["place"])
    if every:  # the mean and rank rows
        metric = exp["overall"]
        head += [f"### Over the {every[0]['sets']} data sets: mean {metric}, mean rank",
                 "", f"| place | method | mean {metric} | mean rank |",
                 "| ---: | --- | ---: | ---: |",
                 *(f"| {r['place']} | {r['method']} | {_fmt(r[metric])} | {r['rank']:.2f} |"
                   for r in every), ""]  # fmt: skip
    figures = [f for f in exp.get("figures", ()) if FIGURES[f](name, exp, summary, records, out)]
    head += [*(f"![{f}]({name}-{f}.png)" for f in figures), ""] if figures else []
    for table in pivots[1:]:  # the other metrics' tables
        head += [*table, ""]
    lines = [f"# {name}", "",
             f"Generated by `benchmarks/run.py {name}` from its cached results; do not edit by "
             "hand. The summary first, then the targets, every result, and how they were made.",
             ""]
    if head:
        lines += ["## Summary", "", *head, ""]
    if exp.get("targets"):
        lines += ["## Targets", "", *targets(exp, summary), ""]
    lines += ["## Every result" if head else "## Results", "", *long, "",
              "## Provenance", "", *provenance]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out / name}.md, .csv and {len(figures)} figures")


# -- figures ---------------------------------------------------------------------------------


def _figure(path, fig):
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def method_names(exp):
    """Each method's name in the figures: ``experiments.LABELS``, then the experiment's own."""
    from experiments import LABELS

    return LABELS | exp.get("labels", {})


def _lines(ax, summary, x, y, methods, names):
    for i, method in enumerate(methods):  # past ten colours, the markers tell lines apart
        rs = sorted((r for r in summary if r["method"] == method and y in r), key=lambda r: r[x])
        if rs:
            ax.errorbar([r[x] for r in rs], [r[y] for r in rs], [r.get(y + "_std", 0) for r in rs],
                        marker="osD^v"[i // 10 % 5], color=f"C{i % 10}", capsize=3,
                        label=names.get(method, method),
                        linestyle="--" if "conv" in method else "-")  # fmt: skip


def accuracy_vs_size(name, exp, summary, records, out):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5))
    features = [m for m in dict.fromkeys(r["method"] for r in summary)
                if m not in ("raw",) and not m.startswith("sae_")]  # fmt: skip
    _lines(ax, summary, "size", "accuracy", features, method_names(exp))
    for r in summary:
        if r["method"] == "raw":
            ax.axhline(r["accuracy"], color="black", linestyle="--",
                       label=f"raw pixels ({r['size']})")
            ax.axvline(r["size"], color="gray", linestyle=":", label="under- | overcomplete")
        elif r["method"].startswith("sae_"):
            ax.scatter([r["size"]], [r["accuracy"]], marker="*" if "fine" in r["method"] else "X",
                       s=150, zorder=3, label=f"{r['method']} {r['accuracy']:.3f}")  # fmt: skip
    sizes = sorted({r["size"] for r in summary})
    ax.set(xscale="log", xlabel="code size (features given to LogisticRegression)",
           ylabel="test accuracy", title=f"{name}: accuracy vs code size")  # fmt: skip
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return _figure(out / f"{name}-accuracy_vs_size.png", fig)


def _images(name, exp, records, out, figure, rows):
    """A grid of ReconstructionDisplay rows: (label, array key) for each figure job."""
    import matplotlib.pyplot as plt

    from skae.inspection import ReconstructionDisplay

    names = method_names(exp)
    drawn = []
    for r in sorted(records, key=lambda r: r["job"]["method"]):
        if r["job"]["seed"] == exp["seeds"][0]:
            for label, key in rows:
                if f"0:{key}" in r["arrays"]:
                    drawn.append((label.format(names.get(r["job"]["method"])), r["arrays"], key))
    if not drawn:
        return None
    original = drawn[0][1]["0:original"]
    if figure != "vae_samples":
        drawn = [("original", drawn[0][1], "original")] + drawn
    fig, axes = plt.subplots(len(drawn), 1, figsize=(12.2, 1.1 * len(drawn) + 0.6))
    for ax, (label, arrays, key) in zip(np.atleast_1d(axes), drawn):
        images = arrays[f"0:{key}"][: len(original)]
        ReconstructionDisplay(images, images, exp["image_shape"]).plot(
            ax=ax, rows=("original",), row_labels=[label])
    fig.suptitle(f"{name}: {figure.replace('_', ' ')}, {exp['main']}-dimensional codes")
    return _figure(out / f"{name}-{figure}.png", fig)


def reconstructions(name, exp, summary, records, out):
    return _images(name, exp, records, out, "reconstructions", [("{}", "reconstruction")])


def denoising(name, exp, summary, records, out):
    return _images(name, exp, records, out, "denoising",
                   [("noisy ({})", "noisy"), ("denoised ({})", "denoised")])  # fmt: skip


def vae_samples(name, exp, summary, records, out):
    return _images(name, exp, records, out, "vae_samples", [("prior samples", "samples")])


def accuracy_vs_labels(name, exp, summary, records, out):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    _lines(ax, summary, "labels", "accuracy", dict.fromkeys(r["method"] for r in summary),
           method_names(exp))
    ax.set(xscale="log", xlabel="labeled training images", ylabel="test accuracy",
           title=f"{name}: accuracy vs labels (mean of draws)")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return _figure(out / f"{name}-accuracy_vs_labels.png", fig)


def error_vs_rate(name, exp, summary, records, out):
    """NRMSE (top row) and PFC (bottom row) against the MCAR rate, one column per table, one
    line per imputer (mean and standard deviation of the draws)."""
    import matplotlib.pyplot as plt

    names = method_names(exp)
    points = {}  # (metric, dataset, method) -> {rate: [values]}
    for record in records:
        job = record["job"]
        if "rate" in job and job["method"] in names:
            for metric in ("nrmse", "pfc"):
                rates = points.setdefault((metric, job["dataset"], job["method"]), {})
                rates.setdefault(job["rate"], []).extend(r[metric] for r in record["rows"])
    datasets = list(dict.fromkeys(d for d in exp["dataset"] if any(k[1] == d for k in points)))
    if not datasets:
        return None
    methods = [m for m in names if any(k[2] == m for k in points)]
    fig, axes = plt.subplots(2, len(datasets), figsize=(3.3 * len(datasets), 6.4),
                             squeeze=False)  # fmt: skip
    for row, (metric, label) in enumerate((("nrmse", "NRMSE"), ("pfc", "PFC"))):
        for ax, dataset in zip(axes[row], datasets):
            for method in methods:
                rates = points.get((metric, dataset, method), {})
                xs = sorted(rates)
                ax.errorbar([100 * x for x in xs], [statistics.fmean(rates[x]) for x in xs],
                            [statistics.stdev(rates[x]) if len(rates[x]) > 1 else 0
                             for x in xs], marker="o", capsize=3,
                            label=names.get(method, method),
                            linewidth=2.5 if method == "dae" else 1.2)  # fmt: skip
            ax.set_xticks([10, 20, 30])
            ax.set(title=f"{dataset}: {label}", xlabel="entries removed (%)",
                   ylabel=label if ax is axes[row][0] else None)  # fmt: skip
            ax.grid(alpha=0.3)
    handles, texts = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="lower center", ncol=len(methods), frameon=False,
               fontsize=9)  # fmt: skip
    fig.suptitle(f"{name}: error over the removed entries, lower is better (mean of draws)")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(out / f"{name}-error_vs_rate.png", dpi=110)
    plt.close(fig)
    return out / f"{name}-error_vs_rate.png"


def rmse_vs_rate(name, exp, summary, records, out):
    """RMSE against the MCAR rate, one panel per data set, one line per imputer."""
    import matplotlib.pyplot as plt

    names = method_names(exp)
    points = {}  # (dataset, method) -> {rate: [rmse of each draw]}
    for record in records:
        job = record["job"]
        if job["pattern"] == "mcar":
            rates = points.setdefault((job["dataset"], job["method"]), {})
            rates.setdefault(job["rate"], []).extend(r["rmse"] for r in record["rows"])
    datasets = sorted({d for d, _ in points})
    if not datasets:
        return None
    methods = list(dict.fromkeys(m for _, m in sorted(points, key=lambda k: k[1] != "dae")))
    columns = min(3, len(datasets))
    rows = -(-len(datasets) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows + 0.8),
                             squeeze=False)  # fmt: skip
    for ax, dataset in zip(axes.flat, datasets):
        for method in methods:
            rates = points.get((dataset, method), {})
            xs = sorted(rates)
            ax.errorbar([100 * x for x in xs], [statistics.fmean(rates[x]) for x in xs],
                        [statistics.stdev(rates[x]) if len(rates[x]) > 1 else 0 for x in xs],
                        marker="o", capsize=3, label=names.get(method, method),
                        linewidth=2.5 if method == "dae" else 1.2)  # fmt: skip
        ax.set_xticks(sorted({100 * x for m in methods for x in points.get((dataset, m), {})}))
        ax.set(title=dataset, xlabel="entries missing completely at random (%)", ylabel="RMSE")
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(datasets):]:
        ax.axis("off")
    handles, texts = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="lower center", ncol=len(methods), frameon=False,
               fontsize=9)  # fmt: skip
    fig.suptitle(f"{name}: RMSE over the removed entries (mean of draws)")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(out / f"{name}-rmse_vs_rate.png", dpi=110)
    plt.close(fig)
    return out / f"{name}-rmse_vs_rate.png"


def rank_of_detectors(name, exp, summary, records, out):
    """Each detector's mean rank over the data sets (1 = best), the spread of its ranks as
    a box, best at the top."""
    import matplotlib.pyplot as plt

    names = method_names(exp)
    every = sorted((r for r in summary if r.get("dataset") == "all"), key=lambda r: r["rank"])
    if not every:
        return None
    methods = [r["method"] for r in every]
    of = ranks(summary, exp["overall"], exp.get("lower_is_better", False))[0]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(methods) + 1.2))
    ax.boxplot([of[m] for m in methods], vert=False, widths=0.6,
               tick_labels=[names.get(m, m) for m in methods])  # fmt: skip
    ax.scatter([r["rank"] for r in every], range(1, len(methods) + 1), color="tab:red",
               zorder=3, label="mean rank")  # fmt: skip
    ax.invert_yaxis()
    ax.set(xlabel=f"rank by {exp['overall']} on a data set (1 = best)",
           title=f"{name}: ranks over {every[0]['sets']} data sets (mean of seeds)")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)
    return _figure(out / f"{name}-rank_of_detectors.png", fig)


def memory_vs_size(name, exp, summary, records, out):
    """Growth of private memory against the data's size, one line per case of fit."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.6))
    fits = [m for m in dict.fromkeys(r["method"] for r in summary) if m.startswith("fit")]
    _lines(ax, summary, "data_mib", "growth_mib", fits, {})
    sizes, targets = zip(*sorted({(r["data_mib"], r["target_mib"]) for r in summary
                                  if r["method"] in fits}))  # fmt: skip
    ax.plot(sizes, targets, "k--", label="target: 0.15 x data + 64 MiB")
    ax.plot(sizes, sizes, ":", color="gray", label="one copy of the data")
    ax.set(xlabel="size of X (MiB)", ylabel="growth of private memory during fit (MiB)",
           title=f"{name}: AETransformer.fit against the data's size")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    return _figure(out / f"{name}-memory_vs_size.png", fig)


FIGURES = {f.__name__: f for f in (accuracy_vs_size, reconstructions, denoising, vae_samples,
                                   accuracy_vs_labels, rmse_vs_rate, error_vs_rate,
                                   rank_of_detectors,
                                   memory_vs_size)}  # fmt: skip


# -- the README's results table ---------------------------------------------------------------

# Each row: what is measured, the committed csv, its metric, whether lower is better, skae's
# methods, the others' (None: every method not skae's), and the rows it reads (key: values).
SKAE_FEATURES = ("ae", "dae", "sae", "vae", "conv_ae", "conv_dae", "sae_finetuned")
README_ROWS = (
    ("Fashion-MNIST: test accuracy of features + LogisticRegression (or of SAEClassifier), "
     "against raw pixels, PCA and the RBM", "fashion-mnist", "accuracy", False, SKAE_FEATURES,
     ("raw", "pca", "rbm"), {}),
    ("digits: the same, 3 seeds", "digits", "accuracy", False, SKAE_FEATURES,
     ("raw", "pca", "rbm"), {}),
    ("ADBench's 28 tables: mean AUROC of the default detector against scikit-learn's and "
     "pyod's, 3 seeds", "adbench", "auroc", False, ("skae",), None, {}),
    ("Fashion-MNIST, one class at a time: mean AUROC", "outliers", "auroc", False, ("skae",),
     ("isolation_forest", "lof", "ocsvm"), {}),
    ("GAIN's Letter and Spam, 20% missing at random: RMSE of DAEImputer against "
     "scikit-learn's imputers (lower is better)", "imputation", "rmse", True, ("dae",), None,
     {"condition": ("mcar 20%",), "dataset": ("letter", "spam")}),
    ("credit_data (numbers and text), 20% missing at random: NRMSE of the numeric holes "
     "(lower is better)", "mixed-imputation", "nrmse", True, ("dae",),
     ("simple", "knn", "missforest"), {"condition": ("mcar 20%",), "dataset": ("credit_data",)}),
    ("credit_data, 20% missing at random: PFC, the share of categorical holes filled wrong "
     "(lower is better)", "mixed-imputation", "pfc", True, ("dae",),
     ("simple", "knn", "missforest"), {"condition": ("mcar 20%",), "dataset": ("credit_data",)}),
    ("Eight mixed tables (numbers and text), ADBench's recipe: mean AUROC of the default "
     "detector on the frame as it comes, against scikit-learn's and pyod's on one-hot columns, "
     "3 seeds", "mixed-outliers", "auroc", False, ("skae",), None, {}),
    ("The same eight tables, 5-fold CV: mean ROC AUC of skae's codes + LogisticRegression "
     "(best size) against the one-hot columns and PCA + LR", "mixed-features", "auc", False,
     ("ae", "dae_swap", "ae_default"), ("raw", "pca"), {}),
    ("The same: HistGradientBoosting on the raw frame with skae's codes beside it, against "
     "without", "mixed-features", "auc", False, ("hgb_codes", "hgb_dae_codes"), ("hgb",), {}),
)  # fmt: skip
README_MARKERS = ("<!-- results: written by `python benchmarks/report.py --readme` -->",
                  "<!-- end of results -->")  # fmt: skip


def _best(rows, metric, lower, methods):
    """The best (mean over seeds and data sets) of ``methods``' rows, by method and size."""
    groups = {}
    for r in rows:
        if r["method"] in methods and r[metric] not in ("", None):
            groups.setdefault((r["method"], r.get("size") or ""), []).append(float(r[metric]))
    means = {k: statistics.mean(v) for k, v in groups.items()}
    key = (min if lower else max)(means, key=means.get)
    return means[key], key


def readme_table(results):
    """The README's results table, from the committed csv files in ``results``."""
    lines = ["| benchmark | skae | best of the others |", "| --- | ---: | ---: |"]
    for text, name, metric, lower, ours, theirs, where in README_ROWS:
        with open(Path(results) / f"{name}.csv") as f:
            rows = [r for r in csv.DictReader(f) if all(r[k] in v for k, v in where.items())]
        others = theirs or {r["method"] for r in rows} - {m for m in ours} - {
            r["method"] for r in rows if r["method"].startswith(("skae", "preset_"))}  # fmt: skip
        cells = []
        for methods in (ours, others):
            value, (method, size) = _best(rows, metric, lower, methods)
            cells.append(f"{value:.4f} ({method}{', ' + size if size else ''})")
        lines.append(f"| [{text}](benchmarks/results/{name}.md) | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def write_readme(readme=ROOT / "README.md", results=ROOT / "benchmarks" / "results"):
    """Replace the README's results table (between its markers) with :func:`readme_table`."""
    text = Path(readme).read_text()
    start, end = (text.index(m) for m in README_MARKERS)
    start += len(README_MARKERS[0])
    Path(readme).write_text(f"{text[:start]}\n{readme_table(results)}\n{text[end:]}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--readme"]:
        sys.exit("usage: python benchmarks/report.py --readme")
    write_readme()
