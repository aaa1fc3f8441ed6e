"""Out-of-fold predicted probabilities, one fold per joblib task."""

import time
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_method_params, has_fit_parameter

from ._validation import as_python_scalar


def make_splits(cv, X, y_encoded, classes, seed, split_params):
    """The (train, test) index pairs of the out-of-fold predictions.

    An int ``cv`` gives shuffled stratified folds; when a class has fewer
    samples than folds, fewer folds are used (with a warning), so that every
    class is in every training fold.

    Parameters
    ----------
    cv : int, cross-validation generator or iterable
        As in :class:`NoiseRobustClassifier`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data (for splitters that look at it).
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    classes : ndarray of shape (n_classes,)
        Class labels, to name a rare class in messages.
    seed : int
        Seed of the shuffled folds.
    split_params : dict
        Routed metadata for ``split`` (e.g. ``groups``).

    Returns
    -------
    splits : list of (ndarray, ndarray)
    """
    if not isinstance(cv, Integral):
        splitter = check_cv(cv, y_encoded, classifier=True)
        return _compact_splits(splitter.split(X, y_encoded, **split_params))
    counts = np.bincount(y_encoded)
    rare = as_python_scalar(classes[np.argmin(counts)])
    if counts.min() < 2:
        raise ValueError(
            f"Class {rare!r} has a single sample: it cannot be predicted out of "
            "fold, so its label cannot be checked. Remove it or merge it with "
            "another class."
        )
    n_splits = cv
    if counts.min() < n_splits:
        n_splits = int(counts.min())
        warnings.warn(
            f"cv={cv} folds, but class {rare!r} has only {counts.min()} samples; "
            f"using {n_splits} folds so that every class is in every fold. Pass a "
            "smaller cv to silence this, or collect more samples of the rare class.",
            UserWarning,
            stacklevel=4,
        )
    splitter = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    return _compact_splits(splitter.split(X, y_encoded, **split_params))


def _compact_splits(splits):
    """The splits as a list, integer indices in 32 bits where they fit.

    The folds' indices are held for the whole fold phase: cv x n_samples
    integers, a quarter of X at 20 features in 64 bits.
    """
    return [tuple(_compact_indices(part) for part in split) for split in splits]


def _compact_indices(indices):
    if (
        isinstance(indices, np.ndarray)
        and indices.dtype.kind in "iu"
        and (indices.size == 0 or int(indices.max()) < np.iinfo(np.int32).max)
    ):
        return indices.astype(np.int32, copy=False)
    return indices


def duplicated_fraction(X):
    """Fraction of the rows of a dense numeric array that repeat an earlier row.

    Parameters
    ----------
    X : object
        Training data; anything but a numeric ndarray gives 0.

    Returns
    -------
    fraction : float
    """
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind not in "fiub":
        return 0.0
    # One random projection per row: equal rows get equal values, and distinct
    # rows collide with probability zero. Far cheaper than comparing rows.
    # Rows with missing values are counted as distinct (no copy of X is made).
    direction = np.random.RandomState(0).standard_normal(X.shape[1])
    projection = X @ direction
    missing = np.isnan(projection)
    distinct = np.unique(projection[~missing]).shape[0] + np.count_nonzero(missing)
    return 1.0 - distinct / max(X.shape[0], 1)


def warn_if_rows_leak(X, cv):
    """Warn when copies of rows would land in different folds.

    A copy of a training row in another fold lets a flexible model recall the
    row's label, so the out-of-fold probabilities memorise the noise and T
    looks like the identity.
    """
    if not isinstance(cv, Integral):
        return  # the user chose the folds (e.g. GroupKFold), so trust them
    fraction = duplicated_fraction(X)
    if fraction > 0.05:
        warnings.warn(
            f"{fraction:.0%} of the rows of X repeat another row. Copies that land "
            "in different folds leak their labels into the out-of-fold "
            "probabilities, which then hide the label noise. Put the copies of a "
            "row in the same fold: cv=GroupKFold(...) with groups identifying "
            "identical rows (metadata routing), or remove the duplicates.",
            UserWarning,
            stacklevel=4,
        )


def seeded_clone(estimator, rng, random_state):
    """Clone ``estimator``; when ``random_state`` is set, seed its unset random states.

    Parameters
    ----------
    estimator : estimator instance
        The user's estimator (never modified).
    rng : numpy.random.RandomState
        Draws the seeds.
    random_state : int, RandomState instance or None
        The meta-estimator's parameter; ``None`` leaves the clone as it is.

    Returns
    -------
    estimator : estimator instance
    """
    estimator = clone(estimator)
    if random_state is None:
        return estimator
    seeds = {
        name: int(rng.randint(2**31 - 1))
        for name, value in sorted(estimator.get_params(deep=True).items())
        if (name == "random_state" or name.endswith("__random_state")) and value is None
    }
    return estimator.set_params(**seeds)


def weight_parameters(estimator):
    """Names of the fit parameters that take sample weights (possibly none).

    For a :class:`~sklearn.pipeline.Pipeline`, every step whose ``fit``
    accepts weights gets them (``"<step>__sample_weight"``), so that a scaler
    learns the same weighted statistics as the model after it.
    """
    if has_fit_parameter(estimator, "sample_weight"):
        return ["sample_weight"]
    if not isinstance(estimator, Pipeline):
        return []
    names = []
    for name, step in estimator.steps:
        if step is None or step == "passthrough":
            continue
        names.extend(f"{name}__{inner}" for inner in weight_parameters(step))
    final = estimator.steps[-1][1]
    final_takes_weights = final in (None, "passthrough") or weight_parameters(final)
    return names if final_takes_weights else []


def fit_weighted(estimator, X, y, sample_weight, *, weight_params, seed, fit_params):
    """Fit ``estimator`` so that it honours ``sample_weight`` whatever its API.

    Zero-weight samples are dropped (exactly like removing them). Uniform
    weights need nothing more. Otherwise the weights go to ``weight_params``;
    an estimator whose final model takes none is fitted on a weighted
    bootstrap of the same size, drawn with ``seed``.

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
    weight_params : list of str
        From :func:`weight_parameters`.
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
        if weight_params:
            params.update(dict.fromkeys(weight_params, sample_weight))
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
    weight_params,
    seed,
    keep_estimator,
):
    """Fit a clone on one training fold and score its test fold (runs in a worker)."""
    started = time.perf_counter()
    params = _check_method_params(X, params=fit_params, indices=train)
    try:
        estimator = fit_weighted(
            clone(estimator),
            _safe_indexing(X, train),
            y[train],
            sample_weight[train],
            weight_params=weight_params,
            seed=seed,
            fit_params=params,
        )
        scores = method_output(estimator, _safe_indexing(X, test))
    except Exception as exc:
        # Keep the estimator's own exception (its type is part of its API), and
        # say where it happened.
        exc.add_note(
            f"Raised by {type(estimator).__name__} on cross-validation fold "
            f"{fold + 1} ({len(train)} training samples of "
            f"{np.unique(y[train]).shape[0]} classes) inside NoiseRobustClassifier."
        )
        raise
    elapsed = time.perf_counter() - started
    if verbose > 1:
        print(
            f"[NoiseRobustClassifier] fold {fold + 1}: fitted on {len(train)} "
            f"samples in {elapsed:.2f}s"
        )
    return scores, estimator.classes_, elapsed, estimator if keep_estimator else None


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
    fill : float or None
        Value for classes the fold model never saw; ``None`` puts them one
        below the row's lowest score (for decision values, whose scale is the
        model's own).

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
    if fill is None:
        fill = scores.min(axis=1, keepdims=True) - 1.0
    aligned = np.empty((scores.shape[0], n_classes), dtype=np.float64)
    aligned[:] = fill
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
    weight_params,
    seeds,
    fit_params,
    n_jobs,
    verbose,
    keep_estimators=False,
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
    weight_params : list of str
        Fit parameters taking the weights (see :func:`weight_parameters`).
    seeds : sequence of int
        One seed per fold, for weighted resampling.
    fit_params : dict
        Further fit parameters (indexed per fold where sample-aligned).
    n_jobs : int or None
        Number of joblib workers; the backend is the caller's.
    verbose : int
        Verbosity.
    keep_estimators : bool, default=False
        Whether to return the fitted fold models.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_classes)
        Probabilities (or decision values) in class order.
    is_proba : bool
        Whether ``scores`` are probabilities.
    fold_times : list of float
        Seconds spent fitting and predicting in each fold.
    estimators : list
        The fold models when ``keep_estimators``, else empty.
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
            weight_params,
            seed,
            keep_estimators,
        )
        for fold, ((train, test), seed) in enumerate(zip(splits, seeds, strict=True))
    )
    # A generator: each fold's scores are written in place as they arrive,
    # instead of holding every fold's output and the assembled array at once.
    results = Parallel(
        n_jobs=n_jobs, verbose=max(verbose - 1, 0), return_as="generator"
    )(jobs)
    is_proba = hasattr(estimator, "predict_proba")
    scores = np.full((y_encoded.shape[0], n_classes), np.nan)
    missing = set()
    fold_times, estimators = [], []
    for (fold_scores, fold_classes, elapsed, fitted), (_, test) in zip(
        results, splits, strict=True
    ):
        missing.update(set(range(n_classes)) - set(fold_classes.tolist()))
        fill = 0.0 if is_proba else None
        scores[test] = align_columns(fold_scores, fold_classes, n_classes, fill)
        fold_times.append(elapsed)
        if keep_estimators:
            estimators.append(fitted)
    if missing:
        warnings.warn(
            f"{len(missing)} class(es) were missing from at least one training fold, "
            "so those fold models could not predict them; their out-of-fold "
            "probabilities are unreliable. Use fewer folds (cv) or collect more "
            "samples of the rare classes.",
            UserWarning,
            stacklevel=5,
        )
    unscored = np.isnan(scores).any(axis=1)
    if np.any(unscored):
        raise ValueError(
            f"cv left {int(unscored.sum())} sample(s) out of every test fold; "
            "the splitter must put each sample in exactly one test fold (a "
            "partition, such as KFold or GroupKFold)."
        )
    return scores, is_proba, fold_times, estimators
