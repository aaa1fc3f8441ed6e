"""Out-of-fold predicted probabilities, one fold per joblib task."""

import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_method_params, has_fit_parameter


def weight_parameter(estimator):
    """Name of the fit parameter that takes sample weights, or None.

    For a :class:`~sklearn.pipeline.Pipeline` this is ``"<last step>__sample_weight"``
    when its final estimator accepts weights.
    """
    if has_fit_parameter(estimator, "sample_weight"):
        return "sample_weight"
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        inner = weight_parameter(last) if last not in (None, "passthrough") else None
        return f"{name}__{inner}" if inner else None
    return None


def fit_weighted(estimator, X, y, sample_weight, *, weight_param, seed, fit_params):
    """Fit ``estimator`` so that it honours ``sample_weight`` whatever its API.

    Zero-weight samples are dropped (exactly like removing them). Uniform
    weights need nothing more. Otherwise the weights go to ``weight_param``;
    an estimator without one is fitted on a weighted bootstrap of the same
    size, drawn with ``seed``.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted; fitted in place and returned.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : ndarray of shape (n_samples,)
        Encoded labels.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.
    weight_param : str or None
        From :func:`weight_parameter`.
    seed : int
        Seed of the bootstrap when resampling is needed.
    fit_params : dict
        Further sample-aligned or global fit parameters.

    Returns
    -------
    estimator : the fitted estimator
    """
    keep = np.flatnonzero(sample_weight > 0)
    if keep.shape[0] < sample_weight.shape[0]:
        X = _safe_indexing(X, keep)
        fit_params = _check_method_params(X, params=fit_params, indices=keep)
        y, sample_weight = y[keep], sample_weight[keep]
    params = dict(fit_params)
    if np.ptp(sample_weight) > 1e-12 * np.max(sample_weight):
        if weight_param is not None:
            params[weight_param] = sample_weight
        else:
            rng = np.random.RandomState(seed)
            drawn = rng.choice(
                y.shape[0], size=y.shape[0], p=sample_weight / sample_weight.sum()
            )
            X, y = _safe_indexing(X, drawn), y[drawn]
            params = _check_method_params(X, params=params, indices=drawn)
    return estimator.fit(X, y, **params)


def _fit_fold(
    estimator,
    X,
    y,
    train,
    test,
    sample_weight,
    fit_params,
    fold,
    verbose,
    weight_param,
    seed,
):
    """Fit a clone on one training fold and score its test fold (runs in a worker)."""
    started = time.perf_counter()
    params = _check_method_params(X, params=fit_params, indices=train)
    estimator = fit_weighted(
        clone(estimator),
        _safe_indexing(X, train),
        y[train],
        sample_weight[train],
        weight_param=weight_param,
        seed=seed,
        fit_params=params,
    )
    scores = method_output(estimator, _safe_indexing(X, test))
    elapsed = time.perf_counter() - started
    if verbose > 1:
        print(
            f"[NoiseRobustClassifier] fold {fold + 1}: fitted on {len(train)} "
            f"samples in {elapsed:.2f}s"
        )
    return scores, estimator.classes_, elapsed


def method_output(estimator, X):
    """``predict_proba`` where the estimator has it, else ``decision_function``."""
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.decision_function(X)


def align_columns(scores, fold_classes, n_classes, fill):
    """Place a fold model's output columns at the positions of its classes.

    Parameters
    ----------
    scores : ndarray of shape (n_test,) or (n_test, n_fold_classes)
        Output of the fold model; 1-D for a binary ``decision_function``.
    fold_classes : ndarray of shape (n_fold_classes,)
        Encoded classes the fold model saw (a subset of ``0..K-1``).
    n_classes : int
        Number of classes K of the full data.
    fill : float
        Value for classes the fold model never saw.

    Returns
    -------
    aligned : ndarray of shape (n_test, n_classes)
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        # Binary decision_function: a score for the second class only.
        scores = np.column_stack([-scores, scores]) / 2.0
        if fold_classes.shape[0] != 2:
            fold_classes = fold_classes[-2:]
    aligned = np.full((scores.shape[0], n_classes), fill, dtype=np.float64)
    aligned[:, np.asarray(fold_classes, dtype=np.intp)] = scores
    return aligned


def out_of_fold_scores(
    estimator,
    X,
    y_encoded,
    n_classes,
    splits,
    *,
    sample_weight,
    weight_param,
    seeds,
    fit_params,
    n_jobs,
    verbose,
):
    """Out-of-fold ``predict_proba`` (or ``decision_function``) for every sample.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted classifier; one clone per fold.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data, indexed per fold.
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    n_classes : int
        Number of classes K.
    splits : list of (train, test) index arrays
        Every sample must appear in exactly one test fold.
    sample_weight : ndarray of shape (n_samples,)
        Sample weights of the fold fits.
    weight_param : str or None
        Fit parameter taking the weights (see :func:`weight_parameter`).
    seeds : sequence of int
        One seed per fold, for weighted resampling.
    fit_params : dict
        Further fit parameters (indexed per fold where sample-aligned).
    n_jobs : int or None
        Number of joblib workers; the backend is the caller's.
    verbose : int
        Verbosity.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_classes)
        Probabilities (or decision values) in class order.
    is_proba : bool
        Whether ``scores`` are probabilities.
    fold_times : list of float
        Seconds spent fitting and predicting in each fold.
    """
    jobs = (
        delayed(_fit_fold)(
            estimator,
            X,
            y_encoded,
            train,
            test,
            sample_weight,
            fit_params,
            fold,
            verbose,
            weight_param,
            seed,
        )
        for fold, ((train, test), seed) in enumerate(zip(splits, seeds, strict=True))
    )
    results = Parallel(n_jobs=n_jobs, verbose=max(verbose - 1, 0))(jobs)
    is_proba = hasattr(estimator, "predict_proba")
    scores = np.full((y_encoded.shape[0], n_classes), np.nan)
    missing = set()
    for (fold_scores, fold_classes, _), (_, test) in zip(results, splits, strict=True):
        missing.update(set(range(n_classes)) - set(fold_classes.tolist()))
        fill = 0.0 if is_proba else np.nan
        scores[test] = align_columns(fold_scores, fold_classes, n_classes, fill)
    if missing:
        warnings.warn(
            f"{len(missing)} class(es) were missing from at least one training fold, "
            "so those fold models could not predict them; their out-of-fold "
            "probabilities are unreliable. Use fewer folds (cv) or collect more "
            "samples of the rare classes.",
            UserWarning,
            stacklevel=2,
        )
    if not is_proba:
        # A class unseen by a fold model gets the lowest score of that row.
        lowest = np.nanmin(scores, axis=1, keepdims=True) - 1.0
        scores = np.where(np.isnan(scores), lowest, scores)
    unscored = np.isnan(scores).any(axis=1)
    if np.any(unscored):
        raise ValueError(
            f"cv left {int(unscored.sum())} sample(s) out of every test fold; "
            "the splitter must put each sample in exactly one test fold (a "
            "partition, such as KFold or GroupKFold)."
        )
    return scores, is_proba, [elapsed for _, _, elapsed in results]


class ScoreCalibrator:
    """Turn decision values into probabilities (Platt / multinomial scaling).

    A logistic regression on the decision values, fitted on out-of-fold
    scores, so the mapping is learnt on data the scoring models did not see
    (Platt, 1999; its multiclass extension fits one multinomial model on the
    K scores).

    Parameters
    ----------
    n_classes : int
        Number of classes K.
    """

    def __init__(self, n_classes):
        self.n_classes = n_classes

    def fit(self, scores, y_encoded, sample_weight):
        """Fit the mapping from out-of-fold decision values to probabilities."""
        features = self._features(scores)
        present = np.unique(y_encoded)
        self.classes_ = present
        self.model_ = LogisticRegression(C=1e4, max_iter=1000)
        self.model_.fit(features, y_encoded, sample_weight=sample_weight)
        return self

    def predict_proba(self, scores):
        """Probabilities in the order ``0..K-1``."""
        proba = self.model_.predict_proba(self._features(scores))
        return align_columns(proba, self.model_.classes_, self.n_classes, 0.0)

    def _features(self, scores):
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim == 1:
            return scores[:, None]
        if self.n_classes == 2:
            return (scores[:, 1] - scores[:, 0])[:, None]
        return scores
