"""Model files: skops without pickle inside, pickle and joblib as before, hostile files refused."""

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import QUICK
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import skae
from skae import (
    AETransformer,
    ConvAETransformer,
    DAEImputer,
    DAETransformer,
    ReconstructionOutlierDetector,
    SAEClassifier,
    SAETransformer,
    VAETransformer,
)

sio = pytest.importorskip("skops.io")

X = np.random.RandomState(0).rand(48, 64).astype(np.float32)
Y = np.arange(48) % 3
MODELS = {
    "AE": lambda: AETransformer((16,), 4, **QUICK),
    "DAE salt and pepper": lambda: DAETransformer((16,), 4, noise="salt_pepper", **QUICK),
    "DAEImputer": lambda: DAEImputer(hidden_sizes=(16,), **QUICK),
    "conv": lambda: ConvAETransformer(image_shape=(1, 8, 8), channels=(4, 8), n_components=4,
                                      **QUICK),  # fmt: skip
    "VAE": lambda: VAETransformer((16,), 4, **QUICK),
    "SAE fine-tuned": lambda: SAETransformer((16,), 4, pretrain_epochs=1, **QUICK),
    "SAE not fine-tuned": lambda: SAETransformer((16,), 4, pretrain_epochs=1, max_epochs=0),
    "SAEClassifier": lambda: SAEClassifier((16,), 4, pretrain_epochs=1, dropout=0.1,
                                           early_stopping=True, **QUICK),  # fmt: skip
    "SAEClassifier without pretraining": lambda: SAEClassifier((16,), 4, pretrain=False, **QUICK),
    "detector": lambda: ReconstructionOutlierDetector(AETransformer((16,), 4, **QUICK)),
    "Pipeline": lambda: make_pipeline(MinMaxScaler(), DAETransformer((16,), 4, **QUICK),
                                      LogisticRegression(max_iter=50)),  # fmt: skip
    "GridSearchCV": lambda: GridSearchCV(
        make_pipeline(AETransformer((16,), 4, **QUICK), LogisticRegression(max_iter=50)),
        {"aetransformer__n_components": [2, 4]}, cv=2,
    ),
}
SKAE_CLASSES = {f"{cls.__module__}.{cls.__name__}" for cls in map(
    lambda n: getattr(skae, n), skae.__all__) if isinstance(cls, type)}  # fmt: skip


def fitted(name, frame=False):
    model = MODELS[name]()
    data = pd.DataFrame(X, columns=[f"pixel_{i}" for i in range(64)]) if frame else X
    needs_y = name.startswith(("SAEClassifier", "Pipeline", "GridSearch"))
    return model.fit(data, Y) if needs_y else model.fit(data)


def outputs(model):
    out = {}
    for method in ("transform", "predict", "predict_proba", "score_samples", "decision_function"):
        if hasattr(model, method):
            out[method] = np.asarray(getattr(model, method)(X))
    if hasattr(model, "inverse_transform") and hasattr(model, "n_components"):
        out["inverse_transform"] = model.inverse_transform(out["transform"])
    return out


@pytest.fixture(scope="module", params=list(MODELS))
def saved(request, tmp_path_factory):
    model = fitted(request.param)
    path = tmp_path_factory.mktemp("skops") / f"{request.param}.skops"
    sio.dump(model, path)
    return model, path


def sklearns_own_untrusted(model):
    """The types skops does not trust in the same model without skae (for GridSearchCV: its
    splitter and scorer, which skops reports for any GridSearchCV)."""
    if not isinstance(model, GridSearchCV):
        return set()
    plain = GridSearchCV(LogisticRegression(max_iter=50), {"C": [1.0, 2.0]}, cv=2).fit(X, Y)
    return set(sio.get_untrusted_types(data=sio.dumps(plain)))


def test_a_skops_file_names_only_skaes_classes_and_holds_no_pickle(saved):
    model, path = saved
    untrusted = set(sio.get_untrusted_types(file=path)) - sklearns_own_untrusted(model)
    assert untrusted and untrusted <= SKAE_CLASSES, untrusted
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert all(n.endswith((".json", ".npy")) for n in names)
        for n in names:
            if n.endswith(".npy"):
                with z.open(n) as f:
                    np.lib.format.read_array(f, allow_pickle=False)  # raises on pickled objects


def test_a_skops_file_loads_with_the_same_outputs_bit_for_bit(saved):
    model, path = saved
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    before, after = outputs(model), outputs(loaded)
    assert before.keys() == after.keys() and before
    for method in before:
        np.testing.assert_array_equal(after[method], before[method], err_msg=method)


def test_pickle_round_trip_keeps_outputs_and_holds_no_network(saved):
    model = saved[0]
    blob = pickle.dumps(model)
    assert b"torch.nn" not in blob and b"skorch" not in blob
    loaded = pickle.loads(blob)
    for method, value in outputs(model).items():
        np.testing.assert_array_equal(outputs(loaded)[method], value, err_msg=method)


def test_feature_names_survive_a_skops_file(tmp_path):
    model = fitted("AE", frame=True)
    sio.dump(model, tmp_path / "m.skops")
    path = tmp_path / "m.skops"
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)


def test_a_partial_fit_stream_continues_exactly_after_a_skops_file(tmp_path):
    ae = AETransformer((16,), 4, random_state=0).partial_fit(X)
    sio.dump(ae, tmp_path / "s.skops")
    path = tmp_path / "s.skops"
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(ae.partial_fit(X).transform(X),
                                  loaded.partial_fit(X).transform(X))  # fmt: skip
    assert loaded.n_iter_ == ae.n_iter_ == 2


def test_an_untrusted_file_is_refused_before_anything_is_built(saved):
    from skops.io.exceptions import UntrustedTypesFoundException

    with pytest.raises(UntrustedTypesFoundException):
        sio.load(saved[1])


def rewrite(path, key, array):
    """A copy of the skops file at ``path`` with the weight ``key`` of ``module_`` replaced
    (``array``) or removed (None)."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    schema = json.loads(members["schema.json"])
    weights = schema["content"]["content"]["module_"]["content"]
    if array is None:
        del weights[key]
    else:
        import io

        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        members[weights[key]["file"]] = buffer.getvalue()
    members["schema.json"] = json.dumps(schema).encode()
    out = path.with_name("tampered.skops")
    with zipfile.ZipFile(out, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    return out


@pytest.mark.parametrize(
    "change, error, match",
    [
        (lambda w: w[:-1], ValueError, r"'encoder.0.0.weight' of AETransformer has shape"),
        (lambda w: w.astype(np.float64), TypeError, r"'encoder.0.0.weight' .* dtype float64"),
        (lambda w: None, ValueError, r"missing \['encoder.0.0.weight'\]"),
    ],
    ids=["wrong shape", "wrong dtype", "missing"],
)
def test_a_tampered_file_is_refused_naming_the_weight(tmp_path, change, error, match):
    model = fitted("AE")
    sio.dump(model, tmp_path / "m.skops")
    weight = model.module_.state_dict()["encoder.0.0.weight"].numpy()
    path = rewrite(tmp_path / "m.skops", "encoder.0.0.weight", change(weight))
    with pytest.raises(error, match=match):
        sio.load(path, trusted=sio.get_untrusted_types(file=path))


def test_a_file_of_a_newer_skae_says_so():
    model = fitted("AE")
    state = model.__getstate__()
    state["_skae_state"] = {"format": 1, "version": "9.0.0"}
    with pytest.raises(ValueError, match="saved by skae 9.0.0, newer than this skae"):
        AETransformer.__new__(AETransformer).__setstate__(state)
    state["_skae_state"] = {"format": 2, "version": "9.0.0"}
    with pytest.raises(ValueError, match="newer layout"):
        AETransformer.__new__(AETransformer).__setstate__(state)
    state["_skae_state"] = "9.0.0"
    with pytest.raises(ValueError, match="damaged _skae_state"):
        AETransformer.__new__(AETransformer).__setstate__(state)


def test_a_pickle_of_skae_0_3_still_loads():
    """Until this version the state held the network itself (and no _skae_state)."""
    model = fitted("DAE salt and pepper")
    state = model.__getstate__()
    del state["_skae_state"]
    state["module_"] = model.module_
    old = DAETransformer.__new__(DAETransformer)
    old.__setstate__(state)
    np.testing.assert_array_equal(old.transform(X), model.transform(X))


def test_an_incomplete_state_is_refused():
    state = fitted("AE").__getstate__()
    del state["n_features_in_"]
    with pytest.raises(ValueError, match="weights but no n_features_in_"):
        AETransformer.__new__(AETransformer).__setstate__(state)


# --- files written by skae 0.3.0 -------------------------------------------------------------

OLD = Path(__file__).resolve().parent / "data" / "skae-0.3.0"
OLD_OUTPUTS = json.loads((OLD / "expected.json").read_text())


@pytest.mark.parametrize("name", [n for n in OLD_OUTPUTS if n != "version"])
@pytest.mark.parametrize("kind", ["pkl", "skops"])
def test_files_of_skae_0_3_0_load_with_their_outputs(name, kind):
    # written by tests/data/skae-0.3.0/make.py at 0c3fe37: the same outputs, bit for bit
    path = OLD / f"{name}.{kind}"
    if kind == "pkl":
        with open(path, "rb") as f:
            model = pickle.load(f)
    else:
        untrusted = sio.get_untrusted_types(file=path)
        assert all(t.startswith(("skae.", "numpy.", "sklearn.", "builtins.")) for t in untrusted)
        model = sio.load(path, trusted=untrusted)
    X = load_digits().data[:5] / 16
    if name == "DAEImputer":
        X[0, 3] = np.nan  # its training rows 0, 7, 14, ... had column 3 missing
    method = "score_samples" if name == "ReconstructionOutlierDetector" else "transform"
    np.testing.assert_array_equal(getattr(model, method)(X), np.array(OLD_OUTPUTS[name]))
    if name in ("AETransformer", "VAETransformer"):  # saved mid-stream: the stream continues
        assert model.partial_fit(X).n_iter_ == 4
