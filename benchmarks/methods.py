"""The benchmark methods, in one registry: what each is, how it is labelled and drawn.

compare.py builds each method's estimator (``compare.make_method``) and
_report.py labels and draws them from here; a new method is one entry here
and one branch of ``make_method``.
"""

from dataclasses import dataclass
from pathlib import Path

# where tune.py writes its choices and compare.py and label_efficiency.py read them
# (never the --out folder)
CONFIGS = Path(__file__).resolve().parent / "configs"


@dataclass(frozen=True)
class Method:
    label: str
    kind: str  # "raw": the pixels; "features": a transformer + LogisticRegression;
    # "classifier": a network that classifies itself
    color: str = "black"
    reconstructs: bool = False  # has inverse_transform: reconstruction MSE and figures
    skae: bool = False  # skae's own unsupervised features
    denoising: bool = False


METHODS = {
    "raw": Method("raw pixels", "raw"),
    "pca": Method("PCA", "features", "tab:gray", reconstructs=True),
    "rbm": Method("RBM", "features", "tab:brown"),
    "ae": Method("AE", "features", "tab:blue", reconstructs=True, skae=True),
    "dae": Method("DAE", "features", "tab:orange", reconstructs=True, skae=True, denoising=True),
    "sae": Method("SAE", "features", "tab:green", reconstructs=True, skae=True),
    "conv_ae": Method("conv AE", "features", "tab:cyan", reconstructs=True, skae=True),
    "conv_dae": Method(
        "conv DAE", "features", "tab:olive", reconstructs=True, skae=True, denoising=True
    ),
    "vae": Method("VAE", "features", "tab:pink", reconstructs=True, skae=True),
    "sae_finetuned": Method("SAE fine-tuned (classifier)", "classifier", "tab:red"),
    "sae_nopretrain": Method("same MLP, no pretraining", "classifier", "tab:purple"),
}


def names(**where):
    """The names of the methods whose attributes equal ``where``, in registry order."""
    return tuple(
        n for n, m in METHODS.items() if all(getattr(m, k) == v for k, v in where.items())
    )


LABELS = {n: m.label for n, m in METHODS.items()}
COLORS = {n: m.color for n, m in METHODS.items()}
