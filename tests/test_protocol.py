"""The core's promises to whoever adds an estimator: loss terms, constraints, docs, import."""

import inspect
import pickle
import subprocess
import sys
from functools import partial
from numbers import Real

import numpy as np
import pytest
import sklearn
import torch
from numpydoc.docscrape import ClassDoc, FunctionDoc
from sklearn.utils.fixes import parse_version
from sklearn.utils._param_validation import Interval, InvalidParameterError

import skae
from skae import AETransformer, DAETransformer
from skae._base import _NetEstimator
from skae._reconstruction import _BaseAutoencoder
from skae.modules import mirrored_autoencoder

PUBLIC = [getattr(skae, name) for name in skae.__all__ if inspect.isclass(getattr(skae, name))]


# --- loss terms as a protocol ---------------------------------------------------------------


def decorrelation(terms, training, weight):
    """A new objective: penalise the code's off-diagonal covariance."""
    code = terms["code"] - terms["code"].mean(dim=0)
    cov = code.T @ code / len(code)
    off = cov - torch.diag(torch.diag(cov))
    return {"decorrelation": weight * off.square().sum()}


class DecorrelatedAE(_BaseAutoencoder):
    """An extra loss term: one objective and one hook, no edit of the training core."""

    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        "decorrelation": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
    }
    _continues = True

    def __init__(self, n_components=8, *, decorrelation=0.0, loss="mse", output_activation=None,
                 warm_start=False, max_epochs=5, batch_size=32, lr=1e-3, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=5, tol=1e-4, net_params=None,
                 device="cpu", random_state=None, verbose=0):  # fmt: skip
        for name, value in locals().items():
            if name != "self":
                setattr(self, name, value)

    def _architecture(self, n_features, corruption, fitted):  # the network
        return mirrored_autoencoder(n_features, (32,), self.n_components)

    def _objective(self, n_features):  # the one hook
        return partial(decorrelation, weight=self.decorrelation)

    def partial_fit(self, X, y=None):  # the public method this model adds
        return self._fit(X, None, incremental=True)


def _off_diagonal(Z):
    C = np.corrcoef(Z.T)
    return np.abs(C[~np.eye(len(C), dtype=bool)]).mean()


def test_an_extra_loss_term_is_one_objective_and_one_hook(digits):
    Xtr, Xte, _, _ = digits
    plain = DecorrelatedAE(random_state=0).fit(Xtr)
    decorrelated = DecorrelatedAE(decorrelation=10.0, random_state=0).fit(Xtr)
    # the term reached the loss: the codes are less correlated, the training loss includes it
    assert _off_diagonal(decorrelated.transform(Xte)) < 0.7 * _off_diagonal(plain.transform(Xte))
    # and everything shared still holds: partial_fit, pickling, early stopping
    decorrelated.partial_fit(Xte)
    again = pickle.loads(pickle.dumps(decorrelated))
    np.testing.assert_array_equal(again.transform(Xte), decorrelated.transform(Xte))
    es = DecorrelatedAE(decorrelation=1.0, early_stopping=True, random_state=0).fit(Xtr)
    assert len(es.validation_scores_) == es.n_iter_


# --- one trainer state ------------------------------------------------------------------------


class RowCount(skae._training.Callback):
    """Counts the rows of training batches into a list shared by all its copies."""

    def __init__(self, seen):
        self.seen = seen

    def __deepcopy__(self, memo):
        return RowCount(self.seen)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if training:
            self.seen.append(len(batch[0]))


def test_partial_fit_never_holds_rows_out_after_fit_with_early_stopping(digits):
    Xtr = digits[0]
    seen = []
    ae = AETransformer((32,), 8, early_stopping=True, max_epochs=4, random_state=0,
                       net_params={"callbacks": [RowCount(seen)]})  # fmt: skip
    ae.fit(Xtr)
    scores = list(ae.validation_scores_)
    seen.clear()
    ae.partial_fit(Xtr[:1000])
    assert sum(seen) == 1000  # every row of the block, none held out
    assert ae.validation_scores_ == scores  # fit's record, untouched
    assert len(ae.loss_curve_) == ae.n_iter_ == len(scores) + 1


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_stream_after_fit_continues_exactly_through_pickle(digits, early_stopping):
    Xtr, Xte, _, _ = digits
    ae = AETransformer((32,), 8, early_stopping=early_stopping, max_epochs=3, random_state=0)
    ae.fit(Xtr)
    twin = pickle.loads(pickle.dumps(ae))
    for block in np.array_split(Xtr, 3):
        ae.partial_fit(block)
        twin = pickle.loads(pickle.dumps(twin.partial_fit(block)))
    np.testing.assert_array_equal(twin.transform(Xte), ae.transform(Xte))
    assert twin.loss_curve_ == ae.loss_curve_ and twin.n_iter_ == ae.n_iter_


# --- constraints: every parameter once, in the class that has it -------------------------------


class _NotValidated:
    """A value no constraint admits."""


@pytest.mark.parametrize("Estimator", PUBLIC)
def test_every_parameter_of_every_public_estimator_is_validated(Estimator, digits):
    Xtr, _, ytr, _ = digits
    for name in Estimator().get_params(deep=False):
        est = Estimator(**{name: _NotValidated()})
        with pytest.raises(InvalidParameterError, match=name):
            est.fit(Xtr[:40], ytr[:40])


@pytest.mark.parametrize("Estimator", PUBLIC, ids=lambda c: c.__name__)
def test_each_class_constrains_exactly_its_own_parameters(Estimator):
    # the whole _parameter_constraints is in the class (merged in the open), one entry a
    # parameter: none missing, none for a parameter the class does not have
    params = [p for p in inspect.signature(Estimator.__init__).parameters if p != "self"]
    assert sorted(Estimator._parameter_constraints) == sorted(params)


@pytest.mark.parametrize("Estimator", PUBLIC, ids=lambda c: c.__name__)
def test_no_public_estimator_has_more_than_ten_classes_in_its_mro(Estimator):
    # as many as scikit-learn's PCA: shared behaviour by plain functions, not mixins
    assert len(Estimator.__mro__) <= 10, [k.__name__ for k in Estimator.__mro__]


def test_every_hook_of_the_base_says_what_it_is_for():
    hooks = [name for name, member in vars(_NetEstimator).items()
             if name.startswith("_") and not name.startswith("__")
             and callable(member)]  # fmt: skip
    assert "_architecture" in _NetEstimator.__abstractmethods__
    for name in hooks:
        assert getattr(_NetEstimator, name).__doc__, name


def test_the_old_path_of_saeclassifier_warns_and_still_finds_it():
    import skae.stacked

    with pytest.warns(FutureWarning, match="skae.semi_supervised"):
        cls = skae.stacked.SAEClassifier
    assert cls is skae.SAEClassifier


# --- docstrings: one registry, in signature order -----------------------------------------------


def _public_callables():
    for cls in PUBLIC:
        yield cls.__name__, cls, ClassDoc(cls)
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            public = not name.startswith("_") and member.__doc__
            if public and member.__module__.startswith("skae"):
                yield f"{cls.__name__}.{name}", member, FunctionDoc(member)
    for module in (skae.datasets,):
        for name, member in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and member.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", member, FunctionDoc(member)


PUBLIC_CALLABLES = list(_public_callables())


@pytest.mark.parametrize("name, obj, doc", PUBLIC_CALLABLES,
                         ids=[name for name, _, _ in PUBLIC_CALLABLES])  # fmt: skip
def test_docstring_parameters_match_the_signature(name, obj, doc):
    # in the spirit of sklearn's test_docstring_parameters: every parameter documented, in order
    target = obj.__init__ if inspect.isclass(obj) else obj
    expected = [p for p in inspect.signature(target).parameters if p not in ("self", "cls")]
    documented = [p.name for p in doc["Parameters"]]
    assert documented == expected
    for p in doc["Parameters"]:
        assert p.desc, f"{name}: {p.name} has no description"
    if not inspect.isclass(obj) and not name.endswith(".fit"):
        assert doc["Returns"] or doc["Yields"], f"{name} documents no return value"


def test_class_docstrings_show_the_signature_defaults():
    doc = AETransformer.__doc__
    assert "n_components : int or \"auto\", default='auto'" in doc
    assert 'noise : {"gaussian", "masking", "salt_pepper", "swap"}, default=\'masking\'' in (
        DAETransformer.__doc__
    )
    assert doc.index("loss :") < doc.index("output_activation :") < doc.index("sparsity :")


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda c: c.__name__)
def test_every_documented_default_is_the_signature_s(cls):
    # the docstrings are written out by hand (the shared entries substituted from
    # skae._docs): what they say of each default must be what __init__ does
    defaults = {
        p.name: p.default
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self"
    }
    for p in ClassDoc(cls)["Parameters"]:
        written = p.type.replace('"', "'")  # either quote
        assert written.endswith(f"default={defaults[p.name]!r}"), (cls.__name__, p.name, p.type)
    assert "{" + "training_parameters}" not in cls.__doc__ and "{" + "fit_attributes}" not in (
        cls.__doc__
    )


# --- a light import -----------------------------------------------------------------------------


@pytest.mark.skipif(
    parse_version(sklearn.__version__) < parse_version("1.7"),
    reason="scikit-learn 1.6 reads a module blocked by None in sys.modules as a module",
)
def test_import_skae_needs_neither_pandas_torchvision_nor_matplotlib():
    # sklearn itself imports pandas whenever it is installed, so skae's own promise is
    # checked with the three blocked: import, fit and transform still work
    code = (
        "import sys\n"
        "for m in ('pandas', 'torchvision', 'matplotlib'): sys.modules[m] = None\n"
        "import numpy as np, skae\n"
        "from skae import AETransformer\n"
        "X = np.random.default_rng(0).random((40, 6))\n"
        "print(AETransformer((4,), 2, max_epochs=1).fit(X).transform(X).shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(40, 2)"


def test_the_training_core_knows_no_estimator():
    # _NetEstimator's fit reads hooks only: no estimator class is named in the core
    source = inspect.getsource(sys.modules[_NetEstimator.__module__])
    for module in (skae._training, skae._data, skae._random):
        source += inspect.getsource(module)
    for cls in PUBLIC:
        assert cls.__name__ not in source
