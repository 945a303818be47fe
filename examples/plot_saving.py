"""
Saving a model safely and serving it with ONNX
==============================================

A skops file loads only the types you trust and holds no pickle: a skae
model's weights are stored as numpy arrays and its network is rebuilt from
its parameters on load. ``import skae.onnx`` lets skl2onnx convert a whole
Pipeline, autoencoder included, which onnxruntime then serves without
Python's torch. Both give the original's outputs; the figure shows the
codes of the digits, from skae and from onnxruntime.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
import skl2onnx
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

import skae.onnx  # noqa: F401  (registers the converters)
from skae import DAETransformer
from skae.datasets import load_digits

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
pipe = make_pipeline(DAETransformer((64,), 2, max_epochs=60, random_state=0),
                     LogisticRegression(max_iter=1000)).fit(X_train, y_train)

# %%
# A skops round trip: the file names only skae's class as untrusted.
path = Path(tempfile.mkdtemp()) / "pipe.skops"
sio.dump(pipe, path)
untrusted = sio.get_untrusted_types(file=path)
print("untrusted types:", untrusted)
loaded = sio.load(path, trusted=untrusted)
print("same probabilities:", np.array_equal(loaded.predict_proba(X_test),
                                            pipe.predict_proba(X_test)))

# %%
# The Pipeline in ONNX, served by onnxruntime.
onx = skl2onnx.to_onnx(pipe, X_train[:1], options={id(pipe[-1]): {"zipmap": False}})
session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
labels, probabilities = session.run(None, {session.get_inputs()[0].name: X_test})
print("same labels:", np.array_equal(labels, pipe.predict(X_test)))
gap = np.abs(probabilities - pipe.predict_proba(X_test)).max()
print(f"largest probability difference: {gap:.1e}")

codes_onnx = skl2onnx.to_onnx(pipe[0], X_train[:1])
session = ort.InferenceSession(codes_onnx.SerializeToString(),
                               providers=["CPUExecutionProvider"])
Z_onnx = session.run(None, {session.get_inputs()[0].name: X_test})[0]
Z = pipe[0].transform(X_test)

fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
for ax, codes, title in zip(axes, (Z, Z_onnx), ("skae (torch)", "onnxruntime")):
    points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=8)
    ax.set_title(title)
    ax.set_xlabel("code 1")
axes[0].set_ylabel("code 2")
fig.suptitle("2-dimensional codes of the test digits")
fig.colorbar(points, ax=axes, label="digit")
plt.show()
