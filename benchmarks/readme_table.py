"""Copy results into README.md from the generated files, so that no number there is typed.

Replaces what stands between the README's ``<!-- results:start -->`` and
``<!-- results:end -->`` markers with the table of
``benchmarks/results/fashion-mnist.csv`` and the provenance and targets of
``fashion-mnist.md``; between ``<!-- <name>:start -->`` and ``<!-- <name>:end -->``
(for ``label-efficiency`` and ``outliers``), the tables, provenance and targets
of ``<name>.md``, with its figure; between ``<!-- protocols:start -->`` and
``<!-- protocols:end -->``, the RBM swap under three downstream protocols
(tune.py's protocols task, in ``tune-digits.md``).

    python benchmarks/readme_table.py
"""

import csv
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def section():
    with open(RESULTS / "fashion-mnist.csv") as f:
        rows = list(csv.DictReader(f))
    md = (RESULTS / "fashion-mnist.md").read_text().splitlines()
    keep = ("- date:", "- commit:", "- STOPPED:", "- machine:", "- settings:", "- total time:",
            "- command:", "- resumed:", "- reused:")  # fmt: skip
    provenance = [line for line in md if line.startswith(keep)]
    targets = [line for line in md if line.startswith(("- met:", "- MISSED:"))]
    lines = [
        "On the full Fashion-MNIST test set (10,000 images), every method fitted on the 60,000",
        "training images, from one run of `python benchmarks/compare.py --dataset fashion-mnist`",
        "(with the options the report names; the whole report: "
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
    lines += ["", *provenance, "", "Targets:", "", *targets]
    text = "\n".join(md)
    for name, title in (
        ("reconstructions", "Fashion-MNIST reconstructions"),
        ("accuracy-vs-dims", "Fashion-MNIST accuracy vs code size"),
    ):
        if f"fashion-mnist-{name}.png" in text:  # the figures the report links
            lines += ["", f"![{title}](benchmarks/results/fashion-mnist-{name}.png)"]
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


def protocols():
    """The RBM swap under three downstream protocols, from tune.py's protocols task
    (tune-digits.md): the references, the defaults before and after, and the target."""
    md = (RESULTS / "tune-digits.md").read_text().split("\n## ")
    section = next(s for s in md if s.startswith("task: protocols")).splitlines()
    table = [line for line in section if line.startswith("|")]
    header, rule, rows = table[0], table[1], table[2:]
    keep = ("- date:", "- commit:", "- machine:", "- total time:")
    cells = {r.split("|")[1].strip(): r for r in rows}
    # the defaults of n_components=100 now (one layer, the chosen code) and before
    chosen = json.loads((ROOT / "benchmarks" / "configs" / "tune-digits.json").read_text())
    over = chosen["defaults"]["overcomplete"]
    code = f"relu, sparsity {over['sparsity']}"
    now = [f"AE(100), one layer, {code}", f"{over['family']}(100), one layer, {code}"]
    before = ["AE(100), (512, 256), relu, sparsity 0.03",
              "DAE masking 0.25(100), (512, 256), relu, sparsity 0.03"]  # fmt: skip
    shown = [k for k in cells if "(reference)" in k] + before + now
    columns = [c.strip() for c in header.split("|")[2:-2]]
    rbm = [float(v) for v in cells[shown[0]].split("|")[2:-2]]
    dae = [float(v) for v in cells[now[-1]].split("|")[2:-2]]
    gaps = [(d - r, c) for d, r, c in zip(dae, rbm, columns)]
    worst = min(gaps)
    verdict = "met" if worst[0] >= 0 else "MISSED"
    lines = [
        "From `python benchmarks/tune.py --task protocols` (validation splits of the digits "
        "training set; the whole table: "
        "[benchmarks/results/tune-digits.md](benchmarks/results/tune-digits.md)); "
        "validation macro-F1, mean of 3 seeds, `n_components=100`, every other setting the "
        "estimator's default unless named; the rows of the defaults before this version "
        "and now:",
        "",
        header,
        rule,
        *(cells[k] for k in shown),
        "",
        *(line for line in section if line.startswith(keep)),
        "",
        f"- {verdict}: `DAETransformer(n_components=100)` with its defaults >= "
        f"`BernoulliRBM(n_components=100)` under every protocol, digits and shifted digits: "
        f"worst margin {worst[0]:+.4f} ({worst[1]})",
    ]
    return "\n".join(lines)


def _replace(text, start, end, body):
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), flags=re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {start} ... {end} markers")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)


def render(text):
    """``text`` (the README) with every generated section as the results files give it."""
    text = _replace(text, START, END, section())
    text = _replace(text, "<!-- protocols:start -->", "<!-- protocols:end -->", protocols())
    for name in ("label-efficiency", "outliers"):
        if (RESULTS / f"{name}.md").exists():
            text = _replace(text, f"<!-- {name}:start -->", f"<!-- {name}:end -->", report(name))
    return text


def main():
    readme = ROOT / "README.md"
    readme.write_text(render(readme.read_text()))
    print("README.md results sections updated")


if __name__ == "__main__":
    main()
