"""Models saved by skae 0.3.0 (commit 0c3fe37), for tests/test_persistence.py: run with
that commit's skae on the path, ``python make.py tests/data/skae-0.3.0``."""
import json
import pickle
import sys

import numpy as np
import skops.io as sio
from sklearn.datasets import load_digits

import skae
from skae import (AETransformer, ConvAETransformer, DAEImputer, DAETransformer,
                  ReconstructionOutlierDetector, SAEClassifier, SAETransformer, VAETransformer)


def main(out):
    X, y = load_digits(return_X_y=True)
    X, y = (X / 16)[:300], y[:300]
    small = dict(max_epochs=2, random_state=0)
    models = {
        "AETransformer": AETransformer((16,), 4, **small),
        "DAETransformer": DAETransformer((16,), 4, **small),
        "ConvAETransformer": ConvAETransformer((8, 8), channels=(4,), n_components=4, **small),
        "SAETransformer": SAETransformer((16,), 4, pretrain_epochs=1, random_state=0),
        "SAEClassifier": SAEClassifier((16,), 4, pretrain_epochs=1, **small),
        "VAETransformer": VAETransformer((16,), 4, **small),
        "DAEImputer": DAEImputer(hidden_sizes=(16,), **small),
        "ReconstructionOutlierDetector": ReconstructionOutlierDetector(random_state=0),
    }
    expected = {"version": skae.__version__}
    Xh = X.copy()
    Xh[::7, 3] = np.nan
    for name, m in models.items():
        data = Xh if name == "DAEImputer" else X
        if name == "SAEClassifier":
            m.fit(data, y)
        else:
            m.fit(data)
        if name in ("AETransformer", "VAETransformer"):
            m.partial_fit(X)  # a stream saved mid-way
        method = "score_samples" if name == "ReconstructionOutlierDetector" else "transform"
        expected[name] = getattr(m, method)(data[:5]).tolist()
        with open(f"{out}/{name}.pkl", "wb") as f:
            pickle.dump(m, f)
        sio.dump(m, f"{out}/{name}.skops")
    with open(f"{out}/expected.json", "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main(sys.argv[1])
