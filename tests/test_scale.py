"""Scale: streaming fits, partial_fit and warm_start, fits in threads, dask."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from skae import AETransformer, ConvAETransformer, DAETransformer, SAEClassifier, SAETransformer

SMALL = dict(hidden_sizes=(32,), n_components=8)
INCREMENTAL = [
    AETransformer(**SMALL, random_state=0),
    DAETransformer(**SMALL, noise="gaussian", noise_level=0.1, random_state=0),
    ConvAETransformer((8, 8), (8,), 8, noise="masking", random_state=0),
]


# --- streaming fit -----------------------------------------------------------------------------


def test_fit_reads_a_memmap_and_float64_as_it_reads_float32(digits, tmp_path):
    # batches are gathered from the caller's array and cast one by one: the
    # features are bit for bit those of a fit on the float32 array in memory
    Xtr, Xte, _, _ = digits
    X32 = Xtr.astype(np.float32)
    path = tmp_path / "X.dat"
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=X32.shape)
    mm[:] = X32
    mm.flush()
    mm = np.memmap(path, dtype=np.float32, mode="r", shape=X32.shape)
    params = dict(**SMALL, max_epochs=2, early_stopping=True, random_state=0)
    ref = AETransformer(**params).fit(X32).transform(Xte)
    np.testing.assert_array_equal(AETransformer(**params).fit(mm).transform(Xte), ref)
    X64 = X32.astype(np.float64)
    np.testing.assert_array_equal(AETransformer(**params).fit(X64).transform(Xte), ref)
    assert not mm.flags.writeable  # a read-only memmap is read, never written


# --- partial_fit and warm_start -------------------------------------------------------------------


@pytest.mark.parametrize("est", INCREMENTAL, ids=lambda e: type(e).__name__)
def test_partial_fit_passes_equal_fit_epochs(est, digits):
    # one partial_fit = one epoch of fit; a second continues the same optimizer
    # and the same shuffling, exactly as fit's second epoch does
    Xtr, Xte, _, _ = digits
    inc = type(est)(**est.get_params()).partial_fit(Xtr)
    one = type(est)(**est.get_params()).set_params(max_epochs=1).fit(Xtr)
    np.testing.assert_array_equal(inc.transform(Xte), one.transform(Xte))
    inc.partial_fit(Xtr)
    two = type(est)(**est.get_params()).set_params(max_epochs=2).fit(Xtr)
    np.testing.assert_array_equal(inc.transform(Xte), two.transform(Xte))
    assert inc.n_iter_ == 2 and len(inc.loss_curve_) == 2


def test_partial_fit_on_blocks_learns_and_checks_the_width(digits):
    Xtr, Xte, _, _ = digits
    ae = AETransformer(**SMALL, random_state=0)
    for epoch in range(5):
        for block in np.array_split(Xtr, 4):
            ae.partial_fit(block)
    assert ae.n_iter_ == 20
    assert ae.loss_curve_[-1] < 0.5 * ae.loss_curve_[0]
    before = ae.transform(Xte)
    with pytest.raises(ValueError, match="X has 10 features, but AETransformer is expecting 64"):
        ae.partial_fit(Xtr[:, :10])
    np.testing.assert_array_equal(ae.transform(Xte), before)
    assert ae.n_iter_ == 20


def test_a_stream_of_blocks_continues_exactly_through_pickle(digits):
    # as when dask-ml's Incremental moves the model between workers
    Xtr, Xte, _, _ = digits
    blocks = np.array_split(Xtr, 3)
    straight = AETransformer(**SMALL, random_state=0)
    moved = AETransformer(**SMALL, random_state=0)
    for block in blocks:
        straight.partial_fit(block)
        moved = pickle.loads(pickle.dumps(moved.partial_fit(block)))
    np.testing.assert_array_equal(moved.transform(Xte), straight.transform(Xte))
    assert moved.loss_curve_ == straight.loss_curve_


def test_partial_fit_after_unpickling_a_fitted_model_starts_a_fresh_optimizer(digits):
    Xtr, _, _, _ = digits
    ae = AETransformer(**SMALL, max_epochs=2, random_state=0).fit(Xtr)
    again = pickle.loads(pickle.dumps(ae))
    assert not hasattr(again, "_trainer") and not hasattr(again, "_resume")
    again.partial_fit(Xtr)
    assert again.n_iter_ == 3 and again.loss_curve_[2] < again.loss_curve_[0]


def test_stacked_estimators_have_no_partial_fit():
    assert not hasattr(SAETransformer(), "partial_fit")
    assert not hasattr(SAEClassifier(), "partial_fit")


def test_warm_start_continues_from_the_fitted_network(digits):
    Xtr, _, _, _ = digits
    ae = AETransformer(**SMALL, max_epochs=2, warm_start=True, random_state=0).fit(Xtr)
    first = list(ae.loss_curve_)
    ae.fit(Xtr)
    assert ae.n_iter_ == 4 and ae.loss_curve_[:2] == first
    assert ae.loss_curve_[2] < first[0]  # it went on from the trained weights
    with pytest.raises(ValueError, match="X has 10 features"):
        ae.fit(Xtr[:, :10])
    cold = ae.set_params(warm_start=False).fit(Xtr)
    assert cold.n_iter_ == 2 and cold.loss_curve_ == first


# --- threads ---------------------------------------------------------------------------------


def test_fits_in_threads_equal_sequential_fits(digits):
    # each fit draws its initialisation, shuffling, noise and dropout from its own
    # generators: concurrent fits neither disturb each other nor differ from a sequential one
    Xtr, Xte, ytr, _ = digits
    jobs = [
        (DAETransformer(**SMALL, noise="masking", max_epochs=3, random_state=0), False),
        (DAETransformer(**SMALL, noise="salt_pepper", max_epochs=3, random_state=1), False),
        (
            SAEClassifier(**SMALL, pretrain_epochs=2, max_epochs=3, dropout=0.3, random_state=0),
            True,
        ),
        (ConvAETransformer((8, 8), (8,), 8, noise="gaussian", max_epochs=2, random_state=0), False),
    ]

    def run(job):
        est, supervised = job
        est = type(est)(**est.get_params())
        est.fit(Xtr, ytr) if supervised else est.fit(Xtr)
        return est.transform(Xte)

    sequential = [run(job) for job in jobs]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(run, jobs + jobs))
    for i, Z in enumerate(threaded):
        np.testing.assert_array_equal(Z, sequential[i % len(jobs)])


# --- dask ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_grid_search_on_a_dask_cluster_gives_the_sequential_scores(dask_client, digits):
    import joblib
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    Xtr, _, ytr, _ = digits
    pipe = Pipeline(
        [
            ("ae", AETransformer((32,), max_epochs=2, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = {"ae__n_components": [4, 8], "ae__hidden_sizes": [(16,), (32,)]}
    sequential = GridSearchCV(pipe, grid, cv=2).fit(Xtr, ytr)
    with joblib.parallel_backend("dask"):
        on_dask = GridSearchCV(pipe, grid, cv=2, n_jobs=-1).fit(Xtr, ytr)
    np.testing.assert_array_equal(
        on_dask.cv_results_["mean_test_score"], sequential.cv_results_["mean_test_score"]
    )
    assert on_dask.best_params_ == sequential.best_params_


def test_dask_ml_incremental_fits_blocks_of_a_dask_array(dask_client, digits):
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    Xtr, Xte, _, _ = digits
    X = da.from_array(Xtr.astype(np.float32), chunks=(400, 64))
    inc = wrappers.Incremental(AETransformer(**SMALL, random_state=0), shuffle_blocks=False)
    inc.fit(X)
    assert inc.estimator_.n_iter_ == X.numblocks[0]
    # the same as partial_fit block by block in this process
    ref = AETransformer(**SMALL, random_state=0)
    for block in np.array_split(Xtr.astype(np.float32), np.cumsum(X.chunks[0])[:-1]):
        ref.partial_fit(block)
    np.testing.assert_array_equal(inc.estimator_.transform(Xte), ref.transform(Xte))
    # and ParallelPostFit transforms a dask array block by block
    Z = wrappers.ParallelPostFit(inc.estimator_).transform(X).compute()
    np.testing.assert_array_equal(Z, ref.transform(Xtr))
