"""Workloads and timers of the speed benchmark (see bench_speed.py)."""

import time
import tracemalloc
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from noisy_sklearn import (
    NoiseRobustClassifier,
    estimate_transition_matrix,
    find_label_issues,
    label_quality_scores,
    make_noisy_labels,
    make_transition_matrix,
)

N_FEATURES = 20
CV = 5
NOISE_RATE = 0.2
# The fit table times ours and CleanLearning in up to FIT_ROUNDS rounds,
# another while a round takes under REPEAT_BELOW_SECONDS.
FIT_ROUNDS = 5
REPEAT_BELOW_SECONDS = 120.0

# Seconds spent inside the wrapped model's fit / predict_proba / predict, in
# this process (with n_jobs=1 every fold runs here), and the wall time of the
# fold phase (measured here whatever n_jobs).
INNER_SECONDS = {"fit": 0.0, "predict": 0.0, "last_fit": 0.0, "folds": 0.0}


def make_model(name, seed):
    """The inner model of a workload.

    ``"sgd"`` is a fast linear model (logistic loss, its default stopping
    rule, at most 20 epochs as is usual on large data); ``"hgb"`` is gradient
    boosting with its defaults (early stopping above 10k samples).
    """
    if name == "sgd":
        return SGDClassifier(loss="log_loss", max_iter=20, random_state=seed)
    if name == "hgb":
        return HistGradientBoostingClassifier(random_state=seed)
    raise ValueError(f"unknown model {name!r}")


class TimedClassifier(ClassifierMixin, BaseEstimator):
    """Wrap a classifier and add the seconds of its calls to INNER_SECONDS.

    Parameters
    ----------
    estimator : classifier
        The model being timed.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, sample_weight=None):
        """Fit a clone of the estimator, timed.

        Returns
        -------
        self : TimedClassifier
        """
        model = clone(self.estimator)
        params = {} if sample_weight is None else {"sample_weight": sample_weight}
        started = time.perf_counter()
        model.fit(X, y, **params)
        elapsed = time.perf_counter() - started
        INNER_SECONDS["fit"] += elapsed
        INNER_SECONDS["last_fit"] = elapsed
        self.estimator_ = model
        self.classes_ = model.classes_
        return self

    def predict_proba(self, X):
        """Timed ``predict_proba``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        started = time.perf_counter()
        proba = self.estimator_.predict_proba(X)
        INNER_SECONDS["predict"] += time.perf_counter() - started
        return proba

    def predict(self, X):
        """Timed ``predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        started = time.perf_counter()
        pred = self.estimator_.predict(X)
        INNER_SECONDS["predict"] += time.perf_counter() - started
        return pred


class FoldPhaseTimed(NoiseRobustClassifier):
    """NoiseRobustClassifier that adds the wall time of its fold phase to INNER_SECONDS.

    The fold phase is the out-of-fold step: dispatching the fold fits to
    joblib, the fits and predictions, and gathering the probabilities; the
    estimation and the final fit come after it.
    """

    def _out_of_fold_proba(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super()._out_of_fold_proba(*args, **kwargs)
        finally:
            INNER_SECONDS["folds"] += time.perf_counter() - started


def make_data(n_samples, n_classes, seed=0):
    """Synthetic features and labels with 20 % symmetric noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 20)
    y_noisy : ndarray of shape (n_samples,)
    """
    X, y = make_classification(
        n_samples,
        N_FEATURES,
        n_informative=10,
        n_redundant=5,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=seed,
    )
    T = make_transition_matrix(n_classes, NOISE_RATE)
    return X, make_noisy_labels(y, T, random_state=seed)


def _reset():
    for key in INNER_SECONDS:
        INNER_SECONDS[key] = 0.0


def time_fit(
    method,
    X,
    y,
    model_name,
    *,
    n_jobs=1,
    seed=0,
    strategy=None,
    n_splits=CV,
    transition_method=None,
):
    """Fit one method and split its time into the model's and everything else.

    Parameters
    ----------
    method : {"noisy_sklearn", "cleanlearning", "model"}
        ``NoiseRobustClassifier()``, cleanlab's ``CleanLearning`` with the
        same folds (:func:`folds`: the very splits CleanLearning draws from
        its seed, so the fold fits are the same computations), or one plain
        fit of the model.
    X, y : ndarray
        Data and noisy labels.
    model_name : str
        See :func:`make_model`.
    n_jobs : int, default=1
        Fold parallelism (noisy_sklearn only); with more than one job the
        inner times are not measured (the folds run in other processes).
    seed : int, default=0
        Seed of the model and the folds.
    strategy : str, default=None
        ``strategy`` of ``NoiseRobustClassifier``; ``None`` keeps its default.
    n_splits : int, default=CV
        Number of folds (noisy_sklearn only; CleanLearning uses ``CV``).
    transition_method : str, default=None
        ``transition_method`` of ``NoiseRobustClassifier``; ``None`` keeps
        its default.

    Returns
    -------
    record : dict
        ``total``, ``fold_phase`` (wall time of the out-of-fold step, ours
        only), ``final_rows`` (samples of the final fit), ``inner_fit``,
        ``inner_predict``, ``final_fit`` and
        ``overhead = total - inner_fit - inner_predict`` (seconds; the
        inner times and the overhead with ``n_jobs=1`` only, and the final
        fit's only when it runs here: one final fit, or ``n_jobs=1``).
    """
    model = TimedClassifier(make_model(model_name, seed))
    _reset()
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        if method == "noisy_sklearn":
            params = {
                key: value
                for key, value in (
                    ("strategy", strategy),
                    ("transition_method", transition_method),
                )
                if value is not None
            }
            fitted = FoldPhaseTimed(
                model,
                cv=folds(seed, n_splits),
                n_jobs=n_jobs,
                random_state=seed,
                **params,
            ).fit(X, y)
        elif method == "cleanlearning":
            from cleanlab.classification import CleanLearning

            fitted = CleanLearning(
                clf=model,
                cv_n_folds=CV,
                seed=seed,
                find_label_issues_kwargs={"n_jobs": 1},
            ).fit(X, y)
        elif method == "model":
            fitted = model.fit(X, y)
        else:
            raise ValueError(f"unknown method {method!r}")
        total = time.perf_counter() - started
    record = {
        "total": total,
        "final_fit": INNER_SECONDS["last_fit"],
        "fold_phase": INNER_SECONDS["folds"],
        "final_rows": _final_rows(fitted, y.shape[0]),
    }
    if n_jobs == 1:
        inner = INNER_SECONDS["fit"] + INNER_SECONDS["predict"]
        record.update(
            inner_fit=INNER_SECONDS["fit"],
            inner_predict=INNER_SECONDS["predict"],
            overhead=total - inner,
        )
    return record


def _final_rows(fitted, n_samples):
    """Samples the (last) final fit saw: all but the pruned ones."""
    if hasattr(fitted, "sample_weight_"):
        return int(np.count_nonzero(fitted.sample_weight_))
    if hasattr(fitted, "label_issues_mask"):
        return int(n_samples - np.count_nonzero(fitted.label_issues_mask))
    return n_samples


def folds(seed, n_splits=CV):
    """The shuffled stratified folds that CleanLearning uses for ``seed``."""
    return StratifiedKFold(n_splits, shuffle=True, random_state=seed)


def _raw_fold(model, X, y, train, test):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = clone(model).fit(X[train], y[train])
        fitted.predict_proba(X[test])


def time_raw_folds(X, y, model_name, *, n_jobs=1, seed=0, n_splits=CV):
    """Wall time of the bare fold fits: the machine's own parallel ceiling.

    The same ``CV`` stratified folds, each a clone of the model fitted on
    its training part and asked for the probabilities of its test part,
    through joblib exactly as NoiseRobustClassifier dispatches them, with
    nothing else: what ``n_jobs`` can gain on this machine at best.

    Returns
    -------
    seconds : float
    """
    model = make_model(model_name, seed)
    splits = folds(seed, n_splits).split(X, y)
    with threadpool_limits(1):
        started = time.perf_counter()
        Parallel(n_jobs=n_jobs)(
            delayed(_raw_fold)(model, X, y, train, test) for train, test in splits
        )
        return time.perf_counter() - started


def time_class_weights(X, y, model_name, seed=0, repeats=3):
    """Fits without weights, with per-class weights and with uniform ones, alternating.

    CleanLearning fits its final model with weights ``1 / P(given k | true
    k)`` per class; this times what such weights cost the model by
    themselves (weights from ``NOISE_RATE``, the data's noise). Uniform
    weights of 0.5 and 2 (every sample alike) show how much of that comes
    from the weights' scale alone (for SGD the same rows and epochs, only
    the numbers it computes with differ).

    Returns
    -------
    seconds : dict
        ``unweighted``, ``class_weighted``, ``uniform_0.5`` and
        ``uniform_2``: the fastest of ``repeats`` fits of each.
    """
    class_weights = np.full(y.shape[0], 1.0 / (1.0 - NOISE_RATE))
    class_weights[y == y[0]] *= 1.01  # uneven, as estimated diagonals are
    settings = {
        "unweighted": None,
        "class_weighted": class_weights,
        "uniform_0.5": np.full(y.shape[0], 0.5),
        "uniform_2": np.full(y.shape[0], 2.0),
    }
    seconds = dict.fromkeys(settings, np.inf)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeats):
            for name, sample_weight in settings.items():
                model = make_model(model_name, seed)
                started = time.perf_counter()
                model.fit(X, y, sample_weight=sample_weight)
                elapsed = time.perf_counter() - started
                seconds[name] = min(seconds[name], elapsed)
    return seconds


def peak_memory(X, y, model_name, seed=0):
    """Peak traced memory of a default fit (SGD, 2 epochs) beyond what was allocated.

    ``tracemalloc`` sees every numpy allocation (and Python's), in this
    process: the fit runs with ``n_jobs=1``.

    Returns
    -------
    peak_bytes : int
    """
    # Memory does not depend on the number of epochs: two keep it quick.
    model = make_model(model_name, seed).set_params(max_iter=2, tol=None)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            NoiseRobustClassifier(model, cv=CV, random_state=seed).fit(X, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak - base


def synthetic_proba(n_samples, n_classes, seed=0):
    """Labels and out-of-fold-like probabilities without fitting any model.

    Each row's logits are standard normal, plus 3 on the sample's label.

    Returns
    -------
    y : ndarray of shape (n_samples,)
    pred_proba : ndarray of shape (n_samples, n_classes)
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n_samples)
    proba = rng.standard_normal((n_samples, n_classes))
    proba[np.arange(n_samples), y] += 3.0
    np.exp(proba, out=proba)
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba


def time_functions(y, pred_proba, with_cleanlab):
    """Seconds of the array-level functions (one core) and cleanlab's.

    Returns
    -------
    timings : dict of str to float
    """
    calls = {
        "estimate_transition_matrix": lambda: estimate_transition_matrix(y, pred_proba),
        "find_label_issues(method='confident_learning')": lambda: find_label_issues(
            y, pred_proba, method="confident_learning"
        ),
        "find_label_issues() [posterior, default]": lambda: find_label_issues(
            y, pred_proba
        ),
        "label_quality_scores": lambda: label_quality_scores(y, pred_proba),
    }
    if with_cleanlab:
        from cleanlab.count import estimate_joint
        from cleanlab.filter import find_label_issues as cl_find_label_issues

        calls["cleanlab.count.estimate_joint"] = lambda: estimate_joint(y, pred_proba)
        calls["cleanlab.filter.find_label_issues"] = lambda: cl_find_label_issues(
            y, pred_proba, n_jobs=1
        )
    timings = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            timings[name] = time.perf_counter() - started
    return timings
