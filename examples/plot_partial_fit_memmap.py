"""
partial_fit on a memmap
=======================

Data larger than memory: write the rows to a ``numpy.memmap`` on disk, then
stream blocks of it through ``partial_fit``. Each call is one pass over its
block, continuing the optimizer's state; nothing copies the whole array.
:class:`~skae.inspection.LossCurveDisplay` draws one point per block.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skae import AETransformer
from skae.datasets import load_digits
from skae.inspection import LossCurveDisplay

X, _ = load_digits(return_X_y=True)
X = np.tile(X, (10, 1))  # 17,970 rows, as if they were too many for memory

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "rows.dat"
    on_disk = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    on_disk[:] = X
    on_disk.flush()
    rows = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)

    ae = AETransformer((64,), 16, output_activation="sigmoid", random_state=0)
    for epoch in range(2):
        for start in range(0, len(rows), 1500):
            ae.partial_fit(rows[start : start + 1500])
    print(f"{ae.n_iter_} blocks, reconstruction MSE {-ae.score(rows):.4f}")
    del rows, on_disk

display = LossCurveDisplay.from_estimator(ae)
display.ax_.set_xlabel("block (partial_fit call)")
plt.show()
