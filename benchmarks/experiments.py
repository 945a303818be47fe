"""The experiments, as data: ``configs/<name>.yaml`` is experiment ``<name>``.

An experiment names its ``protocol`` (a function of ``protocols.py`` or ``systems.py``),
``dataset`` (one or a list), ``split`` ("test", or "validation" for tuning), ``seeds``,
``table`` (the columns reported), ``about`` (its settings, for the report) and ``jobs``;
and where it has them ``targets``, ``figures``, ``pivot``, ``labels``, ``dataset_rows``,
``lower_is_better``, ``overall`` and ``select``: a rule below that chooses from the
results of a tuning experiment and writes the choice to ``configs/<name>.json``.

A job entry is a ``method``, its ``estimator`` ("module.Class", or a skae class's name;
none for the raw data) with ``params`` (a parameter may be an estimator in the same form,
``{estimator, params}``) and ``schedule``, and whatever its protocol reads; and where
needed:

- ``sizes``: one job per size, its ``size`` and ``params.n_components`` that size;
  ``at: {size: keys}``: keys of one size's job;
- ``each``: a list of keys (and ``params``): one job with each;
- ``tuned``: ``["tune-x.key"]``: parameters as tuning experiment tune-x chose them (a
  mapping is merged into ``params``), the estimator's own default until tune-x has run;
- a parameter ``$code_size``: the default detector's code size on each data set;
- ``seeds``, ``datasets``: instead of the experiment's.

``defaults`` are keys every entry has unless it sets its own; YAML anchors share settings
between entries. ``run.py`` expands the jobs over their seeds and data sets.

Every key is checked: an experiment's against ``EXPERIMENT_KEYS``, an entry's (and its
``each`` and ``at`` items') against ``ENTRY_KEYS`` and the keys its protocol reads (see
``protocols.register``), a target's against :func:`target`'s parameters; an unknown key
is an error naming it and the allowed ones. Selection rules are registered by
``@rule``.
"""

import inspect
import json
import math
from pathlib import Path

import yaml

import mixed  # noqa: F401  (registers its protocols)
import tables  # noqa: F401  (registers its protocols)
import protocols
import systems  # noqa: F401  (registers its protocols)
from skae.outlier import default_code_size

CONFIGS = Path(__file__).resolve().parent / "configs"
# ADBench's 28 "classical" sets in ../shared/data/adbench: file stem -> columns
ADBENCH = {
    "1_ALOI": 27, "2_annthyroid": 6, "5_campaign": 62, "7_Cardiotocography": 21, "8_celeba": 39,
    "10_cover": 10, "11_donors": 10, "15_Hepatitis": 19, "16_http": 3, "17_InternetAds": 1555,
    "19_landsat": 36, "20_letter": 32, "21_Lymphography": 18, "22_magic.gamma": 10,
    "24_mnist": 100, "26_optdigits": 64, "28_pendigits": 16, "30_satellite": 36,
    "32_shuttle": 9, "33_skin": 3, "34_smtp": 3, "35_SpamBase": 57, "37_Stamps": 9,
    "39_vertebral": 6, "40_vowels": 12, "42_WBC": 9, "43_WDBC": 30, "45_wine": 13,
}  # fmt: skip


# the keys of an experiment, and those every entry may have (its protocol's own besides)
EXPERIMENT_KEYS = {
    "protocol", "dataset", "split", "seeds", "table", "about", "jobs", "defaults", "targets",
    "figures", "pivot", "labels", "dataset_rows", "lower_is_better", "overall", "select",
    "image_shape", "main", "by",
}  # fmt: skip
ENTRY_KEYS = {"method", "estimator", "params", "schedule", "sizes", "size", "at", "each",
              "tuned", "seeds", "datasets", "heavy"}  # fmt: skip
# selection rule name -> function (registered by @rule)
RULES = {}


def rule(select):
    """Register a selection rule under its name, for an experiment's ``select``."""
    RULES[select.__name__] = select
    return select


def code_size(dataset):
    """The default detector's code size on ``dataset`` (skae's own rule,
    :func:`skae.outlier.default_code_size`); Fashion-MNIST's images have 784 columns."""
    return default_code_size(ADBENCH.get(dataset.removeprefix("adbench/"), 784))


def _check_keys(keys, allowed, where):
    """Refuse keys outside ``allowed``, naming them and the allowed ones."""
    unknown = sorted(set(keys) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))}; the allowed keys are "
                         f"{', '.join(sorted(allowed))}.")  # fmt: skip


def check(exp, name="experiment"):
    """Every key of the experiment ``exp`` (as YAML gives it) known, or a ValueError."""
    _check_keys(exp, EXPERIMENT_KEYS, name)
    if exp.get("protocol") not in protocols.PROTOCOLS:
        raise ValueError(f"{name}: protocol {exp.get('protocol')!r} is none of "
                         f"{', '.join(sorted(protocols.PROTOCOLS))}.")  # fmt: skip
    allowed = ENTRY_KEYS | protocols.PROTOCOLS[exp["protocol"]].keys
    for i, entry in enumerate([exp.get("defaults", {}), *exp["jobs"]]):
        where = f"{name}, " + (f"job {i} ({entry.get('method', '?')})" if i else "defaults")
        _check_keys(entry, allowed, where)
        for keys in entry.get("each", []):
            _check_keys(keys, allowed - {"each"}, f"{where}, each")
        for size, keys in (entry.get("at") or {}).items():
            _check_keys(keys, allowed - {"each", "at"}, f"{where}, at {size}")
    for target_ in exp.get("targets", ()):
        _check_keys(target_, inspect.signature(target).parameters, f"{name}, a target")
    if "select" in exp and exp["select"] not in RULES:
        raise ValueError(f"{name}: select {exp['select']!r} is none of the rules "
                         f"{', '.join(sorted(RULES))}.")  # fmt: skip


def est(path, schedule=None, **params):
    """An estimator spec: ``path`` is "module.Class" (``skae.X`` for skae's own)."""
    spec = {"estimator": path if "." in path else f"skae.{path}", "params": params}
    return spec | ({"schedule": schedule} if schedule else {})


def target(text, metric, op, value, methods=None, sizes=None, where=None, worst=False):
    """A target: the best ``metric`` of ``methods`` (all, by default) at ``sizes`` (and in
    the rows whose keys have the values of ``where``) compared with ``value``, a number or
    another target's spec (its best, in the same rows); ``worst``: every row must meet it."""
    return dict(text=text, metric=metric, op=op, value=value, methods=methods, sizes=sizes,
                where=where, worst=worst)


def tuned(name):
    """The choices a tuning experiment wrote to ``configs/<name>.json``."""
    path = CONFIGS / f"{name}.json"
    return json.loads(path.read_text())["defaults"] if path.exists() else {}


def _spec(value):
    """``value`` with its estimator specs completed (nested ones, in lists too)."""
    if isinstance(value, dict) and "estimator" in value:
        params = {k: _spec(v) for k, v in value.get("params", {}).items()}
        return est(value["estimator"], value.get("schedule"), **params)
    return [_spec(v) for v in value] if isinstance(value, list) else value


def _merge(entry, keys):
    """``entry`` with ``keys`` set, their ``params`` added to its own."""
    params = entry.get("params", {}) | keys.get("params", {})
    return entry | keys | ({"params": params} if params else {})


def entries(entry, exp):
    """The jobs of one entry of an experiment, before its seeds and data sets."""
    entry = _merge(exp.get("defaults", {}), entry)
    jobs = []
    for keys in entry.pop("each", [{}]):
        job = _merge(entry, keys)
        for name in job.pop("tuned", []):
            experiment, key = name.split(".")
            value = tuned(experiment).get(key)
            if value is not None:
                job = _merge(job, {"params": value if isinstance(value, dict) else {key: value}})
        at = job.pop("at", {})
        for size in job.pop("sizes", [None]):
            sized = job if size is None else _merge(
                job, {"size": size, **at.get(size, {}), "params": {"n_components": size}})
            params, schedule = sized.pop("params", {}), sized.pop("schedule", None)
            name = sized.pop("estimator", None)
            sized["estimator"] = name and _spec(dict(estimator=name, params=params,
                                                     schedule=schedule))  # fmt: skip
            jobs += _per_dataset(sized, exp)
    return jobs


def _per_dataset(job, exp):
    """``job``, or one job per data set where a parameter is ``$code_size``."""
    text = json.dumps(job)
    if "$code_size" not in text:
        return [job]
    return [json.loads(text.replace('"$code_size"', str(code_size(d)))) | {"datasets": [d]}
            for d in job.get("datasets", exp["dataset"])]  # fmt: skip


def load(text, name="experiment"):
    """The experiment of YAML ``text``, its keys checked, its jobs expanded (but for seeds
    and data sets)."""
    exp = yaml.safe_load(text)
    check(exp, name)
    for key in ("dataset", "seeds", "table", "figures", "image_shape"):
        if isinstance(exp.get(key), list):
            exp[key] = tuple(exp[key])
    exp["targets"] = [target(**t) for t in exp.get("targets", ())]
    exp["jobs"] = [job for entry in exp["jobs"] for job in entries(entry, exp)]
    exp.pop("defaults", None)
    if "select" in exp:
        exp["select"] = RULES[exp["select"]]
    return exp


# -- the selection rules of the tuning experiments ------------------------------------------


def _params(exp, method):
    """The estimator parameters of ``method``'s (first) job in ``exp``."""
    return next(j for j in exp["jobs"] if j["method"] == method)["estimator"]["params"]


@rule
def select_defaults(rows, exp):
    """The overcomplete default: the candidate whose worst margin over BernoulliRBM(100)
    across the six columns (two data sets x three downstream protocols) is the largest;
    margins within 0.005 of the best tie, and then a code without top-k wins. The
    undercomplete default: the best worst column."""
    def margin(r):
        return min(r[c] - rbm[c] for c in r["columns"])

    def code(method):
        params = _params(exp, method)
        keys = ("hidden_sizes", "latent_activation", "sparsity", "top_k")
        return {k: params[k] for k in keys} | {"method": method}

    rbm = next(r for r in rows if r["method"] == "rbm")
    over = [r for r in rows if r["method"].startswith("dae") and r["size"] == 100]
    top = max(margin(r) for r in over)
    best = max((r for r in over if margin(r) >= top - 0.005),
               key=lambda r: (code(r["method"])["top_k"] is None, margin(r)))
    under = [r for r in rows if r["size"] == 32]
    best_under = max(under, key=lambda r: min(r[c] for c in r["columns"]))
    return {"overcomplete": code(best["method"]), "vs RBM": round(margin(best), 4),
            "undercomplete": code(best_under["method"]), "noise": "masking"}  # fmt: skip


@rule
def select_beta(rows, exp):
    """The VAE's beta: the candidate with the best validation accuracy."""
    best = max((r for r in rows if r["method"].startswith("vae")), key=lambda r: r["accuracy"])
    return {"beta": _params(exp, best["method"])["beta"], "accuracy": round(best["accuracy"], 4)}


# a tied candidate must be this much cheaper than the best to be chosen instead: between
# settings of the same cost (a score's weight), fit seconds differ by this machine's noise
CHEAPER = 0.8


def _cheapest_of_the_best(score, seconds, tie):
    """The method of the best ``score`` (higher is better), or, within ``tie`` of it, the
    one of the fewest ``seconds`` if it takes less than ``CHEAPER`` times the best's."""
    best = max(score, key=score.get)
    tied = [m for m in score if score[m] >= score[best] - tie]
    cheapest = min(tied, key=seconds)
    return cheapest if seconds(cheapest) < CHEAPER * seconds(best) else best


@rule
def select_imputer(rows, exp):
    """The default: the candidate with the smallest mean log(RMSE / MICE's RMSE) over every
    data set and condition; candidates within 0.01 of the best tie, and the cheapest of
    them (by fit seconds) wins if it takes less than 0.8 of the best's time."""
    mice = {(r["dataset"], r["condition"]): r["rmse"] for r in rows if r["method"] == "mice"}
    logs, seconds = {}, {}
    for r in rows:
        if r["method"].startswith("dae"):
            logs.setdefault(r["method"], []).append(
                math.log(r["rmse"] / mice[r["dataset"], r["condition"]]))
            seconds[r["method"]] = seconds.get(r["method"], 0.0) + r["fit_seconds"]
    mean = {m: sum(v) / len(v) for m, v in logs.items()}
    best = _cheapest_of_the_best({m: -v for m, v in mean.items()}, seconds.get, 0.01)
    job = next(j for j in exp["jobs"] if j["method"] == best)
    return {"method": best, "settings": job["estimator"]["params"], "steps": job.get("steps"),
            "mean log(RMSE / MICE)": round(mean[best], 4),
            "all": {m: round(v, 4) for m, v in sorted(mean.items(), key=lambda x: x[1])}}


@rule
def select_mixed_imputer(rows, exp):
    """The default: the candidate with the smallest mean over the tables of
    (log(NRMSE / SimpleImputer's) + log(PFC / SimpleImputer's)) / 2; candidates within 0.01
    of the best tie, and the cheapest of them (by fit seconds) wins if it takes less than
    0.8 of the best's time."""
    simple = {r["dataset"]: r for r in rows if r["method"] == "simple"}
    logs, seconds = {}, {}
    for r in rows:
        if r["method"].startswith("dae"):
            ref = simple[r["dataset"]]
            logs.setdefault(r["method"], []).append(
                (math.log(r["nrmse"] / ref["nrmse"]) + math.log(r["pfc"] / ref["pfc"])) / 2)
            seconds[r["method"]] = seconds.get(r["method"], 0.0) + r["fit_seconds"]
    mean = {m: sum(v) / len(v) for m, v in logs.items()}
    best = _cheapest_of_the_best({m: -v for m, v in mean.items()}, seconds.get, 0.01)
    job = next(j for j in exp["jobs"] if j["method"] == best)
    return {"method": best, "settings": job["estimator"]["params"],
            "mean log(error / SimpleImputer's)": round(mean[best], 4),
            "all": {m: round(v, 4) for m, v in sorted(mean.items(), key=lambda x: x[1])}}


@rule
def select_detector(rows, exp):
    """The default: the candidate with the largest mean of its two margins over
    IsolationForest (its mean AUROC over ADBench's sets, and over Fashion-MNIST's classes,
    minus the forest's); candidates within 0.002 of the best tie, and the cheapest of them
    (by fit seconds) wins if it takes less than 0.8 of the best's time."""
    def mean(method, prefix, metric="auroc"):
        values = [r[metric] for r in rows if r["method"] == method and metric in r
                  and r["dataset"].startswith(prefix)]  # fmt: skip
        return sum(values) / len(values)

    candidates = [m for m in dict.fromkeys(r["method"] for r in rows) if m != "isolation_forest"]
    margins = {m: {p: mean(m, p) - mean("isolation_forest", p) for p in ("adbench", "one-class")}
               for m in candidates}  # fmt: skip
    score = {m: (v["adbench"] + v["one-class"]) / 2 for m, v in margins.items()}
    best = _cheapest_of_the_best(score, lambda m: mean(m, "", "fit_seconds"), 0.002)
    params = _params(exp, best)
    model = params["estimator"]["params"]
    return {"method": best, "settings": {k: v for k, v in params.items() if k != "estimator"},
            "hidden_sizes": model["hidden_sizes"], "noise_level": model.get("noise_level"),
            "margin over IsolationForest": {k: round(v, 4) for k, v in margins[best].items()},
            "all": {m: round(v, 4) for m, v in sorted(score.items(), key=lambda x: -x[1])}}


LABELS = yaml.safe_load((CONFIGS / "labels.yaml").read_text())  # the methods' names in figures
EXPERIMENTS = {p.stem: load(p.read_text(), p.stem) for p in sorted(CONFIGS.glob("*.yaml"))
               if p.stem != "labels"}
