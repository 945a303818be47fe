"""Copy the headline Fashion-MNIST results into README.md, from the generated files.

Replaces what stands between the README's ``<!-- results:start -->`` and
``<!-- results:end -->`` markers with the table of
``benchmarks/results/fashion-mnist.csv`` and the provenance and targets of
``fashion-mnist.md``, so that no number in the README is typed by hand.

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


def main():
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), flags=re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {START} ... {END} markers")
    readme.write_text(pattern.sub(lambda _: f"{START}\n{section()}\n{END}", text))
    print("README.md results section updated")


if __name__ == "__main__":
    main()
