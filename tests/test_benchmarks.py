"""The benchmarks' own pieces that the runner's tests do not reach: the protocols of
systems.py, the shifted digits, and the tuning experiments whose choices skae's defaults are."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import data  # noqa: E402
import estimators  # noqa: E402
import experiments  # noqa: E402


def test_memory_measures_the_growth_of_a_fit_in_a_fresh_process():
    import systems

    job = {"method": "fit", "estimator": experiments.est("AETransformer", max_epochs=1)}
    [row] = systems.memory(job, data.load("random/3000x784"))
    assert row["data_mib"] == 3000 * 784 * 4 / 2**20 and row["growth_mib"] >= 0
    assert row["target_mib"] == 0.15 * row["data_mib"] + 64 and row["seconds"] > 0
    job["method"] = "transform"  # after a fit on 2,000 rows; its target: the output + 64 MiB
    assert systems.memory(job, data.load("random/3000x784"))[0]["target_mib"] < 64.4


def test_speed_compares_skae_with_a_bare_loop_over_the_same_module():
    import systems

    spec = experiments.est("AETransformer", hidden_sizes=[8], n_components=2, max_epochs=1)
    job = {"estimator": spec, "repeats": 1, "transform_rows": 100}
    [row] = systems.speed(job, data.load("random/64x16"))
    assert row["fit_ratio"] == pytest.approx(row["fit_skae"] / row["fit_bare"])
    assert row["one_row_ratio"] == pytest.approx(row["one_row_us"] / row["reference_us"])
    assert min(row.values()) > 0
    clf = experiments.est("SAEClassifier", hidden_sizes=[8], n_components=2, max_epochs=1,
                          pretrain_epochs=1)  # fmt: skip
    [row] = systems.speed({"estimator": clf, "repeats": 1}, data.load("random/64x16"))
    assert "fit_ratio" not in row and row["one_row_us"] > 0  # predict's latency only


def test_shifted_digits_are_one_pixel_moves():
    X = np.zeros((1, 64), dtype=np.float32)
    X[0, 8 * 3 + 3] = 1  # one lit pixel at (3, 3)
    X5, y5 = data.shifted(X, np.array([7]))
    assert X5.shape == (5, 64) and list(y5) == [7] * 5
    lit = sorted(tuple(int(v) for v in np.argwhere(img.reshape(8, 8))[0]) for img in X5)
    assert lit == sorted([(3, 3), (4, 3), (2, 3), (3, 4), (3, 2)])
    # nothing wraps around the edge
    X[0] = 0
    X[0, 7] = 1  # (0, 7)
    # original, down, up (off the top edge), right (off the right edge), left
    assert data.shifted(X, np.array([0]))[0].sum(axis=1).tolist() == [1, 1, 0, 0, 1]


def test_every_tune_digits_candidate_runs_the_code_its_name_says():
    # no candidate leaves a code setting to "auto", which would add L1 0.01 to an
    # overcomplete code and make "relu" the same net as "relu + L1 0.01"
    names = {"identity": "linear", "relu": "relu"}
    nets = {}
    for job in experiments.EXPERIMENTS["tune-digits"]["jobs"]:
        if not job["method"].startswith("dae"):
            continue
        params = estimators.build(job["estimator"], 0).get_params()
        code = {k: params[k] for k in ("hidden_sizes", "latent_activation", "sparsity", "top_k")}
        assert "auto" not in code.values()
        name = f"dae {code['hidden_sizes']}, " + (
            f"top-{code['top_k']}" if code["top_k"] else names[code["latent_activation"]]
            + (f" + L1 {code['sparsity']:g}" if code["sparsity"] else ""))
        assert job["method"] == name
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
    exp = {"jobs": [{"method": r["method"], "estimator": experiments.est(
        "DAETransformer", hidden_sizes=[], latent_activation="relu", sparsity=0.0,
        top_k=50 if "top" in r["method"] else None)} for r in rows]}  # fmt: skip
    chosen = experiments.select_defaults(rows, exp)
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
