"""scikit-learn's own estimator checks, over every public estimator, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AETransformer,
    ConvAETransformer,
    DAETransformer,
    SAEClassifier,
    SAETransformer,
)

# Default sizes and epochs: the checks include sklearn's "a classifier learns"
# test, which the defaults must pass as they are.
SEED = dict(random_state=0)


@parametrize_with_checks(
    [
        AETransformer(**SEED),
        DAETransformer(**SEED),
        DAETransformer(noise="salt_pepper", **SEED),
        ConvAETransformer(**SEED),
        ConvAETransformer(noise="masking", **SEED),
        SAETransformer(max_epochs=2, **SEED),
        SAEClassifier(**SEED),
        SAEClassifier(pretrain=False, **SEED),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
