"""The benchmarks' own pieces that the runner's tests do not reach: the scale script, the
shifted digits, and the tuning experiments whose choices skae's defaults are."""

import json
import sys
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import experiments  # noqa: E402
import protocols  # noqa: E402


def test_scale_measures_memory_of_fit(tmp_path):
    import scale

    rows, _, _ = scale.main(["--rows", "3000", "--out", str(tmp_path), "--skip-grid-search"])
    assert [r["case"] for r in rows] == list(scale.CASES)
    for r in rows:
        assert r["growth_mib"] >= 0 and r["fit_seconds"] > 0
    md = (tmp_path / "scale.md").read_text()
    assert "| 3,000 | memmap |" in md and "commit:" in md
    assert (tmp_path / "scale-memory.png").read_bytes()[:4] == b"\x89PNG"


def test_shifted_digits_are_one_pixel_moves():
    X = np.zeros((1, 64), dtype=np.float32)
    X[0, 8 * 3 + 3] = 1  # one lit pixel at (3, 3)
    X5, y5 = protocols.shifted(X, np.array([7]))
    assert X5.shape == (5, 64) and list(y5) == [7] * 5
    lit = sorted(tuple(int(v) for v in np.argwhere(img.reshape(8, 8))[0]) for img in X5)
    assert lit == sorted([(3, 3), (4, 3), (2, 3), (3, 4), (3, 2)])
    # nothing wraps around the edge
    X[0] = 0
    X[0, 7] = 1  # (0, 7)
    # original, down, up (off the top edge), right (off the right edge), left
    assert protocols.shifted(X, np.array([0]))[0].sum(axis=1).tolist() == [1, 1, 0, 0, 1]


def test_every_tune_digits_candidate_runs_the_code_its_name_says():
    # no candidate leaves a code setting to "auto", which would add L1 0.01 to an
    # overcomplete code and make "relu" the same net as "relu + L1 0.01"
    nets = {}
    for job in experiments.EXPERIMENTS["tune-digits"]["jobs"]:
        if not job["method"].startswith("dae"):
            continue
        params = protocols.build(job["estimator"], 0).get_params()
        code = {k: params[k] for k in ("hidden_sizes", "latent_activation", "sparsity", "top_k")}
        assert "auto" not in code.values()
        assert {k: v for k, v in experiments._code(job["method"]).items() if k != "method"} == (
            code | {"hidden_sizes": list(code["hidden_sizes"])}
        )
        nets[job["method"]] = tuple(code.values())
    assert len(set(nets.values())) == len(nets)  # every candidate a different net


def test_the_default_code_rule_takes_the_best_worst_margin_over_the_rbm():
    columns = ("a", "b")

    def row(method, size, a, b):
        return {"method": method, "size": size, "a": a, "b": b, "columns": columns}

    rows = [row("rbm", 100, 0.90, 0.80),
            row("dae (), relu", 100, 0.95, 0.79),  # worst margin -0.01
            row("dae (128,), relu", 100, 0.91, 0.81),  # +0.01: chosen
            row("dae (), top-50", 100, 0.92, 0.813),  # +0.013, but ties and has top-k
            row("dae (512, 256), linear", 32, 0.9, 0.7),
            row("dae (512, 256), relu + L1 0.01", 32, 0.95, 0.6)]  # fmt: skip
    chosen = experiments.select_defaults(rows)
    assert chosen["overcomplete"]["method"] == "dae (128,), relu"
    assert chosen["vs RBM"] == 0.01
    assert chosen["undercomplete"]["method"] == "dae (512, 256), linear"


def test_code_defaults_are_the_committed_tune_digits_choice():
    # the "auto" code and layer defaults are what `benchmarks/run.py tune-digits` chose
    # (benchmarks/configs/tune-digits.json), and the VAE's beta what tune-vae chose
    from skae import VAETransformer
    from skae._reconstruction import OVERCOMPLETE, UNDERCOMPLETE

    chosen = json.loads((BENCHMARKS / "configs" / "tune-digits.json").read_text())["defaults"]
    for size, defaults in (("overcomplete", OVERCOMPLETE), ("undercomplete", UNDERCOMPLETE)):
        choice = chosen[size]
        assert defaults == {
            "hidden_sizes": tuple(choice["hidden_sizes"]),
            "latent_activation": choice["latent_activation"],
            "sparsity": choice["sparsity"],
            "top_k": choice["top_k"],
        }
    beta = json.loads((BENCHMARKS / "configs" / "tune-vae.json").read_text())["defaults"]["beta"]
    assert VAETransformer().beta == beta


def test_compare_is_the_runner_s_feature_benchmark(monkeypatch, tmp_path):
    import compare
    import run

    calls = []
    monkeypatch.setattr(run, "main", calls.append)
    compare.main(["--dataset", "fashion-mnist", "--out", str(tmp_path), "--jobs", "1"])
    compare.main([])
    assert calls == [["fashion-mnist", "--out", str(tmp_path), "--jobs", "1"],
                     ["digits", "--out", str(run.HERE / "results")]]  # fmt: skip


def test_the_readme_s_results_table_is_the_committed_results():
    import report

    readme = (BENCHMARKS.parent / "README.md").read_text()
    start, end = (readme.index(m) for m in report.README_MARKERS)
    table = readme[start + len(report.README_MARKERS[0]) : end].strip()
    assert table == report.readme_table(BENCHMARKS / "results")  # rerun report.py --readme


def test_the_readme_table_takes_the_best_mean_of_each_side():
    import report

    rows = [{"method": m, "size": s, "accuracy": a} for m, s, a in [
        ("dae", "32", "0.8"), ("dae", "32", "0.9"), ("ae", "32", "0.84"), ("dae", "64", ""),
        ("raw", "784", "0.83"), ("pca", "32", "0.82")]]  # fmt: skip
    value, key = report._best(rows, "accuracy", False, ("ae", "dae"))
    assert (round(value, 4), key) == (0.85, ("dae", "32"))  # the mean of its two seeds
    assert report._best(rows, "accuracy", True, ("raw", "pca")) == (0.82, ("pca", "32"))
