"""skae against a bare PyTorch loop, side by side in one process.

For each case — digits-size MLP (64 features, hidden (128,), code 16,
n = 1,797, 20 epochs), Fashion-MNIST-size MLP (784 features, (512, 256),
code 32, n = 12,000, 2 epochs) and Fashion-MNIST-size conv net (28 x 28,
channels (32, 64), code 32, n = 12,000, 2 epochs), at batch sizes 32 and 256
— it times, interleaved over several repeats, with the same architecture,
data, batch size and epochs:

* ``fit`` vs a bare loop: ``DataLoader`` over a ``TensorDataset`` with
  ``shuffle=True``, Adam, MSE;
* ``transform`` vs the bare encoder's forward pass over the whole tensor;
* one-row ``transform`` (and ``SAEClassifier.predict``) vs sklearn's input
  check plus the bare network's forward pass on that row.

It also measures the peak memory of transforming 60,000 x 784, and
GridSearchCV with ``n_jobs=2`` against ``n_jobs=1``. Writes
``benchmarks/results/speed.md``.

    python benchmarks/speed.py [--repeats 5] [--out DIR]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import GridSearchCV
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report  # noqa: E402

from sklearn.utils.validation import validate_data  # noqa: E402

from skae import AETransformer, ConvAETransformer, SAEClassifier  # noqa: E402
from skae.datasets import load_digits  # noqa: E402

CASES = [
    # name, kind, n_features, hidden sizes (or conv channels), n_components, n_samples, epochs
    ("digits-size", "mlp", 64, (128,), 16, 1797, 20),
    ("Fashion-MNIST-size", "mlp", 784, (512, 256), 32, 12000, 2),
    ("Fashion-MNIST-size conv", "conv", 784, (32, 64), 32, 12000, 2),
]
BATCH_SIZES = (32, 256)


def data(n_features, n_samples, seed=0):
    if n_features == 64:
        return load_digits(return_X_y=True)[0][:n_samples]
    return np.random.RandomState(seed).rand(n_samples, n_features).astype(np.float32)


def bare_mlp(n_features, hidden_sizes, n_components):
    """The same architecture as AETransformer builds, written out by hand."""
    widths = (n_features, *hidden_sizes, n_components)

    def stack(ws):
        layers = []
        for i, (a, b) in enumerate(zip(ws[:-1], ws[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(ws) - 2:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers)

    return stack(widths), stack(widths[::-1])


def bare_conv(n_features, channels, n_components):
    """The same architecture as ConvAETransformer builds for 28 x 28 images, by hand."""
    assert n_features == 784 and tuple(channels) == (32, 64)
    encoder = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 32, 3, stride=2, padding=1),  # 14 x 14
        nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1),  # 7 x 7
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, n_components),
    )
    decoder = nn.Sequential(
        nn.Linear(n_components, 64 * 7 * 7),
        nn.ReLU(),
        nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 3, 2, padding=1, output_padding=1),  # 14 x 14
        nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 3, 2, padding=1, output_padding=1),  # 28 x 28
        nn.Flatten(),
    )
    return encoder, decoder


def bare_fit(X, kind, sizes, n_components, batch_size, epochs):
    make = bare_conv if kind == "conv" else bare_mlp
    encoder, decoder = make(X.shape[1], sizes, n_components)
    model = nn.Sequential(encoder, decoder)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X)), batch_size=batch_size, shuffle=True
    )
    start = time.perf_counter()
    model.train()
    for _ in range(epochs):
        for (xb,) in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), xb)
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start, encoder


def make_skae(kind, sizes, n_components, batch_size, epochs, fused=True):
    params = dict(
        n_components=n_components,
        batch_size=batch_size,
        max_epochs=epochs,
        random_state=0,
        net_params=None if fused else {"optimizer__fused": False},
    )
    if kind == "conv":
        return ConvAETransformer((28, 28), sizes, **params)
    return AETransformer(sizes, **params)


def skae_fit(X, kind, sizes, n_components, batch_size, epochs, fused=True):
    ae = make_skae(kind, sizes, n_components, batch_size, epochs, fused)
    start = time.perf_counter()
    ae.fit(X)
    return time.perf_counter() - start, ae


def bare_transform(encoder, X):
    start = time.perf_counter()
    with torch.inference_mode():
        encoder.eval()
        encoder(torch.from_numpy(X)).numpy()
    return time.perf_counter() - start


def skae_transform(ae, X):
    start = time.perf_counter()
    ae.transform(X)
    return time.perf_counter() - start


def per_call(f, calls=2000):
    """Median seconds of one call of ``f``, over 5 runs of ``calls`` calls after a warm-up."""
    for _ in range(100):
        f()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            f()
        runs.append((time.perf_counter() - start) / calls)
    return statistics.median(runs)


def one_row(est, network, X, method):
    """One row through ``est.<method>`` against sklearn's check + ``network`` on that row."""
    x = X[:1]

    def reference():
        checked = validate_data(est, x, reset=False, dtype="numeric")
        with torch.inference_mode():
            network(torch.from_numpy(np.asarray(checked, dtype=np.float32))).numpy()

    network.eval()
    skae = per_call(lambda: getattr(est, method)(x))
    ref = per_call(reference)
    return {"method": method, "skae_us": skae * 1e6, "reference_us": ref * 1e6, "ratio": skae / ref}


def compare_case(case, batch_size, repeats):
    name, kind, n_features, sizes, latent, n, epochs = case
    X = data(n_features, n)
    fit_times = {"bare": [], "skae": [], "skae_unfused": []}
    tr_times = {"bare": [], "skae": []}
    X_big = (
        np.random.RandomState(1)
        .rand(60000 if n_features == 784 else 20000, n_features)
        .astype(np.float32)
    )
    for r in range(repeats):
        # alternate who goes first, so that drift in machine speed cancels
        order = ("bare", "skae") if r % 2 == 0 else ("skae", "bare")
        for who in order:
            if who == "bare":
                seconds, encoder = bare_fit(X, kind, sizes, latent, batch_size, epochs)
            else:
                seconds, ae = skae_fit(X, kind, sizes, latent, batch_size, epochs)
            fit_times[who].append(seconds)
        # the same library with torch's default (unfused) Adam, as the bare loop uses
        fit_times["skae_unfused"].append(
            skae_fit(X, kind, sizes, latent, batch_size, epochs, fused=False)[0]
        )
        for who in order:
            tr_times[who].append(
                bare_transform(encoder, X_big) if who == "bare" else skae_transform(ae, X_big)
            )
    fit = {k: n * epochs / statistics.median(v) for k, v in fit_times.items()}
    tr = {k: len(X_big) / statistics.median(v) for k, v in tr_times.items()}
    row = {
        "case": name,
        "batch_size": batch_size,
        "fit_bare": fit["bare"],
        "fit_skae": fit["skae"],
        "fit_ratio": fit["skae"] / fit["bare"],
        "fit_ratio_unfused": fit["skae_unfused"] / fit["bare"],
        "transform_rows": len(X_big),
        "transform_bare": tr["bare"],
        "transform_skae": tr["skae"],
        "transform_ratio": tr["skae"] / tr["bare"],
    }
    return row, ae


def latency_rows(fitted):
    """One-row transform of each fitted case, and one-row predict of an SAEClassifier."""
    rows = []
    for name, ae in fitted.items():
        X = data(ae.n_features_in_, 10)
        rows.append({"case": name, **one_row(ae, ae.module_.encoder, X, "transform")})
    X, y = load_digits(return_X_y=True)
    clf = SAEClassifier((128,), 16, pretrain_epochs=2, max_epochs=2, random_state=0).fit(X, y)
    rows.append({"case": "digits-size classifier", **one_row(clf, clf.module_, X, "predict")})
    return rows


MEMORY_CHILD = r"""
import sys, threading, time
import numpy as np
from skae import AETransformer

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096

X = np.random.RandomState(0).rand(60000, 784).astype(np.float32)
ae = AETransformer(max_epochs=1, random_state=0).fit(X[:2000])
ae.transform(X[:10])  # warm up
before = rss()
peak = [before]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.0005)
t = threading.Thread(target=sample); t.start()
Z = ae.transform(X)
done.set(); t.join()
peak[0] = max(peak[0], rss())
print(X.nbytes, Z.nbytes, peak[0] - before)
"""


def transform_memory():
    """Peak RSS growth while transforming 60,000 x 784 float32 (input already loaded)."""
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD], capture_output=True, text=True, check=True
    )
    x_bytes, z_bytes, extra = map(int, out.stdout.split())
    return x_bytes, z_bytes, extra


def grid_search_jobs(repeats):
    """GridSearchCV over n_components with n_jobs=1 and n_jobs=2, interleaved."""
    X = load_digits(return_X_y=True)[0]
    grid = {"n_components": [4, 8, 16, 32]}
    times = {1: [], 2: []}
    for r in range(repeats):
        for n_jobs in (1, 2) if r % 2 == 0 else (2, 1):
            search = GridSearchCV(
                AETransformer((128,), max_epochs=20, random_state=0), grid, cv=2, n_jobs=n_jobs
            )
            start = time.perf_counter()
            search.fit(X)
            times[n_jobs].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}


def markdown(rows, latency, memory, grid, args):
    x_bytes, z_bytes, extra = memory
    mib = 2**20
    lines = [
        "# Speed: skae against a bare PyTorch loop",
        "",
        "Generated by `benchmarks/speed.py`; do not edit by hand.",
        "",
        *args.provenance,
        f"- method: in one process, skae and the bare loop alternate over {args.repeats} repeats; "
        "the median time of each gives samples/s. "
        "Bare fit: `DataLoader(TensorDataset(X), batch_size, shuffle=True)`, "
        "Adam lr 1e-3, MSE, the same architecture. Bare transform: the encoder's forward "
        "pass over the whole tensor under `torch.inference_mode()`.",
        "- skae trains with torch's fused Adam kernel where torch has it "
        "(CPU since torch 2.4), the "
        "same algorithm in one pass over the parameters; the column *unfused* runs skae with "
        "`net_params={'optimizer__fused': False}`, i.e. the very Adam kernel of the bare loop, and "
        "so isolates what the rest of the library (skorch's loop, batching, validation) costs.",
        "",
        "| case | batch | fit samples/s, bare | fit samples/s, skae | skae / bare | "
        "skae / bare, unfused | transform rows/s, bare | transform rows/s, skae | skae / bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['batch_size']} | {r['fit_bare']:,.0f} | {r['fit_skae']:,.0f} | "
            f"**{r['fit_ratio']:.2f}** | {r['fit_ratio_unfused']:.2f} | "
            f"{r['transform_bare']:,.0f} | {r['transform_skae']:,.0f} | "
            f"**{r['transform_ratio']:.2f}** |"
        )
    lines += [
        "",
        "Digits-size: 64-128-16, n = 1,797, 20 epochs; transform of 20,000 rows. "
        "Fashion-MNIST-size: 784-512-256-32, n = 12,000, 2 epochs; transform of 60,000 rows. "
        "Fashion-MNIST-size conv: 28 x 28 -> conv 32 -> conv 64 (stride 2) -> 32 and back, "
        "n = 12,000, 2 epochs; transform of 60,000 rows.",
        "",
        "## One row",
        "",
        "Median time of one call on one row (after a warm-up, 5 x 2,000 calls), against the "
        "reference: sklearn's `validate_data` on that row plus the bare network's forward pass "
        "on it (the encoder for `transform`, the whole classifier for `predict`). Target: at "
        "most 2x the reference.",
        "",
        "| case | method | skae µs | reference µs | skae / reference |",
        "| --- | --- | ---: | ---: | ---: |",
        *(
            f"| {r['case']} | {r['method']} | {r['skae_us']:.0f} | {r['reference_us']:.0f} | "
            f"**{r['ratio']:.2f}** |"
            for r in latency
        ),
        "",
        "## Memory of transforming 60,000 x 784 (float32)",
        "",
        f"- input {x_bytes / mib:.0f} MiB, output {z_bytes / mib:.1f} MiB; "
        "peak growth of the process "
        f"during `transform`: **{extra / mib:.1f} MiB** (target: at most output + 64 MiB "
        f"= {z_bytes / mib + 64:.1f} MiB): {'met' if extra <= z_bytes + 64 * mib else 'MISSED'}",
        "",
        "## GridSearchCV, n_jobs=2 against n_jobs=1",
        "",
        "AETransformer((128,), max_epochs=20) on digits, `n_components` in (4, 8, 16, 32), cv=2 "
        f"(8 fits), median of {args.repeats}:",
        "",
        f"- n_jobs=1: {grid[1]:.1f} s; n_jobs=2: {grid[2]:.1f} s; "
        f"n_jobs=2 is {grid[1] / grid[2]:.2f}x as fast",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    args.provenance = report.provenance()
    rows, fitted = [], {}
    for case in CASES:
        for batch_size in BATCH_SIZES:
            row, fitted[case[0]] = compare_case(case, batch_size, args.repeats)
            print(
                f"{row['case']}, batch {batch_size}: "
                f"fit {row['fit_skae']:,.0f} vs {row['fit_bare']:,.0f} "
                f"samples/s ({row['fit_ratio']:.2f}x, unfused {row['fit_ratio_unfused']:.2f}x); "
                f"transform {row['transform_ratio']:.2f}x",
                flush=True,
            )
            rows.append(row)
    latency = latency_rows(fitted)
    for r in latency:
        print(f"one row, {r['case']} {r['method']}: {r['ratio']:.2f}x the reference", flush=True)
    memory = transform_memory()
    print(f"transform memory: peak growth {memory[2] / 2**20:.1f} MiB", flush=True)
    grid = grid_search_jobs(args.repeats)
    print(f"GridSearchCV: n_jobs=1 {grid[1]:.1f} s, n_jobs=2 {grid[2]:.1f} s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.md").write_text(markdown(rows, latency, memory, grid, args))
    print(f"wrote {args.out / 'speed.md'}")


if __name__ == "__main__":
    main()
