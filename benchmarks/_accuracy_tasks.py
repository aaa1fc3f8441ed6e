"""Datasets, noise, models and the per-task fitting of the accuracy benchmark.

Imported by ``bench_accuracy.py`` (and by its joblib workers): one task fits
every method on one (dataset, noise, model, seed) and returns a record per
method.
"""

import functools
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from noisy_sklearn import (
    NoiseRobustClassifier,
    make_noisy_labels,
    make_transition_matrix,
)
from noisy_sklearn.metrics import noise_aware_accuracy_score

STRATEGIES = ("prune", "reweight", "relabel", "correct")
# Methods beyond the strategies: their NoiseRobustClassifier parameters.
METHOD_PARAMS = {
    "baseline": {"strategy": "none"},
    "default": {},
    # The refit-saving option: predict with the fold models (no final fit).
    "correct_ensemble": {"strategy": "correct", "ensemble": True},
    # The default before maximum-likelihood T and prune_reweight, for comparison.
    "prune_cj": {"strategy": "prune", "transition_method": "confident_joint"},
}
TEST_SIZE = 0.3
# (name, kind, noise rate) of the simulated noise on the training labels.
NOISES = (
    ("symmetric-20", "symmetric", 0.2),
    ("symmetric-40", "symmetric", 0.4),
    ("pair-30", "pair", 0.3),
    ("random-40", "random", 0.4),
)
QUICK_DATASETS = (
    "iris",
    "wine",
    "breast_cancer",
    "digits",
    "synthetic_2class",
    "synthetic_10class",
)
QUICK_MODELS = ("logreg",)


def _synthetic_binary():
    return make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=6,
        n_redundant=6,
        n_classes=2,
        flip_y=0.0,
        random_state=0,
    )


def _synthetic_multiclass():
    return make_classification(
        n_samples=2000,
        n_features=20,
        n_informative=12,
        n_redundant=4,
        n_classes=10,
        n_clusters_per_class=1,
        class_sep=1.5,
        flip_y=0.0,
        random_state=0,
    )


DATASETS = {
    "iris": functools.partial(load_iris, return_X_y=True),
    "wine": functools.partial(load_wine, return_X_y=True),
    "breast_cancer": functools.partial(load_breast_cancer, return_X_y=True),
    "digits": functools.partial(load_digits, return_X_y=True),
    "synthetic_2class": _synthetic_binary,
    "synthetic_10class": _synthetic_multiclass,
}


def make_model(name, seed):
    """Build a fresh inner classifier.

    Parameters
    ----------
    name : {"logreg", "random_forest", "hist_gb"}
        Which model.
    seed : int
        ``random_state`` of the models that are random.

    Returns
    -------
    model : classifier
        An unfitted scikit-learn classifier.
    """
    if name == "logreg":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    if name == "random_forest":
        return RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=seed)
    if name == "hist_gb":
        return HistGradientBoostingClassifier(max_iter=50, random_state=seed)
    raise ValueError(f"unknown model {name!r}")


MODELS = ("logreg", "random_forest", "hist_gb")


@functools.cache
def load_dataset(name):
    """Load a dataset as float features and integer labels ``0..K-1``.

    Parameters
    ----------
    name : str
        A key of ``DATASETS``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    """
    X, y = DATASETS[name]()
    return np.asarray(X, dtype=np.float64), np.unique(y, return_inverse=True)[1]


def _issue_counts(flags, flipped):
    flags = np.asarray(flags, dtype=bool)
    return {
        "n_flagged": int(flags.sum()),
        "n_flipped": int(flipped.sum()),
        "true_positives": int(np.sum(flags & flipped)),
    }


def _t_mae(estimated, true):
    estimated = np.asarray(estimated, dtype=np.float64)
    if estimated.shape != true.shape:
        return float("nan")
    return float(np.mean(np.abs(estimated - true)))


def _timed_fit(make_and_fit):
    """Run ``make_and_fit()``; return (fitted, seconds, warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        fitted = make_and_fit()
        elapsed = time.perf_counter() - started
    messages = sorted({str(w.message).split("\n")[0][:300] for w in caught})
    return fitted, elapsed, messages


def _fit_robust(model, params, X, y, seed):
    return NoiseRobustClassifier(
        estimator=model, n_jobs=1, random_state=seed, **params
    ).fit(X, y)


def _fit_cleanlearning(model, X, y, seed):
    from cleanlab.classification import CleanLearning

    # n_jobs=1: one process per task (its multiprocessing pool also fails in
    # joblib workers, whose start method is not fork).
    return CleanLearning(
        clf=model, seed=seed, find_label_issues_kwargs={"n_jobs": 1}
    ).fit(X, y)


def run_task(dataset, noise, model_name, seed, methods):
    """Fit every method on one (dataset, noise, model, seed) and score it.

    BLAS and OpenMP run single-threaded: tasks run in parallel, and a
    multi-threaded OpenBLAS competing for the cores can slow a small logistic
    regression down a hundredfold.

    Parameters
    ----------
    dataset : str
        Dataset name.
    noise : tuple of (str, str, float)
        Noise name, kind and rate.
    model_name : str
        Inner model name.
    seed : int
        Seed of the split, the noise, the model and the meta-estimators.
    methods : list of str
        Methods to run (see the module docstring).

    Returns
    -------
    records : list of dict
        One record per method.
    """
    with threadpool_limits(limits=1):
        return _run_task(dataset, noise, model_name, seed, methods)


def noisy_split(dataset, noise, seed):
    """The train / test split of a task and its noisy training labels.

    Parameters
    ----------
    dataset : str
        Dataset name.
    noise : tuple of (str, str, float)
        Noise name, kind and rate.
    seed : int
        Seed of the split and the noise.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        The stratified split; ``y_train`` holds the clean training labels.
    T_true : ndarray of shape (n_classes, n_classes)
        The simulated transition matrix.
    y_noisy : ndarray
        The training labels after the noise.
    """
    _, kind, rate = noise
    X, y = load_dataset(dataset)
    n_classes = int(y.max()) + 1
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, stratify=y, random_state=seed
    )
    T_true = make_transition_matrix(n_classes, rate, kind=kind, random_state=seed)
    y_noisy = make_noisy_labels(
        y_train, T_true, classes=np.arange(n_classes), random_state=seed + 7919
    )
    return X_train, X_test, y_train, y_test, T_true, y_noisy


def _run_task(dataset, noise, model_name, seed, methods):
    base = {"dataset": dataset, "noise": noise[0], "model": model_name, "seed": seed}
    try:
        X_train, X_test, y_train, y_test, T_true, y_noisy = noisy_split(
            dataset, noise, seed
        )
    except Exception as exc:  # reported, not fatal: the benchmark goes on
        error = f"noise: {type(exc).__name__}: {exc}"
        return [{**base, "method": m, "error": error} for m in methods]
    flipped = y_noisy != y_train
    base["true_noise_rate"] = float(flipped.mean())
    base["n_train"] = int(y_train.shape[0])
    default_strategy = NoiseRobustClassifier().strategy

    records, fitted_models = {}, {}
    for method in methods:
        if method == "default" and default_strategy in records:
            # Same parameters and seed as that strategy's run: fit is identical.
            records[method] = {
                **records[default_strategy],
                "reused_from": default_strategy,
            }
            if default_strategy in fitted_models:
                fitted_models[method] = fitted_models[default_strategy]
            continue
        record = {**base}
        model = make_model(model_name, seed)
        try:
            if method == "oracle":
                fitted, seconds, messages = _timed_fit(
                    lambda m=model: clone(m).fit(X_train, y_train)
                )
            elif method == "cleanlearning":
                fitted, seconds, messages = _timed_fit(
                    lambda m=model: _fit_cleanlearning(m, X_train, y_noisy, seed)
                )
                record["T_mae"] = _t_mae(np.asarray(fitted.noise_matrix).T, T_true)
                flags = fitted.label_issues_df["is_label_issue"].to_numpy()
                record.update(_issue_counts(flags, flipped))
            else:
                params = METHOD_PARAMS.get(method, {"strategy": method})
                fitted, seconds, messages = _timed_fit(
                    lambda m=model, p=params: _fit_robust(m, p, X_train, y_noisy, seed)
                )
                record["T_mae"] = _t_mae(fitted.transition_matrix_, T_true)
                record.update(_issue_counts(fitted.label_issues_, flipped))
                record["strategy_"] = fitted.strategy_
                record["noise_rate_"] = float(fitted.noise_rate_)
            record["accuracy"] = float(np.mean(fitted.predict(X_test) == y_test))
            record["fit_time"] = seconds
            record["warnings"] = messages
            fitted_models[method] = fitted
        except Exception as exc:  # reported, not fatal
            record["error"] = f"{type(exc).__name__}: {exc}"
        records[method] = record
    out = [{**records[m], "method": m} for m in methods]
    selection = _select_strategy(fitted_models, X_test, y_test, T_true, seed)
    if selection is not None:
        out.append({**base, "method": "selection", **selection})
    return out


# Strategies a user would grid-search over, and the two ways of choosing.
SELECTION_CANDIDATES = (
    "baseline",
    "default",
    "prune",
    "reweight",
    "relabel",
    "correct",
)


def _select_strategy(fitted_models, X_test, y_test, T_true, seed):
    """Choose a strategy as a user would, with noisy validation labels only.

    Half of the test set (stratified) becomes a validation set whose labels
    are corrupted by the same T as the training labels; each fitted strategy
    is scored there by plain accuracy and by the noise-aware accuracy (with
    the T estimated in training, not the true one). The clean accuracy of
    each pick is measured on the other half.
    """
    candidates = [m for m in SELECTION_CANDIDATES if m in fitted_models]
    if len(candidates) < 2 or "baseline" not in candidates:
        return None
    n_classes = T_true.shape[0]
    val, hold = train_test_split(
        np.arange(y_test.shape[0]), test_size=0.5, stratify=y_test, random_state=seed
    )
    y_val_noisy = make_noisy_labels(
        y_test[val], T_true, classes=np.arange(n_classes), random_state=seed + 104729
    )
    # Every strategy shares the folds (same seed), so the same estimated T.
    T_hat = fitted_models["baseline"].transition_matrix_
    plain, aware, held_out = {}, {}, {}
    for name in candidates:
        model = fitted_models[name]
        pred_val = model.predict(X_test[val])
        plain[name] = float(np.mean(pred_val == y_val_noisy))
        aware[name] = noise_aware_accuracy_score(
            y_val_noisy, pred_val, T_hat, classes=np.arange(n_classes)
        )
        held_out[name] = float(np.mean(model.predict(X_test[hold]) == y_test[hold]))
    by_plain = max(candidates, key=plain.get)
    by_aware = max(candidates, key=aware.get)
    return {
        "picked_by_accuracy": by_plain,
        "picked_by_noise_aware": by_aware,
        "holdout_by_accuracy": held_out[by_plain],
        "holdout_by_noise_aware": held_out[by_aware],
        "holdout_best": max(held_out.values()),
        "holdout_baseline": held_out["baseline"],
    }


def task_cost(dataset, model_name):
    """Rough relative cost of a task, to start the slowest tasks first.

    Parameters
    ----------
    dataset : str
        Dataset name.
    model_name : str
        Inner model name.

    Returns
    -------
    cost : float
        Arbitrary units; only the order matters.
    """
    X, y = load_dataset(dataset)
    n_classes = int(y.max()) + 1
    per_model = {"logreg": 0.05, "random_forest": 1.0, "hist_gb": 0.15 * n_classes}
    return X.shape[0] * per_model[model_name]
