"""The promises of the shared core: names, early stopping, settings per net, Ctrl-C, loss,
pickle size, row independence, dead codes, one fit template, progress."""

import inspect
import pickle
import warnings
from unittest import mock

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR

from skae import (
    AETransformer,
    ConvAETransformer,
    DAETransformer,
    SAEClassifier,
    SAETransformer,
)
from skae._reconstruction import _BaseAutoencoder
from skae._data import ArrayDataset, HoldOut
from skae.modules import AutoEncoder

ALL = [AETransformer, DAETransformer, ConvAETransformer, SAETransformer, SAEClassifier]
SMALL = dict(n_components=8, random_state=0)


def small(Estimator, **params):
    params = {**SMALL, **params}
    if Estimator is ConvAETransformer:
        return Estimator((8, 8), channels=(8,), **params)
    return Estimator(**{"hidden_sizes": (32,), **params})


def fit(est, X, y):
    return est.fit(X, y) if isinstance(est, SAEClassifier) else est.fit(X)


class Record(Callback):
    """Logs (tag, event, epoch, lr) into a list shared by all its copies."""

    def __init__(self, tag, log, interrupt_at=None):
        self.tag = tag
        self.log = log
        self.interrupt_at = interrupt_at

    def __deepcopy__(self, memo):  # copies share the log, as a file or a logger would
        return Record(self.tag, self.log, self.interrupt_at)

    def on_train_begin(self, net, **kwargs):
        self.log.append((self.tag, "begin", 0, None))

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        self.log.append((self.tag, "epoch", epoch, net.optimizer_.param_groups[0]["lr"]))
        if epoch == self.interrupt_at:
            raise KeyboardInterrupt


# --- 1. sklearn's name for the code size ---------------------------------------------------------


@pytest.mark.parametrize("Estimator", ALL, ids=lambda c: c.__name__)
def test_code_size_is_called_n_components_as_in_pca(Estimator):
    params = inspect.signature(Estimator).parameters
    assert "n_components" in params and "latent_dim" not in params
    assert Estimator(n_components=5).get_params()["n_components"] == 5


# --- 2. early stopping keeps the best epoch -------------------------------------------------------


class Snapshots(Callback):
    """The weights and validation loss after every epoch."""

    def __init__(self, log):
        self.log = log

    def __deepcopy__(self, memo):
        return Snapshots(self.log)

    def on_epoch_end(self, net, **kwargs):
        state = {k: v.clone() for k, v in net.module_.state_dict().items()}
        self.log.append((net.history[-1, "valid_loss"], state))


def test_early_stopping_restores_the_epoch_of_lowest_validation_loss(digits):
    # a wide net on 120 samples overfits: the validation loss turns up, and the
    # weights kept must be those of its lowest point, not the last epoch's
    Xtr = digits[0][:120]
    log = []
    ae = AETransformer(
        (256,),
        32,
        lr=3e-3,
        max_epochs=400,
        early_stopping=True,
        validation_fraction=0.3,
        n_iter_no_change=15,
        tol=0.0,
        net_params={"callbacks": [Snapshots(log)]},
        random_state=0,
    ).fit(Xtr)
    losses = [loss for loss, _ in log]
    best = int(np.argmin(losses))
    assert ae.n_iter_ == len(losses) < 400  # it stopped
    assert best < len(losses) - 1  # and the best epoch was not the last
    for name, value in ae.module_.state_dict().items():
        assert torch.equal(value, log[best][1][name]), name
    assert ae.validation_scores_ == [-v for v in losses]
    assert ae.best_validation_score_ == -losses[best]
    assert ae.best_loss_ is None


def test_early_stopping_stops_by_absolute_tol(digits):
    # with tol larger than any epoch's progress, it stops after n_iter_no_change epochs
    Xtr = digits[0]
    ae = AETransformer(
        (32,), 8, max_epochs=50, early_stopping=True, n_iter_no_change=3, tol=1.0, random_state=0
    ).fit(Xtr)
    assert ae.n_iter_ == 4  # the first epoch improves on nothing-so-far, then 3 misses
    no_es = AETransformer((32,), 8, max_epochs=3, random_state=0).fit(Xtr)
    assert no_es.validation_scores_ is None and no_es.best_loss_ == min(no_es.loss_curve_)


def test_classifier_holds_out_a_stratified_split():
    y = np.array([0] * 90 + [1] * 10)
    split = HoldOut(0.2, np.random.default_rng(0), stratify=True)
    train, valid = split(ArrayDataset(np.zeros((100, 2)), y))
    assert np.bincount(y[valid.index]).tolist() == [18, 2]
    assert sorted(np.r_[train.index, valid.index].tolist()) == list(range(100))


@pytest.mark.parametrize("Estimator", [SAETransformer, SAEClassifier])
def test_early_stopping_in_the_stacked_estimators(Estimator, digits):
    Xtr, _, ytr, _ = digits
    est = small(
        Estimator,
        pretrain_epochs=50,
        max_epochs=50,
        early_stopping=True,
        n_iter_no_change=2,
        tol=0.5,
    )
    fit(est, Xtr, ytr)
    assert est.n_iter_ == 3 and len(est.validation_scores_) == 3
    assert all(layer.n_iter_ == 3 for layer in est.layers_)


# --- 3. settings stay in their net ----------------------------------------------------------------


@pytest.mark.parametrize("Estimator", [SAETransformer, SAEClassifier])
def test_fine_tuning_callbacks_reach_fine_tuning_only(Estimator, digits):
    Xtr, _, ytr, _ = digits
    log = []
    schedule = LRScheduler(CosineAnnealingLR, T_max=3)
    est = small(
        Estimator,
        hidden_sizes=(32, 16),
        pretrain_epochs=2,
        max_epochs=3,
        lr=0.01,
        net_params={"callbacks": [schedule, Record("fine", log)]},
        pretrain_net_params={"callbacks": [Record("pre", log)]},
    )
    fit(est, Xtr, ytr)
    pre = [e for e in log if e[0] == "pre"]
    fine = [e for e in log if e[0] == "fine"]
    assert [e[1] for e in pre] == ["begin", "epoch", "epoch"] * 3  # each of 3 layers, 2 epochs
    assert all(lr == 0.01 for _, event, _, lr in pre if event == "epoch")  # no schedule there
    assert [e[1] for e in fine] == ["begin", "epoch", "epoch", "epoch"]
    assert fine[-1][3] < 0.01  # the schedule decays fine-tuning
    assert not hasattr(schedule, "lr_scheduler_")  # the user's instance was copied, never used
    # n_iter_ and loss_curve_ count the fine-tuning epochs in both estimators
    assert est.n_iter_ == len(est.loss_curve_) == 3
    assert all(layer.n_iter_ == 2 for layer in est.layers_)


def test_each_net_gets_its_own_callback_copies(digits):
    Xtr = digits[0]
    schedule = LRScheduler(CosineAnnealingLR, T_max=2)
    a = AETransformer((16,), 4, max_epochs=2, net_params={"callbacks": [schedule]}).fit(Xtr)
    b = AETransformer((16,), 4, max_epochs=2, net_params={"callbacks": [schedule]}).fit(Xtr)
    cb_a = dict(a._trainer.net.callbacks_)["LRScheduler"]
    cb_b = dict(b._trainer.net.callbacks_)["LRScheduler"]
    assert cb_a is not cb_b and cb_a is not schedule
    assert cb_a.lr_scheduler_.optimizer is a._trainer.net.optimizer_
    assert not hasattr(schedule, "lr_scheduler_")


# --- 4. net_params cannot override silently -------------------------------------------------------


@pytest.mark.parametrize(
    "net_params, param",
    [
        ({"criterion": torch.nn.L1Loss}, "loss"),
        ({"criterion__reduction": "sum"}, "loss"),
        ({"optimizer__lr": 0.5}, "lr"),
        ({"warm_start": True}, "warm_start"),
        ({"iterator_train__shuffle": False}, None),
        ({"callbacks__print_log__sink": print}, "verbose"),
        ({"max_epochs": 3}, "max_epochs"),
    ],
)
def test_net_params_that_an_estimator_parameter_controls_are_refused(net_params, param, digits):
    # the error names the estimator's own parameter, or none where it has no such parameter
    key = next(iter(net_params))
    for Estimator in ALL:
        est = small(Estimator, net_params=net_params)
        own = param in est.get_params()
        match = f"'{key}': " + (f"set the estimator's {param}" if own else "skae sets it itself")
        with pytest.raises(ValueError, match=match):
            fit(est, digits[0][:50], digits[2][:50])
        assert not hasattr(est, "module_")
    assert "warm_start" not in SAEClassifier().get_params()  # the case the hint must not name
    # a layer's epochs are the stacked estimator's pretrain_epochs
    expected = "set the estimator's pretrain_epochs" if key == "max_epochs" else "may not contain"
    with pytest.raises(ValueError, match=f"pretrain_net_params .*{expected}"):
        SAETransformer(pretrain_net_params=net_params).fit(digits[0][:50])


def test_net_params_that_skae_leaves_open_are_passed(digits):
    ae = AETransformer(
        (16,),
        4,
        max_epochs=1,
        net_params={"optimizer": torch.optim.SGD, "optimizer__momentum": 0.9},
    ).fit(digits[0])
    assert isinstance(ae._trainer.net.optimizer_, torch.optim.SGD)
    assert ae._trainer.net.optimizer_.param_groups[0]["momentum"] == 0.9


# --- 5. a loss parameter --------------------------------------------------------------------------


def test_bce_loss_trains_a_sigmoid_output(digits):
    Xtr, Xte, _, _ = digits
    ae = AETransformer((32,), 8, loss="bce", max_epochs=20, random_state=0).fit(Xtr)
    assert isinstance(ae._trainer.net.criterion_, torch.nn.BCELoss)
    assert isinstance(ae.module_.decoder[-1][-1], torch.nn.Sigmoid)
    recon = ae.inverse_transform(ae.transform(Xte))
    assert recon.min() >= 0 and recon.max() <= 1
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    # score stays the squared error, comparable with an MSE-trained model
    mse = AETransformer((32,), 8, max_epochs=20, random_state=0).fit(Xtr)
    mean_mse = np.mean((Xte - Xtr.mean(axis=0)) ** 2)
    assert -0.5 * mean_mse < ae.score(Xte) < 0 and -0.5 * mean_mse < mse.score(Xte) < 0


def test_bce_loss_refuses_what_it_cannot_score(digits):
    Xtr = digits[0]
    with pytest.raises(ValueError, match=r"loss='bce' needs X in \[0, 1\].*MinMaxScaler"):
        AETransformer(loss="bce").fit(Xtr * 2)
    with pytest.raises(ValueError, match="output_activation='sigmoid'"):
        AETransformer(loss="bce", output_activation="identity").fit(Xtr)
    with pytest.raises(ValueError, match="'loss' parameter"):
        AETransformer(loss="mae").fit(Xtr)


# --- 6. Ctrl-C stops the fit ----------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ALL, ids=lambda c: c.__name__)
def test_ctrl_c_propagates_and_leaves_the_estimator_as_it_was(Estimator, digits):
    Xtr, Xte, ytr, _ = digits
    est = fit(small(Estimator, max_epochs=2, **_pre(Estimator)), Xtr, ytr)
    before, state = est.transform(Xte), dict(est.__dict__)
    log = []
    interrupt = {"callbacks": [Record("x", log, interrupt_at=1)]}
    key = "pretrain_net_params" if "pretrain_net_params" in est.get_params() else "net_params"
    est.set_params(**{key: interrupt})
    with pytest.raises(KeyboardInterrupt):
        fit(est, Xtr, ytr)
    assert [e[1] for e in log] == ["begin", "epoch"]  # interrupted in the first (layer's) epoch
    assert {k: v for k, v in est.__dict__.items() if k != key} == {
        k: v for k, v in state.items() if k != key
    }
    np.testing.assert_array_equal(est.transform(Xte), before)


def _pre(Estimator):
    stacked = "pretrain_epochs" in inspect.signature(Estimator).parameters
    return {"pretrain_epochs": 2} if stacked else {}


def test_skorch_early_stopping_in_net_params_still_stops(digits):
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    ae = AETransformer((16,), 4, max_epochs=20, net_params={"callbacks": [stop]})
    assert ae.fit(digits[0]).n_iter_ == 2


# --- 7. small pickles ----------------------------------------------------------------------------


def distinct_weight_bytes(est):
    modules = [est.module_] + [layer.module_ for layer in getattr(est, "layers_", [])]
    tensors = {}
    for module in modules:
        for t in list(module.parameters()) + list(module.buffers()):
            tensors[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
    return sum(tensors.values())


@pytest.mark.parametrize(
    "est",
    [
        AETransformer((256, 128), 32, max_epochs=2, random_state=0),
        DAETransformer((256, 128), 32, max_epochs=2, random_state=0),
        ConvAETransformer((8, 8), (16, 32), 32, max_epochs=2, random_state=0),
        SAETransformer((256, 128), 32, pretrain_epochs=2, random_state=0),
        SAETransformer((256, 128), 32, pretrain_epochs=2, max_epochs=2, random_state=0),
        SAEClassifier((256, 128), 32, pretrain_epochs=2, max_epochs=2, random_state=0),
    ],
    ids=lambda e: f"{type(e).__name__}-{e.max_epochs}",
)
def test_pickle_is_about_the_size_of_the_weights(est, digits):
    Xtr, Xte, ytr, _ = digits
    fit(est, Xtr, ytr)
    size = len(pickle.dumps(est))
    assert size <= 1.25 * distinct_weight_bytes(est) + 64 * 1024
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.transform(Xte), est.transform(Xte))
    if hasattr(est, "partial_fit"):  # continues with a fresh optimizer
        assert again.partial_fit(Xtr).n_iter_ == est.n_iter_ + 1


def test_stack_without_fine_tuning_shares_the_layers_weights(digits):
    sae = SAETransformer((32,), 8, pretrain_epochs=1, random_state=0).fit(digits[0])
    assert sae.module_.encoder[0] is sae.layers_[0].module_.encoder[0]
    tuned = SAETransformer((32,), 8, pretrain_epochs=1, max_epochs=1, random_state=0)
    tuned.fit(digits[0])
    assert tuned.module_.encoder[0] is not tuned.layers_[0].module_.encoder[0]


# --- 8. rows are independent, on one chunk or many ------------------------------------------------


@pytest.mark.parametrize("Estimator", ALL, ids=lambda c: c.__name__)
def test_a_rows_output_does_not_depend_on_its_batch_across_chunks(Estimator, digits):
    Xtr, Xte, ytr, _ = digits
    est = fit(small(Estimator, max_epochs=1, **_pre(Estimator)), Xtr, ytr)
    big = np.vstack([Xte] * (2 * est._chunk // len(Xte) + 1))[: 2 * est._chunk + 3]
    Z = est.transform(big)  # two full chunks and a ragged one
    rows = [0, 1, est._chunk - 1, est._chunk, 2 * est._chunk + 2]
    for i in rows:
        np.testing.assert_array_equal(est.transform(big[i : i + 1]), Z[i : i + 1])
    np.testing.assert_array_equal(est.transform(big[5:14]), Z[5:14])
    if hasattr(est, "predict_proba"):
        P = est.predict_proba(big)
        np.testing.assert_array_equal(est.predict_proba(big[-1:]), P[-1:])
    else:
        R = est.inverse_transform(Z)
        np.testing.assert_array_equal(est.inverse_transform(Z[-1:]), R[-1:])
    # the fallback for machines whose kernels round by batch size: one fixed shape
    est._pad_rows = est._chunk
    Z2 = est.transform(big)
    np.testing.assert_array_equal(est.transform(big[-1:]), Z2[-1:])
    np.testing.assert_allclose(Z2, Z, rtol=1e-5, atol=1e-6)


# --- 9. dead codes are reported -------------------------------------------------------------------


def test_dead_codes_are_reported(digits):
    Xtr = digits[0]
    with pytest.warns(ConvergenceWarning, match="code units .* are constant.*Lower lr"):
        ae = AETransformer((64,), 16, lr=0.06, max_epochs=10, random_state=0).fit(Xtr)
    Z = ae.transform(Xtr)
    assert np.sum(np.ptp(Z, axis=0) == 0) > 8
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "[0-9]+ of the [0-9]+ code units", ConvergenceWarning)
        AETransformer((64,), 16, max_epochs=3, random_state=0).fit(Xtr)
        # the default sparse overcomplete code: units silent on some rows are sparse, not dead
        AETransformer((64,), 100, max_epochs=10, random_state=0).fit(Xtr)


def test_a_fit_that_ends_with_the_loss_still_falling_warns(digits):
    # as MLPClassifier warns at max_iter: the last epoch's training loss below the best of
    # the epochs before the last n_iter_no_change by more than tol (relative)
    Xtr = digits[0]
    with pytest.warns(ConvergenceWarning, match="ran its 12 epochs and the training loss "
                                                "was still falling"):  # fmt: skip
        ae = AETransformer((32,), 8, max_epochs=12, random_state=0).fit(Xtr)
    assert ae.loss_curve_[-1] < min(ae.loss_curve_[:-5])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        # a loss that has stopped falling by tol (here a huge one) is converged
        AETransformer((32,), 8, max_epochs=12, tol=0.5, random_state=0).fit(Xtr)
        # a fit that early stopping stopped has converged; partial_fit is one pass by request
        stopped = AETransformer((32,), 8, max_epochs=300, early_stopping=True,
                                n_iter_no_change=2, random_state=0).fit(Xtr)  # fmt: skip
        assert stopped.n_iter_ < 300
        AETransformer((32,), 8, random_state=0).partial_fit(Xtr).partial_fit(Xtr)


def test_dead_units_of_a_sparse_code_are_reported_too(digits):
    # the RBM's usual rate on an overcomplete sparse code kills most units: that is reported
    Xtr = digits[0]
    with pytest.warns(ConvergenceWarning, match="of the 64 code units"):
        ae = AETransformer((), 64, lr=0.06, max_epochs=10, random_state=0).fit(Xtr)
    assert ae._objective(64) is not None  # the sparsity penalty is on
    assert np.sum(np.ptp(ae.transform(Xtr), axis=0) == 0) > 32


# --- 10. one fit ------------------------------------------------------------------------------


class LinearAE(_BaseAutoencoder):
    """A new architecture: its parameters and one hook, ``_architecture``, nothing else."""

    def __init__(self, n_components=4, *, loss="mse", output_activation=None, max_epochs=3,
                 batch_size=32, lr=1e-2, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=5, tol=1e-4, net_params=None, device="cpu",
                 random_state=None, verbose=0):  # fmt: skip
        for name, value in locals().items():
            if name != "self":
                setattr(self, name, value)

    def _architecture(self, n_features, corruption, fitted):
        encoder = torch.nn.Linear(n_features, self.n_components)
        return AutoEncoder(encoder, torch.nn.Linear(self.n_components, n_features), corruption)


def test_a_new_architecture_is_one_module_and_one_hook(digits):
    Xtr, Xte, _, _ = digits
    lin = LinearAE(8, random_state=0).fit(Xtr)
    assert lin.transform(Xte).shape == (len(Xte), 8)
    assert lin.score(Xte) > -0.1
    again = LinearAE(8, random_state=0).fit(Xtr)
    np.testing.assert_array_equal(again.transform(Xte), lin.fit(Xtr).transform(Xte))
    # saved as weights (no pickled network) and rebuilt by the one hook
    state = lin.__getstate__()
    assert isinstance(state["module_"], dict)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(lin)).transform(Xte),
                                  lin.transform(Xte))  # fmt: skip


def test_an_estimator_without_its_architecture_cannot_be_made():
    class NoArchitecture(_BaseAutoencoder):
        def __init__(self, n_components=4):
            self.n_components = n_components

    with pytest.raises(TypeError, match="_architecture"):
        NoArchitecture()


def test_nested_layer_fits_skip_parameter_validation(digits):
    calls = []
    original = BaseEstimator._validate_params

    def spy(self):
        calls.append(type(self).__name__)
        return original(self)

    with mock.patch.object(BaseEstimator, "_validate_params", spy):
        SAETransformer((32, 16), 8, pretrain_epochs=1, random_state=0).fit(digits[0])
    assert calls == ["SAETransformer"]


# --- 11. progress ---------------------------------------------------------------------------------


def test_device_accepts_what_torch_accepts_and_device_says_where(digits):
    Xtr = digits[0][:100]
    assert AETransformer((8,), 2, max_epochs=1, device="auto").fit(Xtr).device_ == (
        "cuda:0" if torch.cuda.is_available() else "cpu")  # fmt: skip
    assert AETransformer((8,), 2, max_epochs=1, device=torch.device("cpu")).fit(Xtr).device_ == (
        "cpu")  # fmt: skip
    for device, match in [("cuda:7", "cuda:7"), ("mps", "mps"), ("abacus", "not a device")]:
        if device.startswith("cuda") and torch.cuda.device_count() > 7:
            continue
        if device == "mps" and torch.backends.mps.is_available():
            continue
        with pytest.raises(ValueError, match=match):
            AETransformer(device=device).fit(Xtr)


def test_a_fit_inside_threadpool_limits_computes_with_that_many_threads(digits):
    # as scikit-learn's estimators honour threadpoolctl's limits (torch's MKL too, which
    # threadpoolctl cannot see: skae sets torch's count to the limit at each fit)
    from threadpoolctl import threadpool_limits

    seen = []

    class Threads(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(torch.get_num_threads())

    with threadpool_limits(1):
        ae = AETransformer((16,), 4, max_epochs=2, random_state=0,
                           net_params={"callbacks": [Threads()]}).fit(digits[0])  # fmt: skip
        ae.transform(digits[1])
    assert seen == [1, 1]


def test_verbose_levels(digits, capsys):
    Xtr = digits[0]
    AETransformer((16,), 4, max_epochs=2, random_state=0).fit(Xtr)
    assert capsys.readouterr() == ("", "")
    AETransformer((16,), 4, max_epochs=2, verbose=1, random_state=0).fit(Xtr)
    out, err = capsys.readouterr()
    assert "train_loss" in out and out.count("\n") >= 4
    assert "\x1b[" not in out  # no colour codes when stdout is not a terminal
    assert "it/s" not in err
    # every line names its estimator, so that fits side by side (a parallel grid search)
    # can be told apart
    lines = out.strip().splitlines()
    assert all(line.startswith("[AETransformer(hidden_sizes=(16,), max_epochs=2, "
                               "n_components=4, random_state=0, verbose=1)] ")
               for line in lines)  # fmt: skip
    AETransformer((16,), 4, max_epochs=2, verbose=2, random_state=0).fit(Xtr)
    out, err = capsys.readouterr()
    assert "train_loss" in out and "\x1b[" not in out
    assert "batches" in err or "it/s" in err or "%|" in err  # skorch's progress bar


def test_stacked_verbose_names_each_layer(digits, capsys):
    SAETransformer((16,), 4, pretrain_epochs=1, verbose=1, random_state=0).fit(digits[0])
    out = capsys.readouterr().out
    assert "Pretraining layer 1/2: 64 -> 16" in out and "Pretraining layer 2/2: 16 -> 4" in out


# --- 12. what had no test yet ---------------------------------------------------------------------


def test_dropout_acts_in_fine_tuning_only(digits):
    Xtr, Xte, ytr, yte = digits
    params = dict(
        hidden_sizes=(64,), n_components=16, pretrain=False, max_epochs=10, random_state=0
    )
    plain = SAEClassifier(**params).fit(Xtr, ytr)
    dropped = SAEClassifier(**params, dropout=0.2).fit(Xtr, ytr)
    assert not np.allclose(plain.transform(Xte), dropped.transform(Xte))
    np.testing.assert_array_equal(dropped.predict_proba(Xte), dropped.predict_proba(Xte))
    assert dropped.score(Xte, yte) > 0.85
    assert not dropped.module_.training


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu", "tanh", "sigmoid", "identity"])
def test_every_activation_trains(activation, digits):
    Xtr, Xte, _, _ = digits
    ae = AETransformer((32,), 8, activation=activation, max_epochs=3, random_state=0).fit(Xtr)
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    assert np.all(np.isfinite(ae.transform(Xte)))
    names = {type(m).__name__.lower() for m in ae.module_.modules()}
    expected = {"leaky_relu": "leakyrelu"}.get(activation, activation)
    assert expected in names


def test_callbacks_in_net_params_see_every_epoch(digits):
    log = []
    AETransformer((16,), 4, max_epochs=3, net_params={"callbacks": [Record("r", log)]}).fit(
        digits[0]
    )
    assert [(e[1], e[2]) for e in log] == [("begin", 0), ("epoch", 1), ("epoch", 2), ("epoch", 3)]
