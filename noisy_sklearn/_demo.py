"""The demo run by ``python -m noisy_sklearn``: digits with 30 % wrong labels."""

import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from ._classifier import NoiseRobustClassifier
from ._simulation import make_noisy_labels, make_transition_matrix
from ._strategies import STRATEGIES


def run_demo(noise_rate=0.3, kind="symmetric", random_state=0, n_jobs=None, out=print):
    """Fit every strategy on digits with corrupted labels and report clean accuracy.

    Parameters
    ----------
    noise_rate : float, default=0.3
        Fraction of training labels made wrong.
    kind : {"symmetric", "pair", "random"}, default="symmetric"
        Noise kind passed to :func:`make_transition_matrix`.
    random_state : int, default=0
        Seed of the split, the noise and the folds.
    n_jobs : int, default=None
        Folds fitted in parallel.
    out : callable, default=print
        Where the report lines go.

    Returns
    -------
    results : dict
        ``{"accuracy": {method: float}, "transition_matrix_mae": float,
        "noise_rate": float, "estimated_noise_rate": float}``.
    """
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=random_state
    )
    n_classes = np.unique(y).shape[0]
    T = make_transition_matrix(n_classes, noise_rate, kind=kind, random_state=0)
    y_noisy = make_noisy_labels(y_train, T, random_state=random_state)
    realised = float(np.mean(y_noisy != y_train))
    out(
        f"digits: {X_train.shape[0]} training samples, {n_classes} classes, "
        f"{realised:.1%} of training labels wrong ({kind} noise); clean test set "
        f"of {X_test.shape[0]}."
    )
    base = NoiseRobustClassifier(random_state=random_state, n_jobs=n_jobs)
    accuracy, times = {}, {}
    fitted = None
    for strategy in STRATEGIES:
        model = clone(base).set_params(strategy=strategy)
        started = time.perf_counter()
        # Small dense problems gain nothing from BLAS threads, and on a busy
        # machine their spinning slows a logistic regression down a hundredfold.
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore", UserWarning)
            model.fit(X_train, y_noisy)
        times[strategy] = time.perf_counter() - started
        accuracy[strategy] = model.score(X_test, y_test)
        fitted = fitted or model
    with threadpool_limits(limits=1, user_api="blas"):
        oracle = clone(base).set_params(strategy="none").fit(X_train, y_train)
    accuracy["oracle (clean labels)"] = oracle.score(X_test, y_test)
    out("")
    out(f"{'strategy':<24}{'clean test accuracy':>20}{'fit time':>10}")
    for name, value in accuracy.items():
        seconds = f"{times[name]:.1f}s" if name in times else ""
        out(f"{name:<24}{value:>20.3f}{seconds:>10}")
    mae = float(np.abs(fitted.transition_matrix_ - T).mean())
    issues = fitted.label_issues_
    flipped = y_noisy != y_train
    precision = (issues & flipped).sum() / max(issues.sum(), 1)
    recall = (issues & flipped).sum() / max(flipped.sum(), 1)
    out("")
    out(f"estimated noise rate {fitted.noise_rate_:.3f} (true {realised:.3f})")
    out(f"transition matrix: mean absolute error {mae:.4f} against the true T")
    out(
        f"label issues: {int(issues.sum())} flagged, precision {precision:.2f}, "
        f"recall {recall:.2f} against the truly flipped labels"
    )
    return {
        "accuracy": accuracy,
        "transition_matrix_mae": mae,
        "noise_rate": realised,
        "estimated_noise_rate": fitted.noise_rate_,
    }
