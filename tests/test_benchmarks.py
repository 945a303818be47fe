"""A quick smoke run of the benchmark scripts on digits: outputs exist and read right."""

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory):
    import compare

    out = tmp_path_factory.mktemp("results")
    rows = compare.main(
        ["--out", str(out), "--epochs", "2", "--conv-epochs", "1", "--finetune-epochs", "2"]
        + ["--dims", "4", "8", "100", "--seeds", "0", "1"]
    )
    return out, rows


def test_compare_writes_every_method_and_size(compare_run):
    out, rows = compare_run
    with open(out / "digits.csv") as f:
        table = list(csv.DictReader(f))
    columns = {"method", "n_features", "seed", "accuracy", "fit_seconds", "reconstruction_mse"}
    assert columns | {"C", "scaling"} <= set(table[0])
    methods = {(r["method"], int(r["n_features"]), int(r["seed"])) for r in table}
    expected = {("raw", 64), ("sae_finetuned", 8), ("sae_nopretrain", 8)}
    expected |= {("pca", 4), ("pca", 8)}  # PCA stops at the number of pixels
    unsupervised = ("rbm", "ae", "dae", "sae", "conv_ae", "conv_dae", "vae")
    expected |= {(m, d) for m in unsupervised for d in (4, 8, 100)}
    assert methods == {(m, d, seed) for m, d in expected for seed in (0, 1)}
    for r in table:
        assert 0.1 < float(r["accuracy"]) <= 1  # better than chance on 10 classes
        assert float(r["fit_seconds"]) > 0
        if r["method"] in ("pca", "ae", "dae", "sae", "conv_ae", "conv_dae", "vae"):
            assert 0 < float(r["reconstruction_mse"]) < 0.2
        if r["method"] in ("sae_finetuned", "sae_nopretrain"):
            assert r["C"] == r["scaling"] == ""
        else:  # every LogisticRegression chose its C (raw also its scaling)
            assert float(r["C"]) in (0.01, 0.1, 1.0, 10.0)
            assert r["scaling"] in (("none", "standard") if r["method"] == "raw" else ("standard",))
    # raw pixels + LogisticRegression on digits is a well-known ~0.95+
    assert float(next(r for r in table if r["method"] == "raw")["accuracy"]) > 0.9


def test_compare_writes_the_report_and_figures(compare_run):
    out, _ = compare_run
    md = (out / "digits.md").read_text()
    for needle in ("commit:", "machine:", "versions:", "| sae_finetuned | 8 |", "torch", " ± "):
        assert needle in md
    assert "best skae features at 100 components" in md  # the overcomplete target is checked
    for name in ("reconstructions", "denoising", "accuracy-vs-dims"):
        png = out / f"digits-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_compare_replot_redraws_the_accuracy_figure_from_the_csv(compare_run):
    import compare

    out, _ = compare_run
    png = out / "digits-accuracy-vs-dims.png"
    png.unlink()
    csv_before = (out / "digits.csv").read_text()
    compare.main(["--out", str(out), "--dims", "4", "8", "100", "--seeds", "0", "1", "--replot"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert (out / "digits.csv").read_text() == csv_before  # nothing was rerun


def test_tune_chooses_on_a_validation_split_and_compare_reads_it(tmp_path, monkeypatch):
    import compare
    import tune

    monkeypatch.setattr(tune, "SPARSITY", (0.0, 0.03))
    rows, choice = tune.main(
        ["--task", "sparsity", "--out", str(tmp_path), "--configs", str(tmp_path / "configs")]
    )
    candidates = [r for r in rows if "sparsity" in r]
    assert len(candidates) == 4  # 2 activations x 2 penalties
    best = max(candidates, key=lambda r: r["validation accuracy"])
    assert choice == {"overcomplete": {k: best[k] for k in ("latent_activation", "sparsity")}}
    assert "test set is not used" in (tmp_path / "tune-digits.md").read_text()
    # a classifier choice in the file is what compare.py then uses
    chosen = {"hidden_sizes": [64], "max_epochs": 3, "dropout": 0.1, "schedule": "constant"}
    conv = {"max_epochs": 2, "loss": "bce", "schedule": "cosine"}
    assert json.loads((tmp_path / "configs" / "tune-digits.json").read_text()) == choice
    configs = tmp_path / "configs"
    (configs / "tune-digits.json").write_text(json.dumps({"sae_finetuned": chosen, "conv": conv}))
    # read from the configs folder, whatever --out says
    args = compare.parse_args(["--out", str(tmp_path / "elsewhere"), "--configs", str(configs)])
    assert args.classifier["hidden_sizes"] == (64,) and args.classifier["max_epochs"] == 3
    assert "tune.py" in args.classifier["source"]
    # and the conv choice reaches both conv methods; the command line still wins
    for name in ("conv_ae", "conv_dae"):
        est = compare.make_method(name, 8, args, 0)
        assert (est.loss, est.max_epochs) == ("bce", 2)
        (schedule,) = est.net_params["callbacks"]
        assert schedule.policy.__name__ == "CosineAnnealingLR" and schedule.kwargs["T_max"] == 2
    args = compare.parse_args(["--configs", str(configs), "--conv-epochs", "5"])
    assert args.conv["max_epochs"] == 5 and args.conv["source"] == "command line"


def test_scale_measures_memory_of_fit(tmp_path):
    import scale

    rows, _, _ = scale.main(["--rows", "3000", "--out", str(tmp_path), "--skip-grid-search"])
    assert [r["case"] for r in rows] == list(scale.CASES)
    for r in rows:
        assert r["growth_mib"] >= 0 and r["fit_seconds"] > 0
    md = (tmp_path / "scale.md").read_text()
    assert "| 3,000 | memmap |" in md and "commit:" in md
    assert (tmp_path / "scale-memory.png").read_bytes()[:4] == b"\x89PNG"


def test_compare_runs_methods_in_parallel_with_overcomplete_sizes(tmp_path):
    import compare

    rows = compare.main(
        ["--out", str(tmp_path), "--epochs", "1", "--conv-epochs", "1", "--seeds", "0"]
        + ["--dims", "4", "--overcomplete-dims", "80", "--jobs", "2"]
        + ["--methods", "raw", "ae", "dae", "conv_ae"]
    )
    got = sorted((r["method"], r["n_features"]) for r in rows)
    assert got == sorted(
        [("raw", 64), ("ae", 4), ("dae", 4), ("conv_ae", 4), ("ae", 80), ("dae", 80),
         ("conv_ae", 80)]  # fmt: skip
    )
    assert all(0.1 < r["accuracy"] <= 1 for r in rows)
    report = (tmp_path / "digits.md").read_text()
    assert "overcomplete sizes (80,)" in report


def test_overcomplete_rows_are_one_layer_nets():
    import compare

    args = compare.parse_args(["--dataset", "fashion-mnist"])
    assert args.overcomplete_dims == (1024, 2048)
    wide = compare.make_method("dae", 1024, args, 0)
    assert (wide.hidden_sizes, wide.max_epochs, wide.batch_size) == ((), 5, 128)
    narrow = compare.make_method("dae", 32, args, 0)
    assert narrow.hidden_sizes == (512, 256)
    assert narrow.noise_level == wide.noise_level  # DAETransformer's default for both


def test_shifted_digits_are_one_pixel_moves():
    import tune

    X = np.zeros((1, 64), dtype=np.float32)
    X[0, 8 * 3 + 3] = 1  # one lit pixel at (3, 3)
    X5, y5 = tune.shifted(X, np.array([7]))
    assert X5.shape == (5, 64) and list(y5) == [7] * 5
    lit = sorted(tuple(int(v) for v in np.argwhere(img.reshape(8, 8))[0]) for img in X5)
    assert lit == sorted([(3, 3), (4, 3), (2, 3), (3, 4), (3, 2)])
    # nothing wraps around the edge
    X[0] = 0
    X[0, 7] = 1  # (0, 7)
    # original, down, up (off the top edge), right (off the right edge), left
    assert tune.shifted(X, np.array([0]))[0].sum(axis=1).tolist() == [1, 1, 0, 0, 1]


def test_code_defaults_are_the_committed_protocols_choice():
    # the "auto" code and layer defaults, and DAETransformer's noise level, are what
    # `tune.py --task protocols` chose (benchmarks/configs/tune-digits.json)
    from skae import DAETransformer
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
        assert choice["family"].startswith("DAE masking")
        assert DAETransformer().noise_level == float(choice["family"].split()[-1])


def test_compare_reuses_rows_of_methods_without_skae_code(tmp_path):
    import compare

    first = tmp_path / "first"
    base = ["--dims", "4", "--seeds", "0", "--methods", "raw", "pca", "ae", "--epochs", "1"]
    rows = compare.main(["--out", str(first), *base])
    again = compare.main(
        ["--out", str(tmp_path / "again"), *base, "--reuse", str(first / "digits.csv")]
    )
    by_method = {r["method"]: r for r in again}
    for r in rows:
        if r["method"] in ("raw", "pca"):  # taken as they were, not run again
            assert by_method[r["method"]]["fit_seconds"] == r["fit_seconds"]
    assert "reused: the rows of raw, pca, rbm" in (tmp_path / "again" / "digits.md").read_text()
    with pytest.raises(SystemExit):  # only methods that use no skae code can be reused
        compare.parse_args(["--reuse", str(first / "digits.csv"), "--reuse-methods", "ae"])


def test_report_of_a_stopped_run_names_its_commit_and_the_jobs_not_run(tmp_path):
    import compare

    base = ["--out", str(tmp_path), "--dims", "4", "--seeds", "0", "--epochs", "1"]
    compare.main([*base, "--methods", "raw", "pca"])  # as if stopped before ae ran
    compare.main(
        [*base, "--methods", "raw", "pca", "ae", "--report-stopped", "abc1234", "2026-12-02T02:38"]
    )
    md = (tmp_path / "digits.md").read_text()
    assert "- commit: abc1234 (the run's)" in md
    assert "after 2 of 4 jobs; not run: ae (4), ae (100)" in md
    assert "| raw | 64 |" in md and "reconstructions" not in md


def test_resume_keeps_a_stopped_runs_rows_only_when_its_code_and_settings_are_this_runs(
    tmp_path,
):
    import compare

    head = compare._git("rev-parse", "HEAD")
    if head.returncode:
        pytest.skip("needs a git checkout")
    base = ["--out", str(tmp_path), "--dims", "4", "--seeds", "0", "--epochs", "1"]
    first = compare.main([*base, "--methods", "raw", "pca"])  # as if stopped before ae ran
    stopped = [*base, "--methods", "raw", "pca", "ae"]
    compare.main([*stopped, "--report-stopped", head.stdout.strip(), "2026-12-02T02:38"])
    with pytest.raises(SystemExit, match="settings differ"):
        compare.main([*stopped, "--resume", "--lr", "0.01"])
    with pytest.raises(SystemExit, match="drop --reuse"):
        compare.main([*stopped, "--resume", "--reuse", str(tmp_path / "digits.csv")])

    rows = compare.main([*stopped, "--resume"])
    assert sorted((r["method"], r["n_features"]) for r in rows) == [
        ("ae", 4), ("ae", 100), ("pca", 4), ("raw", 64)
    ]  # fmt: skip
    kept = {r["method"]: r["fit_seconds"] for r in rows if r["method"] != "ae"}
    assert kept == {r["method"]: r["fit_seconds"] for r in first}  # not run again
    md = (tmp_path / "digits.md").read_text()
    assert "- resumed: 2 rows from a run of this script stopped" in md
    assert "(the stopped run it resumed)" in md and "STOPPED" not in md
    with pytest.raises(SystemExit, match="finished run"):  # nothing left to resume
        compare.main([*stopped, "--resume"])

    # a stopped run of another code is refused
    compare.main([*stopped, "--report-stopped", "cde4f46", "2026-12-01T02:38"])
    with pytest.raises(SystemExit, match="differs from this one|cannot compare"):
        compare.main([*stopped, "--resume"])


def test_the_objectives_tasks_corruptions_act_only_in_training_and_as_described():
    import torch
    import tune

    x = torch.rand(200, 64) + 0.5  # no zeros of its own
    inverted, block = tune.InvertedMasking(0.5), tune.BlockMasking(0.5, side=8, block=2)
    for module in (inverted, block):
        assert torch.equal(module.eval()(x), x)  # the identity when evaluating
    out = inverted.train()(x)
    kept = out != 0
    assert 0.4 < kept.float().mean() < 0.6
    assert torch.allclose(out[kept], 2 * x[kept])  # the kept entries scaled by 1 / (1 - p)
    out = block.train()(x).reshape(-1, 8, 8)
    patches = out.reshape(-1, 4, 2, 4, 2).permute(0, 1, 3, 2, 4).reshape(-1, 16, 4)
    zero = (patches == 0).all(-1)
    assert ((patches == 0).any(-1) == zero).all()  # a patch is masked whole or not at all
    assert 0.4 < zero.float().mean() < 0.6


def test_the_kl_sparsity_objective_pulls_mean_activations_to_the_target():
    import torch
    import tune

    at_target = {"code": torch.full((10, 5), 0.05)}
    above = {"code": torch.full((10, 5), 0.5)}
    assert tune.kl_sparsity(at_target, True, rho=0.05, weight=1.0)["kl_sparsity"] < 1e-6
    assert tune.kl_sparsity(above, True, rho=0.05, weight=1.0)["kl_sparsity"] > 0.1
    assert tune.kl_sparsity(above, False, rho=0.05, weight=1.0) == {}  # training only
    est = tune.OBJECTIVES["masking 0.5, sigmoid code, KL sparsity 0.05, weight 1"][0]()
    assert est._objective(64).keywords == {"rho": 0.05, "weight": 1.0}
