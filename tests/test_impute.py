"""DAEImputer: sklearn's imputer conventions and the holes it fills."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.impute import SimpleImputer
from skorch.callbacks import Callback

from skae import DAEImputer

FAST = dict(hidden_sizes=(16,), max_epochs=2, batch_size=32, random_state=0)


def holes(shape, rate=0.2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random(shape)
    return X, rng.random(shape) < rate


def test_fills_only_the_holes_and_keeps_observed_entries_bit_for_bit():
    X, mask = holes((300, 6))
    X_missing = np.where(mask, np.nan, X)
    filled = DAEImputer(**FAST).fit(X_missing).transform(X_missing)
    assert not np.isnan(filled).any()
    assert np.array_equal(filled[~mask], X[~mask])
    assert filled.dtype == np.float64


def test_float32_and_a_number_as_the_marker():
    X, mask = holes((200, 4))
    X_missing = np.where(mask, -1.0, X).astype(np.float32)
    filled = DAEImputer(missing_values=-1.0, **FAST).fit_transform(X_missing)
    assert filled.dtype == np.float32
    assert not (filled == -1).any()
    assert np.array_equal(filled[~mask], X_missing[~mask])


def test_learns_a_column_from_the_others():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2000, 1))
    X = np.hstack([z, 2 * z, -z, z + 0.01 * rng.normal(size=(2000, 1))]) * 100 + 50
    mask = rng.random(X.shape) < 0.2
    X_missing = np.where(mask, np.nan, X)
    imputer = DAEImputer(hidden_sizes=(64,), max_epochs=200, random_state=0)
    dae = np.sqrt(np.mean((imputer.fit_transform(X_missing)[mask] - X[mask]) ** 2))
    mean = np.sqrt(np.mean((SimpleImputer().fit_transform(X_missing)[mask] - X[mask]) ** 2))
    assert dae < 0.3 * mean


@pytest.mark.parametrize("keep", [False, True])
def test_a_column_empty_in_fit_as_simple_imputer(keep):
    X, mask = holes((100, 4))
    X_missing = np.where(mask, np.nan, X)
    X_missing[:, 1] = np.nan
    ours = DAEImputer(keep_empty_features=keep, **FAST).fit(X_missing)
    theirs = SimpleImputer(keep_empty_features=keep).fit(X_missing)
    out = ours.transform(X_missing)
    assert out.shape == theirs.transform(X_missing).shape
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    if keep:
        assert (out[:, 1] == 0).all()


def test_add_indicator_as_simple_imputer():
    X, mask = holes((100, 4))
    X_missing = np.where(mask, np.nan, X)
    X_missing[:, 2] = X[:, 2]  # a column without holes: no indicator column
    ours = DAEImputer(add_indicator=True, **FAST).fit(X_missing)
    theirs = SimpleImputer(add_indicator=True).fit(X_missing)
    out = ours.transform(X_missing)
    np.testing.assert_array_equal(out[:, 4:], theirs.transform(X_missing)[:, 4:])
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())


def test_sample_posterior_draws_differ_by_random_state_and_repeat_by_it():
    X, mask = holes((200, 5))
    X_missing = np.where(mask, np.nan, X)
    imputer = DAEImputer(sample_posterior=True, **FAST).fit(X_missing)
    a, b = imputer.transform(X_missing), imputer.transform(X_missing)
    c = imputer.set_params(random_state=1).transform(X_missing)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[mask], c[mask])
    np.testing.assert_array_equal(a[~mask], X[~mask])
    assert (imputer.residual_std_ > 0).all()


def test_pickle_round_trip_gives_the_same_imputation():
    X, mask = holes((150, 4))
    X_missing = np.where(mask, np.nan, X)
    imputer = DAEImputer(add_indicator=True, **FAST).fit(X_missing)
    again = pickle.loads(pickle.dumps(imputer))
    np.testing.assert_array_equal(again.transform(X_missing), imputer.transform(X_missing))


def test_text_and_infinity_are_refused():
    imputer = DAEImputer(**FAST).fit(np.random.default_rng(0).random((50, 3)))
    with pytest.raises(ValueError, match="text"):
        imputer.transform(np.array([["a", 1, 2]], dtype=object))
    with pytest.raises(ValueError, match="infinity"):
        imputer.transform(np.array([[np.inf, 1, 2]]))


def test_first_in_a_pipeline_and_on_the_numeric_columns_of_a_column_transformer():
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, mask = holes((120, 4))
    frame = pd.DataFrame(np.where(mask, np.nan, X), columns=["a", "b", "c", "d"])
    frame["colour"] = np.array(["red", "blue", "green"])[np.arange(120) % 3]
    y = (X[:, 0] > 0.5).astype(int)
    columns = ColumnTransformer(
        [("numbers", DAEImputer(add_indicator=True, **FAST), ["a", "b", "c", "d"]),
         ("words", OneHotEncoder(sparse_output=False), ["colour"])]  # fmt: skip
    ).set_output(transform="pandas")
    out = columns.fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and not out.isna().any().any()
    assert list(out.columns[:8]) == [
        "numbers__a", "numbers__b", "numbers__c", "numbers__d", "numbers__missingindicator_a",
        "numbers__missingindicator_b", "numbers__missingindicator_c",
        "numbers__missingindicator_d"]  # fmt: skip
    observed = ~mask
    np.testing.assert_array_equal(out.iloc[:, :4].to_numpy()[observed], X[observed])
    pipe = make_pipeline(DAEImputer(**FAST), LogisticRegression()).fit(frame.iloc[:, :4], y)
    assert pipe.score(frame.iloc[:, :4], y) > 0.5
    assert list(pipe[0].get_feature_names_out()) == ["a", "b", "c", "d"]


def test_a_skops_file_holds_no_pickle_and_imputes_the_same():
    import zipfile

    sio = pytest.importorskip("skops.io")
    X, mask = holes((150, 5))
    X_missing = np.where(mask, np.nan, X)
    X_missing[:, 2] = np.nan  # an empty column
    imputer = DAEImputer(add_indicator=True, sample_posterior=True, **FAST).fit(X_missing)
    data = sio.dumps(imputer)
    untrusted = sio.get_untrusted_types(data=data)
    assert set(untrusted) <= {"skae.impute.DAEImputer", "skae.impute.ImputationNet"}, untrusted
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert all(n.endswith((".json", ".npy")) for n in z.namelist())
    loaded = sio.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(loaded.transform(X_missing), imputer.transform(X_missing))


class RecordLR(Callback):
    """The learning rate each epoch trains at (nets get copies of their callbacks: the
    record is kept on the class)."""

    seen = []

    def on_epoch_begin(self, net, **kwargs):
        RecordLR.seen.append(net.optimizer_.param_groups[0]["lr"])


@pytest.mark.parametrize("schedule", ["cosine", "constant"])
def test_the_learning_rate_decays_along_a_cosine_or_stays(schedule):
    X, mask = holes((100, 4))
    RecordLR.seen.clear()
    DAEImputer(**FAST | dict(max_epochs=4, lr=0.01), lr_schedule=schedule, early_stopping=False,
               net_params={"callbacks": [("record", RecordLR())]}).fit(np.where(mask, np.nan, X))
    expected = [0.01 * (1 + np.cos(np.pi * e / 4)) / 2 for e in range(4)]
    assert RecordLR.seen == pytest.approx(expected if schedule == "cosine" else [0.01] * 4)


def test_early_stopping_cools_down_along_a_cosine_before_it_stops():
    X, mask = holes((100, 4))
    X_missing = np.where(mask, np.nan, X)
    record = {"net_params": {"callbacks": [("record", RecordLR())]}}
    # still improving: the cooldown (a quarter of the epochs so far) starts so as to end by
    # max_epochs, at epoch 7 of 8 (7 * 1.25 >= 8), over 2 epochs
    RecordLR.seen.clear()
    imputer = DAEImputer(**FAST | dict(max_epochs=8, lr=0.01), n_iter_no_change=1000,
                         **record).fit(X_missing)  # fmt: skip
    assert RecordLR.seen == pytest.approx([0.01] * 7 + [0.005])
    assert imputer.n_iter_ == 8
    # no improvement after the first epoch (tol too large to count one): after 2 epochs of
    # patience, from epoch 3, a cosine over ceil(3 / 4) = 1 epoch, then the fit stops
    RecordLR.seen.clear()
    imputer = DAEImputer(**FAST | dict(max_epochs=50, lr=0.01), n_iter_no_change=2, tol=10.0,
                         **record).fit(X_missing)  # fmt: skip
    assert RecordLR.seen == pytest.approx([0.01] * 3 + [0.0])
    assert imputer.n_iter_ == 4
    # 'constant': it stops after the patience, the rate unchanged
    RecordLR.seen.clear()
    imputer = DAEImputer(**FAST | dict(max_epochs=50, lr=0.01), n_iter_no_change=2, tol=10.0,
                         lr_schedule="constant", **record).fit(X_missing)  # fmt: skip
    assert RecordLR.seen == pytest.approx([0.01] * 3) and imputer.n_iter_ == 3


@pytest.mark.parametrize("n_samples, patience", [(100, 1000), (256 * 50, 23), (10**6, 10)])
def test_auto_patience_is_a_thousand_steps_of_the_rows_trained_on(n_samples, patience):
    imputer = DAEImputer()  # 90% of the rows trained on, 256 a batch
    assert imputer._stopping(n_samples)["patience"] == patience


def test_held_out_rows_are_scored_on_a_fixed_draw_of_hidden_entries():
    from skae.impute import ImputationNet

    x = torch.as_tensor(np.where(holes((50, 6))[1], np.nan, 1.0), dtype=torch.float32)
    net = ImputationNet(6, (8,), "relu", 0.3).eval()
    first, second = net.terms(x), net.terms(x)
    assert torch.equal(first["weight"], second["weight"])  # the same entries every epoch
    observed, scored = ~torch.isnan(x), first["weight"] > 0
    assert not (scored & ~observed).any()  # only observed entries are scored
    assert 0.15 < scored[observed].float().mean() < 0.45  # about noise_level of them
    assert "weight" not in net.train().terms(x)  # training scores every observed entry


@pytest.mark.parametrize("n_samples, epochs", [(100, 1000), (256 * 100, 200), (10**6, 100)])
def test_auto_epochs_make_the_steps_within_the_bounds(n_samples, epochs):
    from skae.impute import AUTO_STEPS, auto_epochs

    assert auto_epochs(n_samples, 256, steps=20_000) == epochs
    without = DAEImputer(early_stopping=False)
    assert without._epochs(n_samples) == auto_epochs(n_samples, 256, AUTO_STEPS)
    assert DAEImputer()._epochs(n_samples) == 1000  # early stopping: a bound, not a plan
    assert DAEImputer(max_epochs=7)._epochs(n_samples) == 7


def test_defaults_are_the_committed_tuning_choice():
    # benchmarks/run.py tune-mixed-imputer chose them on validation halves of mixed tables
    import json
    from pathlib import Path

    configs = Path(__file__).resolve().parents[1] / "benchmarks" / "configs"
    chosen = json.loads((configs / "tune-mixed-imputer.json").read_text())["defaults"]
    params = DAEImputer().get_params()
    assert {k: params[k] for k in chosen["settings"]} == {
        k: tuple(v) if isinstance(v, list) else v for k, v in chosen["settings"].items()}


def test_n_draws_averages_fills_over_fixed_column_hides_row_by_row():
    frame = mixed_table(200)
    missing, holes = with_holes(frame)
    imputer = DAEImputer(**FAST, n_draws=8).fit(missing)
    whole = imputer.transform(missing)
    alone = imputer.transform(missing.iloc[:7])  # a row's fill does not depend on the others
    np.testing.assert_array_equal(alone, whole[:7])
    assert set(whole[holes[:, 1], 1]) <= {"high", "low", "mid"}
    one = imputer.set_params(n_draws=0).transform(missing)  # read at transform: no refit
    assert (one[holes[:, 0], 0] != whole[holes[:, 0], 0]).any()


# --- tables with categorical columns -------------------------------------------------------------


def mixed_table(n=600, seed=0):
    """A number ``x``, a category decided by it, a number that follows it, a flag."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    kind = np.where(x > 0.5, "high", np.where(x < -0.5, "low", "mid"))
    return pd.DataFrame({"x": x, "kind": pd.Categorical(kind), "y": 2 * x + 0.1 * rng.normal(
        size=n), "flag": rng.random(n) < 0.3})  # fmt: skip


def with_holes(frame, rate=0.2, seed=1):
    holes = np.random.default_rng(seed).random(frame.shape) < rate
    return frame.mask(holes), holes


def test_a_dataframe_with_categories_has_every_hole_filled_with_a_category_seen_in_fit():
    frame = mixed_table()
    missing, holes = with_holes(frame)
    imputer = DAEImputer(hidden_sizes=(32,), max_epochs=40, random_state=0).fit(missing)
    assert imputer.categorical_.tolist() == [False, True, False, True]
    assert [c.tolist() for c in imputer.categories_] == [["high", "low", "mid"], [False, True]]
    out = imputer.transform(missing)
    assert out.dtype == object and out.shape == frame.shape
    truth = frame.to_numpy(dtype=object)
    assert all(a == b for a, b in zip(out[~holes], truth[~holes]))  # observed: unchanged
    assert set(out[:, 1]) == {"high", "low", "mid"} and set(out[:, 3]) == {False, True}
    numbers = out[:, [0, 2]].astype(float)
    assert np.isfinite(numbers).all()
    # the category follows the numbers it is read from: better than the most frequent one
    h = holes[:, 1]
    wrong = np.mean(out[h, 1] != truth[h, 1])
    mode = frame["kind"][~holes[:, 1]].mode()[0]
    assert wrong < 0.6 * np.mean(truth[h, 1] != mode)


def test_categorical_features_as_a_list_on_a_numpy_object_array_and_bad_lists():
    frame = mixed_table(200)
    missing, _ = with_holes(frame)
    X = missing.to_numpy(dtype=object)
    imputer = DAEImputer(categorical_features=[1, 3], **FAST).fit(X)
    assert imputer.categorical_.tolist() == [False, True, False, True]
    assert imputer.transform(X).shape == X.shape
    with pytest.raises(ValueError, match="X contains text \\('(high|low|mid)'\\) in column 1, "
                                         "which is not categorical"):  # fmt: skip
        DAEImputer(categorical_features=[3], **FAST).fit(X)
    with pytest.raises(ValueError, match="the column 'kind2', which X does not have"):
        DAEImputer(categorical_features=["kind2"], **FAST).fit(missing)


def test_a_category_fit_never_saw_comes_back_as_it_was():
    frame = mixed_table(200)
    missing, _ = with_holes(frame)
    imputer = DAEImputer(**FAST).fit(missing)
    new = missing.copy()
    new["kind"] = new["kind"].cat.add_categories(["unseen"])
    new.loc[0, "kind"] = "unseen"
    new.loc[0, "x"] = np.nan
    out = imputer.transform(new)
    assert out[0, 1] == "unseen" and np.isfinite(float(out[0, 0]))


def test_sample_posterior_draws_categories_seen_in_fit_and_random_state_decides_the_draw():
    frame = mixed_table(300)
    missing, holes = with_holes(frame)
    fitted = {s: DAEImputer(**FAST, sample_posterior=True).set_params(random_state=s).fit(
        missing) for s in (0, 1)}  # fmt: skip
    a, b = (fitted[s].transform(missing) for s in (0, 1))
    assert set(a[holes[:, 1], 1]) <= {"high", "low", "mid"}
    assert (a[holes] != b[holes]).any()
    np.testing.assert_array_equal(fitted[0].transform(missing), a)


def test_add_indicator_and_an_empty_categorical_column_as_simpleimputer_treats_them():
    frame = mixed_table(200).assign(empty=pd.Series([None] * 200, dtype=object))
    missing, holes = with_holes(frame)
    missing["empty"] = None
    dropped = DAEImputer(**FAST, add_indicator=True).fit(missing)
    out = dropped.transform(missing)
    assert out.shape == (200, 4 + dropped.indicator_.features_.size)
    assert list(dropped.get_feature_names_out())[:4] == ["x", "kind", "y", "flag"]
    kept = DAEImputer(**FAST, keep_empty_features=True).fit(missing).transform(missing)
    assert kept.shape == (200, 5) and (kept[:, 4] == 0).all()


def test_a_mixed_model_pickles_and_saves_to_skops_trusting_only_skae_s_and_sklearn_s_types():
    sio = pytest.importorskip("skops.io")
    frame = mixed_table(200)
    missing, _ = with_holes(frame)
    imputer = DAEImputer(**FAST).fit(missing)
    expected = imputer.transform(missing)
    again = pickle.loads(pickle.dumps(imputer))
    assert all(a == b for a, b in zip(again.transform(missing).ravel(), expected.ravel()))
    data = sio.dumps(imputer)
    untrusted = sio.get_untrusted_types(data=data)
    assert all(t.startswith(("skae.", "sklearn.", "numpy.", "builtins.")) for t in untrusted)
    loaded = sio.loads(data, trusted=untrusted)
    assert all(a == b for a, b in zip(loaded.transform(missing).ravel(), expected.ravel()))


@pytest.mark.parametrize("flavor", ["pandas", "polars"])
def test_set_output_gives_a_frame_in_the_input_dtypes(flavor):
    frame = mixed_table(200).assign(count=np.arange(200), text=["a", "b"] * 100)
    missing, holes = with_holes(frame)
    missing["count"] = frame["count"]  # an integer column without holes stays integer
    if flavor == "polars":
        pl = pytest.importorskip("polars")
        missing = pl.from_pandas(missing)
    imputer = DAEImputer(**FAST, add_indicator=True).set_output(transform=flavor)
    out = imputer.fit(missing).transform(missing)
    names = list(imputer.get_feature_names_out())
    assert list(out.columns) == names and names[-1] == "missingindicator_text"
    if flavor == "pandas":
        kinds = out.dtypes.astype(str).tolist()
        # (the flag column with holes is object in the input: it stays object)
        assert kinds[:6] == ["float64", "category", "float64", "object", "int64", "str"]
        assert kinds[6:] == ["bool"] * (len(names) - 6)
        assert out.index.equals(missing.index)
        assert set(out["kind"].cat.categories) == {"high", "low", "mid"}
    else:
        kinds = [str(t) for t in out.schema.values()]
        assert kinds[:6] == ["Float64", "Categorical", "Float64", "Boolean", "Int64", "String"]
    filled = out.to_pandas() if flavor == "polars" else out
    assert not filled.isna().any().any()


def test_swap_noise_trains_on_values_of_the_same_column_and_fills_every_hole():
    frame = mixed_table(300)
    missing, holes = with_holes(frame)
    imputer = DAEImputer(**FAST, noise="swap").fit(missing)
    out = imputer.transform(missing)
    assert set(out[holes[:, 1], 1]) <= {"high", "low", "mid"}
    assert np.isfinite(out[:, [0, 2]].astype(float)).all()
    # the same seed, the other noise: another network
    other = DAEImputer(**FAST).fit(missing).transform(missing)
    assert (out[holes[:, 0], 0] != other[holes[:, 0], 0]).any()


def test_emphasis_weighs_the_hidden_entries_in_training_only():
    from skae.impute import ImputationNet

    x = torch.as_tensor(np.where(holes((40, 5))[1], np.nan, 1.0), dtype=torch.float32)
    net = ImputationNet(5, (8,), "relu", 0.3, emphasis=3.0).train()
    weight = net.terms(x)["weight"]
    assert set(weight.unique().tolist()) == {1.0, 3.0}
    assert "weight" not in ImputationNet(5, (8,), "relu", 0.3).train().terms(x)
    frame = mixed_table(200)
    missing, _ = with_holes(frame)
    plain = DAEImputer(**FAST).fit(missing).transform(missing)
    stressed = DAEImputer(**FAST, emphasis=4.0).fit(missing).transform(missing)
    assert (plain != stressed).any()


def test_set_output_keeps_each_row_in_place_whatever_the_index():
    frame = mixed_table(120)
    missing, holes = with_holes(frame)
    missing.index = np.arange(1000, 1120)[::-1]  # not 0..n-1, and descending
    imputer = DAEImputer(**FAST).fit(missing)
    plain = imputer.transform(missing)
    out = imputer.set_output(transform="pandas").transform(missing)
    assert out.index.equals(missing.index)
    assert not out.isna().any().any()
    np.testing.assert_array_equal(out["x"].to_numpy(), plain[:, 0].astype(float))
    assert (out["kind"].astype(object).to_numpy() == plain[:, 1]).all()
