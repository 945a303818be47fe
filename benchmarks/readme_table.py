"""Copy results into README.md from the generated files, so that no number there is typed.

Replaces what stands between the README's ``<!-- results:start -->`` and
``<!-- results:end -->`` markers with the table of
``benchmarks/results/fashion-mnist.csv`` and the provenance and targets of
``fashion-mnist.md``; between ``<!-- <name>:start -->`` and ``<!-- <name>:end -->``
(for ``label-efficiency`` and ``outliers``), the tables, provenance and targets
of ``<name>.md``, with its figure.

    python benchmarks/readme_table.py
"""

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def section():
    with open(RESULTS / "fashion-mnist.csv") as f:
        rows = list(csv.DictReader(f))
    md = (RESULTS / "fashion-mnist.md").read_text().splitlines()
    keep = ("- date:", "- commit:", "- machine:", "- settings:", "- total time:")
    provenance = [line for line in md if line.startswith(keep)]
    targets = [line for line in md if line.startswith(("- met:", "- MISSED:"))]
    lines = [
        "On the full Fashion-MNIST test set (10,000 images), every method fitted on the 60,000",
        "training images, from one run of `python benchmarks/compare.py --dataset fashion-mnist`",
        "(the whole report: "
        "[benchmarks/results/fashion-mnist.md](benchmarks/results/fashion-mnist.md)):",
        "",
        "| method | features | test accuracy | fit minutes | reconstruction MSE |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in sorted(rows, key=lambda r: -float(r["accuracy"])):
        mse = f"{float(r['reconstruction_mse']):.4f}" if r["reconstruction_mse"] else ""
        lines.append(
            f"| {r['method']} | {r['n_features']} | {float(r['accuracy']):.4f} | "
            f"{float(r['fit_seconds']) / 60:.1f} | {mse} |"
        )
    lines += ["", *provenance, "", "Targets:", "", *targets, ""]
    lines += [
        "![Fashion-MNIST reconstructions](benchmarks/results/fashion-mnist-reconstructions.png)",
        "",
        "![Fashion-MNIST accuracy vs code size]"
        "(benchmarks/results/fashion-mnist-accuracy-vs-dims.png)",
    ]
    return "\n".join(lines)


def report(name):
    """The tables, provenance lines and targets of ``<name>.md``, and its figure."""
    md = (RESULTS / f"{name}.md").read_text().splitlines()
    keep = ("- date:", "- commit:", "- machine:", "- total time:", "- met:", "- MISSED:")
    lines = [f"From `python benchmarks/{name.replace('-', '_')}.py` (the whole report: "
             f"[benchmarks/results/{name}.md](benchmarks/results/{name}.md)):", ""]
    table = []
    for line in md:
        if line.startswith("|"):
            table.append(line)
        elif table:  # the first table only
            break
    lines += table + [""] + [line for line in md if line.startswith(keep)]
    lines += ["", f"![{name}](benchmarks/results/{name}.png)"]
    return "\n".join(lines)


def _replace(text, start, end, body):
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), flags=re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {start} ... {end} markers")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)


def main():
    readme = ROOT / "README.md"
    text = _replace(readme.read_text(), START, END, section())
    for name in ("label-efficiency", "outliers"):
        if (RESULTS / f"{name}.md").exists():
            text = _replace(text, f"<!-- {name}:start -->", f"<!-- {name}:end -->", report(name))
    readme.write_text(text)
    print("README.md results sections updated")


if __name__ == "__main__":
    main()
