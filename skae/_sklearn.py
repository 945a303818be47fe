"""scikit-learn's private helpers that skae builds on, imported in this one place.

scikit-learn's own estimators and its developer guide use them (parameter
constraints, ``_fit_context``, ``_safe_indexing``), but they are private
names: when a release moves one, this file is the only one to change.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in, _generate_get_feature_names_out
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    MissingValues,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "MissingValues",
    "StrOptions",
    "_check_feature_names_in",
    "_fit_context",
    "_generate_get_feature_names_out",
    "_get_output_config",
    "_safe_indexing",
    "validate_parameter_constraints",
]
