"""ONNX export of skae models through skl2onnx.

``import skae.onnx`` registers a skl2onnx converter for every skae estimator,
so that ``skl2onnx.to_onnx(model, X[:1].astype(np.float32))`` converts it,
alone or inside a ``Pipeline`` or ``ColumnTransformer`` with scikit-learn
steps, and onnxruntime serves it without Python's torch:

- every transformer: ``transform`` (the code), output ``variable``;
- :class:`~skae.SAEClassifier`: ``predict`` and ``predict_proba`` (outputs
  ``label`` and ``probabilities``, as skl2onnx gives for its classifiers,
  ``zipmap`` option included);
- :class:`~skae.ReconstructionOutlierDetector` over an skae autoencoder:
  ``predict`` and ``decision_function`` (outputs ``label`` and ``scores``,
  as for ``IsolationForest``).

:class:`~skae.DAEImputer` does not export (a numeric or a mixed table alike), nor
does a model fitted on a table with categorical columns: ``to_onnx`` refuses them with
a NotImplementedError that says what to do instead.

The network is exported by ``torch.onnx.export`` (in evaluation mode, on
the CPU, for any number of rows) and spliced into skl2onnx's graph with
``skl2onnx.helpers.add_onnx_graph``. Graphs compute in float32, as skae does.
"""

import copy
import io
import warnings
from types import SimpleNamespace

import numpy as np
import torch
from onnx import TensorProto, load_model_from_string, numpy_helper
from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType
from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
from skl2onnx.helpers.integration import add_onnx_graph
from sklearn.utils.validation import check_is_fitted

from ._base import _NetEstimator
from .autoencoder import AETransformer, DAETransformer
from .conv import ConvAETransformer
from .impute import DAEImputer
from .outlier import N_NEIGHBORS, SAME, ReconstructionOutlierDetector
from .semi_supervised import SAEClassifier
from .stacked import SAETransformer
from .variational import VAETransformer

__all__ = ["TRANSFORMERS", "torch_graph"]

TRANSFORMERS = (AETransformer, DAETransformer, ConvAETransformer, VAETransformer, SAETransformer)
# the newest opset torch's exporter is asked for (skl2onnx's target, if older, wins)
MAX_OPSET = 18


def torch_graph(module, n_features, opset=MAX_OPSET):
    """The ONNX model of a torch ``module``, as the converters splice it into skl2onnx's graph.

    Parameters
    ----------
    module : torch.nn.Module
        The network; a copy is exported, on the CPU, in evaluation mode (no
        noise, no dropout).
    n_features : int
        The width of its input rows.
    opset : int, default=18
        The ONNX opset asked of ``torch.onnx.export``.

    Returns
    -------
    model : onnx.ModelProto
        Input ``X`` of shape (N, n_features) float32, output ``Y``; N is free.
    """
    module = copy.deepcopy(module).cpu().eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.zeros(2, n_features),),
            buffer,
            input_names=["X"],
            output_names=["Y"],
            dynamic_axes={"X": {0: "N"}, "Y": {0: "N"}},
            opset_version=opset,
            dynamo=False,
        )
    return load_model_from_string(buffer.getvalue())


def _check(model, operator):
    check_is_fitted(model)
    categorical = getattr(model, "categorical_", None)
    if categorical is not None and np.any(categorical):
        raise NotImplementedError(
            f"{type(model).__name__} was fitted on a table with categorical columns, which "
            "an ONNX graph of float32 inputs cannot carry (it reads text and category "
            "codes, and writes categories). Export a model fitted on numbers (e.g. after "
            "a OneHotEncoder in a Pipeline), or serve this one in Python."
        )
    kind = operator.inputs[0].type
    if not isinstance(kind, FloatTensorType):
        raise TypeError(
            f"{type(model).__name__} exports float32 graphs (skae computes in float32), but "
            f"its input is {type(kind).__name__}: convert with X[:1].astype(np.float32)."
        )


def _opset(container):
    return min(int(container.target_opset), MAX_OPSET)


def _splice(scope, container, module, n_features, source, target):
    """Add ``module``'s graph reading variable ``source``, writing variable ``target``."""

    operator = SimpleNamespace(inputs=[SimpleNamespace(onnx_name=source)],
                               outputs=[SimpleNamespace(onnx_name=target)])  # fmt: skip
    add_onnx_graph(scope, operator, container, torch_graph(module, n_features, _opset(container)))


def _transformer_shape(operator):
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = FloatTensorType([n, operator.raw_operator.n_components_])


def _convert_transformer(scope, operator, container):
    model = operator.raw_operator
    _check(model, operator)
    _splice(scope, container, model._encoder(), model.n_features_in_,
            operator.inputs[0].onnx_name, operator.outputs[0].onnx_name)  # fmt: skip


def _node(scope, container, kind, inputs, out=None, **attributes):
    """Add one ``kind`` node reading ``inputs``; return the name of its output."""
    out = out or scope.get_unique_variable_name(kind.lower())
    container.add_node(kind, inputs, [out], name=scope.get_unique_operator_name(kind),
                       **attributes)  # fmt: skip
    return out


def _constant(scope, container, name, array):
    out = scope.get_unique_variable_name(name)
    container.add_initializer(out, *_tensor_args(np.asarray(array)))
    return out


def _tensor_args(array):
    tensor = numpy_helper.from_array(array)
    return tensor.data_type, list(array.shape), array.ravel().tolist()


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    _check(model, operator)
    if model.classes_.dtype.kind not in "iub":
        raise NotImplementedError(
            f"SAEClassifier with {model.classes_.dtype} labels cannot export yet: encode "
            "the labels as integers (LabelEncoder) first."
        )
    logits = scope.get_unique_variable_name("logits")
    _splice(scope, container, model.module_, model.n_features_in_,
            operator.inputs[0].onnx_name, logits)  # fmt: skip
    label, proba = operator.outputs[0].onnx_name, operator.outputs[1].onnx_name
    container.add_node("Softmax", [logits], [proba], axis=1,
                       name=scope.get_unique_operator_name("Softmax"))  # fmt: skip
    index = scope.get_unique_variable_name("index")
    container.add_node("ArgMax", [logits], [index], axis=1, keepdims=0,
                       name=scope.get_unique_operator_name("ArgMax"))  # fmt: skip
    classes = _constant(scope, container, "classes", model.classes_.astype(np.int64))
    container.add_node("Gather", [classes, index], [label], axis=0,
                       name=scope.get_unique_operator_name("Gather"))  # fmt: skip


def _detector_shape(operator):
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = Int64TensorType([n])
    operator.outputs[1].type = FloatTensorType([n, 1])


def _convert_detector(scope, operator, container):
    model = operator.raw_operator
    _check(model, operator)
    inner = model.estimator_
    if not isinstance(inner, _NetEstimator) or not hasattr(inner, "inverse_transform"):
        raise NotImplementedError(
            f"ReconstructionOutlierDetector exports with an skae autoencoder as its model, not "
            f"{type(inner).__name__}."
        )
    op = lambda kind, ins, **kw: _node(scope, container, kind, ins, **kw)  # noqa: E731
    const = lambda name, a: _constant(scope, container, name, np.asarray(a, np.float32))  # noqa
    z = op("Div", [op("Sub", [operator.inputs[0].onnx_name, const("center", model.center_)]),
                   const("scale", model.scale_)])  # fmt: skip
    recon = scope.get_unique_variable_name("reconstruction")
    _splice(scope, container, inner.module_, inner.n_features_in_, z, recon)
    diff = op("Sub", [recon, z])
    axes = _constant(scope, container, "axes", np.array([1], dtype=np.int64))
    squared = op("Div", [op("Mul", [diff, diff]), const("error_scale", model.error_scale_)])
    error = op("ReduceMean", [squared, axes], keepdims=1)
    w = model.latent_weight
    outlyingness = op("Mul", [error, const("w_error", [(1 - w) / model.units_[0]])])
    # no latent term: none asked for, or one training code (no neighbour), where it is 0
    reference = model.reference_codes_
    if model.code_mean_ is not None or (reference is not None and len(reference) > 1):
        code = scope.get_unique_variable_name("code")
        _splice(scope, container, inner._encoder(), inner.n_features_in_, z, code)
        if model.code_mean_ is not None:  # the squared Mahalanobis distance
            centred = op("Sub", [code, const("code_mean", model.code_mean_)])
            projected = op("MatMul", [centred, const("code_precision", model.code_precision_)])
            distance = op("ReduceSum", [op("Mul", [projected, centred]), axes], keepdims=1)
        else:  # the mean distance to the k nearest reference codes (in float64)
            ref = model.reference_codes_.astype(np.float64)
            k = min(N_NEIGHBORS, len(ref) - 1)
            double = lambda name, a: _constant(scope, container, name, np.asarray(a))  # noqa
            code = op("Cast", [code], to=TensorProto.DOUBLE)
            cross = op("MatMul", [code, double("reference_t", ref.T)])
            squares = op("Add", [op("ReduceSum", [op("Mul", [code, code]), axes], keepdims=1),
                                 double("reference_squares", np.sum(ref**2, axis=1))])
            d2 = op("Sub", [squares, op("Mul", [cross, double("two", [2.0])])])
            k1 = _constant(scope, container, "k1", np.array([k + 1], dtype=np.int64))
            nearest = scope.get_unique_variable_name("nearest")
            container.add_node("TopK", [op("Max", [d2, double("zero_d2", [0.0])]), k1],
                               [nearest, scope.get_unique_variable_name("nearest_index")],
                               name=scope.get_unique_operator_name("TopK"), axis=1, largest=0)
            nearest = op("Sqrt", [nearest])
            index = lambda n, v: _constant(scope, container, n, np.array([v], np.int64))  # noqa
            ends = [op("Slice", [nearest, index("start", i), index("end", i + 1), index("ax", 1)])
                    for i in (0, k)]  # the nearest and the (k+1)-th nearest
            mean = op("ReduceMean", [nearest, axes], keepdims=1)
            itself = op("LessOrEqual", [ends[0], op("Mul", [mean, double("same", [SAME])])])
            dropped = op("Where", [itself, *ends])
            total = op("Sub", [op("ReduceSum", [nearest, axes], keepdims=1), dropped])
            distance = op("Cast", [op("Div", [total, double("k", [float(k)])])],
                          to=TensorProto.FLOAT)
        latent = op("Mul", [distance, const("w_latent", [w / model.units_[1]])])
        outlyingness = op("Add", [outlyingness, latent])
    scores = operator.outputs[1].onnx_name
    op("Sub", [op("Neg", [outlyingness]), const("offset", [model.offset_])], out=scores)
    inlier = op("GreaterOrEqual", [scores, const("zero", [0.0])])
    labels = [_constant(scope, container, n, np.array([v], dtype=np.int64))
              for n, v in (("one", 1), ("minus_one", -1), ("flat", -1))]  # fmt: skip
    label2d = op("Where", [inlier, *labels[:2]])
    op("Reshape", [label2d, labels[2]], out=operator.outputs[0].onnx_name)


def _refuse_imputer(operator):
    kind = "a table with categorical columns" if operator.raw_operator.categorical_.any() \
        else "numeric columns"  # fmt: skip
    raise NotImplementedError(
        f"DAEImputer does not export to ONNX (fitted on {kind}): its categorical holes "
        "are filled with text, and its fill mixes observed entries with the network's. Fill "
        "the holes with DAEImputer in Python, and export the steps after it (e.g. "
        "to_onnx(pipeline[1:], ...)) to serve them."
    )


def _parse_detector(scope, model, inputs, custom_parsers=None):
    alias = "SkaeReconstructionOutlierDetector"
    this = scope.declare_local_operator(alias, model)
    this.inputs = inputs
    label = scope.declare_local_variable("label", Int64TensorType())
    scores = scope.declare_local_variable("scores", FloatTensorType())
    this.outputs.extend([label, scores])
    return this.outputs


for _cls in TRANSFORMERS:
    update_registered_converter(_cls, f"Skae{_cls.__name__}", _transformer_shape,
                                _convert_transformer)  # fmt: skip
update_registered_converter(
    SAEClassifier, "SkaeSAEClassifier", calculate_linear_classifier_output_shapes,
    _convert_classifier, options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
)  # fmt: skip
update_registered_converter(
    ReconstructionOutlierDetector, "SkaeReconstructionOutlierDetector", _detector_shape,
    _convert_detector, parser=_parse_detector,
)  # fmt: skip
update_registered_converter(DAEImputer, "SkaeDAEImputer", _refuse_imputer,
                            lambda scope, operator, container: _refuse_imputer(operator))
