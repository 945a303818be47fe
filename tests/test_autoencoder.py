"""AETransformer and DAETransformer: learning, sklearn integration, determinism, persistence."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline

from skae import AETransformer, DAETransformer, SAETransformer, VAETransformer

SMALL = dict(hidden_sizes=(64,), n_components=16)


@pytest.fixture(scope="module")
def fitted_ae(digits):
    Xtr, _, _, _ = digits
    return AETransformer(**SMALL, random_state=0).fit(Xtr)


def test_defaults_are_the_textbook_model():
    # 784-512-256-32, Adam lr 1e-3, batch 32, 10 epochs
    ae = AETransformer()
    assert (ae.hidden_sizes, ae.n_components) == ("auto", "auto")
    assert (ae.lr, ae.batch_size, ae.max_epochs) == (1e-3, 32, 10)
    ae.fit(np.random.RandomState(0).rand(40, 784))
    linears = [m for m in ae.module_.modules() if isinstance(m, torch.nn.Linear)]
    assert [lin.in_features for lin in linears] == [784, 512, 256, 32, 256, 512]
    assert ae.n_components_ == 32 and ae.n_components == "auto"
    assert type(ae._trainer.net.optimizer_).__name__ == "Adam"


@pytest.mark.parametrize("cls", [AETransformer, DAETransformer, VAETransformer, SAETransformer])
def test_auto_sizes_follow_the_table(cls):
    # 64 columns or more: today's 512-256-32 (digits, Fashion-MNIST); a 14-column table gets
    # a code of 7 under 128-64 layers, never an overcomplete code nor the image widths
    cases = [(64, [64, 512, 256, 32]), (14, [14, 128, 64, 7]), (26, [26, 208, 104, 13])]
    for width, widths in cases:
        X = np.random.RandomState(0).rand(40, width)
        more = {"pretrain_epochs": 1} if cls is SAETransformer else {}
        est = cls(max_epochs=1, random_state=0, **more)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X)
        assert est.n_components_ == widths[-1]
        assert est.transform(X).shape == (40, widths[-1])
        linears = [m for m in est.module_.encoder.modules() if isinstance(m, torch.nn.Linear)]
        assert [lin.in_features for lin in linears] == widths[:-1]


def test_overcomplete_defaults_are_one_sparse_relu_layer():
    X = np.random.RandomState(0).rand(60, 20).astype(np.float32)
    ae = AETransformer(n_components=30, max_epochs=1, random_state=0).fit(X)
    linears = [m for m in ae.module_.modules() if isinstance(m, torch.nn.Linear)]
    assert [(lin.in_features, lin.out_features) for lin in linears] == [(20, 30), (30, 20)]
    assert isinstance(ae.module_.encoder[-1][-1], torch.nn.ReLU)
    assert ae.hidden_sizes == "auto"  # resolved at fit, the parameter left as given
    # an explicit hidden_sizes wins over "auto"
    deep = AETransformer((8,), 30, max_epochs=1, random_state=0).fit(X)
    linears = [m for m in deep.module_.modules() if isinstance(m, torch.nn.Linear)]
    assert [lin.in_features for lin in linears] == [20, 8, 30, 8]


def test_loss_falls_while_training(fitted_ae):
    # the net learns: the last epoch's loss is well under the first's
    curve = fitted_ae.loss_curve_
    assert len(curve) == fitted_ae.n_iter_ == 10
    assert curve[-1] < 0.5 * curve[0]


def test_reconstructs_better_than_the_mean_and_close_to_pca(digits, fitted_ae):
    Xtr, Xte, _, _ = digits
    mean_mse = np.mean((Xte - Xtr.mean(axis=0)) ** 2)
    pca = PCA(16).fit(Xtr)
    pca_mse = np.mean((Xte - pca.inverse_transform(pca.transform(Xte))) ** 2)
    ae_mse = -fitted_ae.score(Xte)
    assert ae_mse < 0.3 * mean_mse
    assert ae_mse < 2 * pca_mse
    # score is the negative mean squared error, score_samples per sample
    recon = fitted_ae.inverse_transform(fitted_ae.transform(Xte))
    np.testing.assert_allclose(
        -fitted_ae.score_samples(Xte), ((Xte - recon) ** 2).mean(1), rtol=1e-5
    )


def test_pipeline_with_logistic_regression_is_accurate(digits):
    # AE features are about as good as PCA's at the same size on digits
    Xtr, Xte, ytr, yte = digits
    pipe = Pipeline(
        [("ae", AETransformer(**SMALL, random_state=0)), ("clf", LogisticRegression(max_iter=2000))]
    )
    acc = pipe.fit(Xtr, ytr).score(Xte, yte)
    pca_acc = (
        make_pipeline(PCA(16), LogisticRegression(max_iter=2000)).fit(Xtr, ytr).score(Xte, yte)
    )
    assert acc > 0.9
    assert acc > pca_acc - 0.03


def test_grid_search_over_hidden_sizes_in_a_pipeline(digits):
    Xtr, _, ytr, _ = digits
    pipe = Pipeline(
        [
            ("ae", AETransformer(max_epochs=3, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = {"ae__hidden_sizes": [(32,), (64, 32)], "ae__n_components": [4, 16]}
    search = GridSearchCV(pipe, grid, cv=2).fit(Xtr[:600], ytr[:600])
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["ae__n_components"] == 16  # 4 dimensions lose too much
    fitted = search.best_estimator_.named_steps["ae"]
    assert fitted.transform(Xtr[:5]).shape == (5, 16)


def test_unsupervised_grid_search_by_reconstruction_score(digits):
    # with no labels, GridSearchCV uses score = -MSE and prefers the larger code
    Xtr, _, _, _ = digits
    search = GridSearchCV(
        AETransformer(hidden_sizes=(64,), random_state=0), {"n_components": [2, 16]}, cv=2
    )
    search.fit(Xtr)
    assert search.best_params_ == {"n_components": 16}
    assert np.all(search.cv_results_["mean_test_score"] < 0)


def test_transform_shapes_dtype_and_feature_names(digits, fitted_ae):
    Xtr, Xte, _, _ = digits
    Z = fitted_ae.transform(Xte.astype(np.float64))
    assert Z.shape == (len(Xte), 16) and Z.dtype == np.float32
    assert fitted_ae.inverse_transform(Z).shape == Xte.shape
    assert list(fitted_ae.get_feature_names_out()) == [f"aetransformer{i}" for i in range(16)]
    assert all(p.dtype == torch.float32 for p in fitted_ae.module_.parameters())


def test_dataframe_in_pandas_out(digits):
    Xtr, Xte, _, _ = digits
    columns = [f"px{i}" for i in range(Xtr.shape[1])]
    ae = AETransformer(**SMALL, max_epochs=2, random_state=0).set_output(transform="pandas")
    out = ae.fit_transform(pd.DataFrame(Xtr, columns=columns))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(ae.get_feature_names_out())
    assert list(ae.feature_names_in_) == columns
    assert ae.n_features_in_ == 64
    # the same features whether the input is a DataFrame or an array (which warns)
    from_frame = ae.transform(pd.DataFrame(Xte, columns=columns)).to_numpy()
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = ae.set_output(transform="default").transform(Xte)
    np.testing.assert_array_equal(from_frame, from_array)


def test_features_do_not_depend_on_the_batch(fitted_ae, digits):
    # a sample's code is bit-for-bit the same alone, in a subset or in the whole set
    _, Xte, _, _ = digits
    full = fitted_ae.transform(Xte)
    np.testing.assert_array_equal(fitted_ae.transform(Xte[7:20]), full[7:20])
    np.testing.assert_array_equal(fitted_ae.transform(Xte[3:4]), full[3:4])


def test_same_random_state_same_features(digits):
    Xtr, Xte, _, _ = digits
    a = AETransformer(**SMALL, max_epochs=2, random_state=3).fit(Xtr).transform(Xte)
    b = AETransformer(**SMALL, max_epochs=2, random_state=3).fit(Xtr).transform(Xte)
    c = AETransformer(**SMALL, max_epochs=2, random_state=4).fit(Xtr).transform(Xte)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # a RandomState instance works like an int seed drawn from it
    d = AETransformer(**SMALL, max_epochs=2, random_state=np.random.RandomState(3))
    assert d.fit(Xtr).transform(Xte).shape == a.shape


@pytest.mark.parametrize("random_state", [None, 0])
def test_fit_leaves_the_global_random_state_alone(digits, random_state):
    Xtr, _, _, _ = digits
    np_state, torch_state = np.random.get_state(), torch.get_rng_state()
    DAETransformer(**SMALL, max_epochs=1, random_state=random_state).fit(Xtr)
    after = np.random.get_state()
    assert all(np.array_equal(x, y) for x, y in zip(np_state, after))
    assert torch.equal(torch_state, torch.get_rng_state())


def test_pickle_round_trip_gives_identical_output(fitted_ae, digits):
    _, Xte, _, _ = digits
    again = pickle.loads(pickle.dumps(fitted_ae))
    np.testing.assert_array_equal(again.transform(Xte), fitted_ae.transform(Xte))
    Z = fitted_ae.transform(Xte)
    np.testing.assert_array_equal(again.inverse_transform(Z), fitted_ae.inverse_transform(Z))
    assert again.score(Xte) == fitted_ae.score(Xte)


def test_clone_gives_an_unfitted_copy_with_the_same_params(fitted_ae):
    copy = clone(fitted_ae)
    assert copy.get_params() == fitted_ae.get_params()
    assert not hasattr(copy, "module_")
