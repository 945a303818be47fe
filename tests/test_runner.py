"""The benchmark runner: experiments expand into jobs, results are cached, reports are
written from the cache."""

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import data  # noqa: E402
import estimators  # noqa: E402
import experiments  # noqa: E402
import protocols  # noqa: E402
import run  # noqa: E402
from experiments import est, target  # noqa: E402

TINY = {
    "protocol": "linear_probe", "dataset": "digits", "split": "test", "seeds": (0, 1),
    "jobs": [{"method": "raw", "size": 64, "estimator": None},
             {"method": "pca", "size": 4,
              "estimator": est("sklearn.decomposition.PCA", n_components=4)}],
    "table": ("accuracy", "reconstruction_mse", "C"), "about": "a tiny experiment",
    "figures": ("accuracy_vs_size",),
    "targets": [target("raw pixels >= PCA(4)", "accuracy", ">=",
                       dict(methods=("pca",), sizes=None), ("raw",)),
                target("PCA(4) accuracy >= 0.999", "accuracy", ">=", 0.999, ("pca",))],
}  # fmt: skip


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    monkeypatch.setitem(experiments.EXPERIMENTS, "tiny", TINY)
    run.main(["tiny", "--out", str(tmp_path), "--jobs", "1"])
    return tmp_path


def test_every_job_and_seed_is_run_and_reported(tiny):
    with open(tiny / "tiny.csv") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["method"], r["seed"]) for r in rows) == [
        ("pca", "0"), ("pca", "1"), ("raw", "0"), ("raw", "1")]  # fmt: skip
    assert all(0.5 < float(r["accuracy"]) <= 1 for r in rows)
    md = (tiny / "tiny.md").read_text()
    assert "| method | size | accuracy | reconstruction_mse | C |" in md
    assert "- machine:" in md and "- versions:" in md and "4 jobs, run at commit" in md
    # targets are evaluated from the results, against a number or another method's best
    assert "- met: raw pixels >= PCA(4)" in md and "- MISSED: PCA(4) accuracy >= 0.999" in md
    assert (tiny / "tiny-accuracy_vs_size.png").stat().st_size > 0


def test_a_second_run_takes_every_result_from_the_cache(tiny, monkeypatch):
    def fail(job, data):
        raise AssertionError("a cached job was run again")

    fail.__module__ = "protocols"  # where the protocol it stands for lives (its cache key)
    monkeypatch.setitem(protocols.PROTOCOLS, "linear_probe", fail)
    before = (tiny / "tiny.csv").read_text()
    run.main(["tiny", "--out", str(tiny), "--jobs", "1"])
    assert (tiny / "tiny.csv").read_text() == before
    assert len((tiny / "cache" / "tiny" / "runs.jsonl").read_text().splitlines()) == 1


def test_a_changed_job_runs_again_and_a_stopped_run_is_reported_as_such(tiny, monkeypatch):
    changed = dict(TINY, jobs=[TINY["jobs"][0], {"method": "pca", "size": 5, "estimator": est(
        "sklearn.decomposition.PCA", n_components=5)}])  # fmt: skip
    monkeypatch.setitem(experiments.EXPERIMENTS, "tiny", changed)
    run.main(["tiny", "--out", str(tiny), "--report-only"])
    assert "**2 jobs not run yet**" in (tiny / "tiny.md").read_text()
    run.main(["tiny", "--out", str(tiny), "--jobs", "1", "--methods", "pca"])
    records = [json.loads(p.read_text()) for p in (tiny / "cache" / "tiny").glob("*.json")]
    assert sorted(r["job"]["size"] for r in records) == [4, 4, 5, 5, 64, 64]
    # --prune deletes the results of the jobs the experiment no longer has (size 4)
    run.main(["tiny", "--out", str(tiny), "--report-only", "--prune", "--methods", "pca"])
    records = [json.loads(p.read_text()) for p in (tiny / "cache" / "tiny").glob("*.json")]
    assert sorted(r["job"]["size"] for r in records) == [5, 5, 64, 64]


def test_a_job_depends_on_the_skae_modules_its_estimators_import():
    ae = {"estimator": est("AETransformer")}
    nested = {"estimator": est("ReconstructionOutlierDetector", estimator=est("AETransformer"))}
    forest = {"estimator": est("sklearn.ensemble.IsolationForest")}
    assert {"autoencoder", "_base", "modules"} <= set(run.skae_modules(ae))
    assert not {"outlier", "impute", "onnx"} & set(run.skae_modules(ae))
    # the detector builds its default AE inside a method: a lazy import counts too
    assert {"outlier", "autoencoder"} <= set(run.skae_modules(
        {"estimator": est("ReconstructionOutlierDetector")}))
    assert set(run.skae_modules(ae)) < set(run.skae_modules(nested))
    assert run.skae_modules(forest) == () and run.skae_modules({"estimator": None}) == ()
    assert run.fingerprint(("autoencoder",)) != run.fingerprint(()) == run.fingerprint(())
    assert run.key(forest) != run.key(ae) != run.key(nested)


def test_probe_chooses_c_on_a_held_out_split_from_the_grid():
    X_train, X_test, y_train, y_test = data.load("digits")
    model, C, scaling = protocols.probe(X_train, y_train, 0, ("none", "standard"))
    assert C in protocols.C_GRID and scaling in ("none", "standard")
    assert model.score(X_test, y_test) > 0.9


def test_specs_build_nested_estimators_with_the_jobs_seed():
    spec = est("ReconstructionOutlierDetector", estimator=est("AETransformer", hidden_sizes=[8]))
    detector = estimators.build(spec, 3)
    assert detector.estimator.hidden_sizes == (8,) and detector.estimator.random_state == 3


def test_every_experiment_expands_into_jobs_with_known_protocols():
    for name, exp in experiments.EXPERIMENTS.items():
        jobs = run.expand(name, exp)
        known = protocols.PROTOCOLS  # the one registry, systems' protocols included
        assert jobs and all(j["protocol"] in known for j in jobs)
        keys = {run.key(j) for j in jobs}
        assert len(keys) == len(jobs), f"{name}: two jobs share a cache key"


IMPUTE = experiments.load("""
protocol: imputation
dataset: [wine, diabetes]
split: test
seeds: [0]
dataset_rows: true
lower_is_better: true
figures: [rmse_vs_rate]
pivot: {rmse: min, downstream: max}
table: [rmse, fit_seconds, downstream]
about: a tiny imputation run
targets:
  - {text: "wine 20%: MICE <= mean", metric: rmse, op: "<=", value: {methods: [mean]},
     methods: [mice], where: {dataset: wine, condition: mcar 20%}}
defaults:
  downstream: true
  each:
    - {condition: mcar 20%, pattern: mcar, rate: 0.2, seeds: [0, 1]}
    - {condition: mcar 40%, pattern: mcar, rate: 0.4, datasets: [wine]}
    - {condition: block 20%, pattern: block, rate: 0.2}
jobs:
  - {method: mean, estimator: sklearn.impute.SimpleImputer}
  - {method: mice, estimator: sklearn.impute.IterativeImputer, params: {max_iter: 3}}
""")


def test_an_entry_expands_by_sizes_each_tuned_settings_and_code_size(monkeypatch):
    monkeypatch.setattr(experiments, "tuned", lambda name: {"beta": 0.5} if name == "t" else {})
    exp = {"dataset": ("adbench/45_wine", "adbench/16_http"), "defaults": {"draws": 3}}
    jobs = experiments.entries({"method": "vae", "sizes": [4, 8], "at": {8: {"figures": True}},
                                "estimator": "VAETransformer", "params": {"max_epochs": 2},
                                "tuned": ["t.beta", "u.gamma"]}, exp)  # fmt: skip
    assert [(j["size"], j.get("figures"), j["draws"]) for j in jobs] == [(4, None, 3), (8, True, 3)]
    assert jobs[1]["estimator"] == experiments.est("VAETransformer", max_epochs=2, beta=0.5,
                                                   n_components=8)  # fmt: skip
    jobs = experiments.entries({"method": "m", "each": [{"rate": 0.1}, {"rate": 0.2}],
                                "estimator": "sklearn.decomposition.PCA",
                                "params": {"n_components": "$code_size"}}, exp)  # fmt: skip
    # one job per data set for the code size (wine: 13 columns, http: 3), for each rate
    assert [(j["rate"], j["datasets"], j["estimator"]["params"]["n_components"]) for j in jobs] \
        == [(0.1, ["adbench/45_wine"], 3), (0.1, ["adbench/16_http"], 1),
            (0.2, ["adbench/45_wine"], 3), (0.2, ["adbench/16_http"], 1)]  # fmt: skip
    assert experiments.entries({"method": "raw"}, {})[0]["estimator"] is None


def test_an_imputation_experiment_reports_each_data_set_and_condition(monkeypatch, tmp_path):
    monkeypatch.setitem(experiments.EXPERIMENTS, "impute", IMPUTE)
    run.main(["impute", "--out", str(tmp_path), "--jobs", "1"])
    with open(tmp_path / "impute.csv") as f:
        rows = list(csv.DictReader(f))
    # an entry's own seeds and data sets replace the experiment's
    assert sorted({(r["dataset"], r["condition"], r["seed"]) for r in rows}) == [
        ("diabetes", "block 20%", "0"), ("diabetes", "mcar 20%", "0"),
        ("diabetes", "mcar 20%", "1"), ("wine", "block 20%", "0"), ("wine", "mcar 20%", "0"),
        ("wine", "mcar 20%", "1"), ("wine", "mcar 40%", "0")]  # fmt: skip
    assert all(0 < float(r["rmse"]) < 1 and float(r["missing"]) > 0.1 for r in rows)
    md = (tmp_path / "impute.md").read_text()
    # the summary (the pivot tables) opens the page, then the targets, every result, provenance
    assert md.index("## Summary") < md.index("## Targets") < md.index("## Every result") < (
        md.index("## Provenance"))
    every = md.split("## Every result")[1]
    lines = [x for x in every.splitlines() if x.startswith("| ") and "---" not in x]
    assert lines[0] == "| method | dataset | condition | rmse | fit_seconds | downstream |"
    # one row per method, data set and condition, the smallest RMSE first within each
    table = [x.split(" | ") for x in lines[1:]]
    assert len(table) == 2 * 5
    for group in {(t[1], t[2]) for t in table}:
        rmse = [float(t[3].split(" ")[0]) for t in table if (t[1], t[2]) == group]
        assert rmse == sorted(rmse)
    # and as a table of data sets and conditions by methods, the best in bold
    assert "| dataset | condition | mean | mice |" in md
    assert "| wine | mcar 20% | 0.2" in md and "| **0.1" in md
    assert "- met: wine 20%: MICE <= mean: mice" in md and "against mean" in md
    assert (tmp_path / "impute-rmse_vs_rate.png").stat().st_size > 0


def test_holes_follow_their_pattern_and_rate():
    X = data.table("wine", "test")[0]
    assert X.min() == 0 and X.max() == 1
    assert len(data.table("wine", "validation")[0]) == len(X) // 2
    mcar = protocols.holes(X, "mcar", 0.3, 0)
    assert abs(mcar.mean() - 0.3) < 0.03
    block = protocols.holes(X, "block", 0.3, 0)
    groups = [block[:, g] for g in np.array_split(np.arange(X.shape[1]), 4)]
    assert all((g.all(axis=1) | ~g.any(axis=1)).all() for g in groups)  # whole groups
    mar = protocols.holes(X, "mar", 0.3, 0)
    assert (~mar).all(axis=0).sum() >= X.shape[1] // 2  # the driving columns stay observed
    assert abs(mar.mean() / (1 - (~mar).all(axis=0).mean()) - 0.3) < 0.1


ADBENCH = data.shared_data() / "adbench"
needs_adbench = pytest.mark.skipif(not ADBENCH.is_dir(), reason=f"{ADBENCH} not found")


@needs_adbench
def test_the_adbench_list_is_the_folder_s():
    assert sorted(p.stem for p in ADBENCH.glob("*.npz")) == sorted(experiments.ADBENCH)
    X_fit, X_score, y_fit, y_score = data.load("adbench/45_wine", "test", 0)
    assert X_fit.shape[1] == experiments.ADBENCH["45_wine"]
    assert len(X_fit) + len(X_score) == 129 and abs(len(X_score) / 129 - 0.3) < 0.01
    assert y_fit.mean() == pytest.approx(y_score.mean(), abs=0.03)  # stratified
    capped = data.load("adbench/16_http", "test", 0)  # 567,498 rows: capped
    assert len(capped[0]) == data.FIT_ROWS and len(capped[1]) == data.SCORE_ROWS


@needs_adbench
def test_an_anomaly_experiment_ranks_the_detectors(monkeypatch, tmp_path):
    sets = ("adbench/45_wine", "adbench/42_WBC")
    specs = {"isolation_forest": est("sklearn.ensemble.IsolationForest", n_estimators=20),
             "skae": est("ReconstructionOutlierDetector", estimator=est(
                 "AETransformer", hidden_sizes=[8], n_components=2, max_epochs=2)),
             "pyod_ecod": est("pyod.models.ecod.ECOD")}  # fmt: skip
    exp = experiments.EXPERIMENTS["adbench"] | {
        "dataset": sets, "seeds": (0,),
        "jobs": [{"method": m, "datasets": sets, "estimator": s} for m, s in specs.items()]}
    monkeypatch.setitem(experiments.EXPERIMENTS, "anomaly", exp)
    run.main(["anomaly", "--out", str(tmp_path), "--jobs", "1"])
    with open(tmp_path / "anomaly.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6 and all(0 <= float(r["auroc"]) <= 1 for r in rows)
    md = (tmp_path / "anomaly.md").read_text()
    assert "### Over the 2 data sets: mean auroc, mean rank" in md
    places = [x for x in md.splitlines() if x.startswith("| 1 | ") or x.startswith("| 3 | ")]
    assert len(places) == 2  # three detectors placed 1 to 3
    assert "skae's default among the 3 best detectors by mean rank: skae" in md
    assert (tmp_path / "anomaly-rank_of_detectors.png").stat().st_size > 0


def test_outlyingness_is_higher_for_the_outliers_in_both_apis():
    from pyod.models.ecod import ECOD
    from sklearn.ensemble import IsolationForest

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(200, 3)), rng.normal(size=(5, 3)) + 8])
    for detector in (IsolationForest(random_state=0), ECOD()):
        scores = protocols.outlyingness(detector.fit(X), X)
        assert scores[-5:].min() > np.median(scores[:-5])


def test_a_detector_whose_fit_fails_counts_at_chance(monkeypatch):
    class Diverges:
        def fit(self, X):
            raise ValueError("Training diverged")

    monkeypatch.setattr(protocols, "build", lambda spec, seed: Diverges())
    y = np.r_[np.zeros(90), np.ones(10)]
    data = (np.zeros((100, 2)), np.zeros((100, 2)), y, y)
    [row] = protocols.anomaly({"estimator": None, "seed": 0}, data)
    assert row["auroc"] == 0.5 and row["ap"] == 0.1 and row["failed"] == 1
    assert "diverged" in row["error"]


def test_an_unknown_key_of_an_experiment_is_refused_naming_it():
    text = (experiments.CONFIGS / "digits.yaml").read_text()
    typo = text.replace("    sizes: [4", "    sise: [4", 1)
    assert typo != text
    with pytest.raises(ValueError, match="digits, job 2 \\(rbm\\): unknown key 'sise'; the "
                                         "allowed keys are at, classifier, "):  # fmt: skip
        experiments.load(typo, "digits")
    with pytest.raises(ValueError, match="unknown key 'seed'; the allowed keys are about"):
        experiments.load(text.replace("seeds:", "seed:", 1), "digits")
    with pytest.raises(ValueError, match="select 'select_nothing' is none of the rules"):
        experiments.load(text + "select: select_nothing\n", "digits")


def test_selection_rules_are_registered_and_the_code_size_rule_is_skae_s():
    from skae.outlier import default_code_size

    assert set(experiments.RULES) == {"select_defaults", "select_beta", "select_imputer",
                                      "select_mixed_imputer", "select_detector"}  # fmt: skip
    assert experiments.code_size("adbench/17_InternetAds") == default_code_size(1555) == 32
    assert experiments.code_size("adbench/16_http") == default_code_size(3) == 1


def test_missforest_fills_every_hole_with_a_value_of_its_kind_and_stops():
    import mixed

    rng = np.random.default_rng(0)
    x = rng.normal(size=120)
    X = pd.DataFrame({"x": x, "y": 2 * x + 0.1 * rng.normal(size=120),
                      "kind": np.where(x > 0, "up", "down").astype(object)})  # fmt: skip
    missing, mask = mixed.remove(X, 0.2, 0)
    imputer = mixed.MissForest(n_estimators=10, random_state=0)
    filled = imputer.fit_transform(missing)
    assert 1 <= imputer.n_iter_ <= 10
    assert set(filled[mask[:, 2], 2]) <= {"up", "down"}
    scores = mixed.scores(X, filled, mask)
    assert scores["nrmse"] < 0.6 and scores["pfc"] < 0.3  # the columns explain one another
    simple = mixed.scores(X, mixed.SimpleByType().fit_transform(missing), mask)
    assert scores["nrmse"] < simple["nrmse"] and scores["pfc"] < simple["pfc"]
