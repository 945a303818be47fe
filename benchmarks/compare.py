"""The feature benchmark by its earlier name: ``compare.py --dataset digits|fashion-mnist``
is ``run.py digits`` or ``run.py fashion-mnist`` (raw pixels, PCA, the RBM and skae's
transformers, each followed by LogisticRegression)."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=("digits", "fashion-mnist"), default="digits")
    parser.add_argument("--out", type=Path, default=run.HERE / "results")
    parser.add_argument("--jobs", type=int, help="light jobs run at a time (default: every core)")
    args = parser.parse_args(argv)
    jobs = [] if args.jobs is None else ["--jobs", str(args.jobs)]
    run.main([args.dataset, "--out", str(args.out), *jobs])


if __name__ == "__main__":
    main()
