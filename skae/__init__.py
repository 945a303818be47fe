"""skae: scikit-learn estimators that learn compressed features with PyTorch autoencoders.

Training runs on skorch; the estimators are ordinary scikit-learn estimators
(clone, get/set_params, Pipeline, GridSearchCV, set_output, pickle).
"""

from . import datasets
from .autoencoder import AETransformer, DAETransformer
from .conv import ConvAETransformer
from .impute import DAEImputer
from .outlier import ReconstructionOutlierDetector
from .semi_supervised import SAEClassifier
from .stacked import SAETransformer
from .variational import VAETransformer

__version__ = "0.3.0"

__all__ = [
    "AETransformer",
    "ConvAETransformer",
    "DAEImputer",
    "DAETransformer",
    "ReconstructionOutlierDetector",
    "SAEClassifier",
    "SAETransformer",
    "VAETransformer",
    "datasets",
    "__version__",
]
