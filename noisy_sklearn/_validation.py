"""Input checks shared by the estimator and the array-level functions.

Every public function funnels its inputs through here so that bad input is
answered by a ``ValueError`` or ``TypeError`` that names the problem, before
any computation can fail obscurely deep inside.
"""

import numbers
import sys

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_sample_weight, column_or_1d

# Tolerance on "rows sum to one" for probabilities and transition matrices.
# Loose enough for float32 model outputs, tight enough to catch unnormalised
# scores passed by mistake.
ROW_SUM_ATOL = 1e-3


def as_python_scalar(value):
    """A numpy scalar as the plain Python value, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value


def check_labels(y, classes=None, *, name="y"):
    """Validate class labels and encode them as integers ``0..K-1``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of any hashable, sortable type (int, str, ...).
    classes : array-like of shape (n_classes,), default=None
        The class order. ``None`` means the sorted unique values of ``y``.
    name : str, default="y"
        Name used in error messages.

    Returns
    -------
    y_encoded : ndarray of shape (n_samples,), dtype=intp
        Index of each label in ``classes``.
    classes : ndarray of shape (n_classes,)
        The class order used for encoding.
    """
    y = column_or_1d(y, warn=True)
    if y.shape[0] == 0:
        raise ValueError(f"{name} is empty: at least one labelled sample is needed.")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(
            f"{name} contains NaN or infinity; every sample needs a label."
        )
    if y.dtype == object and _has_missing(y):
        raise ValueError(f"{name} contains missing values; every sample needs a label.")
    target_type = type_of_target(y, input_name=name)
    if target_type not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type: {name} must hold class labels for binary or "
            f"multiclass classification, got target type {target_type!r}."
        )
    if classes is None:
        classes, y_encoded = np.unique(y, return_inverse=True)
        return y_encoded.astype(np.intp, copy=False), classes
    classes = column_or_1d(classes)
    if np.unique(classes).shape[0] != classes.shape[0]:
        raise ValueError("classes contains duplicated values.")
    order = np.argsort(classes, kind="stable")
    position = np.searchsorted(classes, y, sorter=order)
    position = np.clip(position, 0, classes.shape[0] - 1)
    y_encoded = order[position]
    unseen = classes[y_encoded] != y
    if np.any(unseen):
        examples = np.unique(y[unseen])[:5].tolist()
        raise ValueError(f"{name} contains labels not in classes: {examples}.")
    return y_encoded.astype(np.intp, copy=False), classes


def _has_missing(labels):
    """Whether an object array holds None, NaN or pandas.NA.

    pandas.NA needs an identity test (``NA != NA`` is NA, which has no truth
    value); it can only be there if pandas is already imported.
    """
    pandas_na = getattr(sys.modules.get("pandas"), "NA", None)
    return any(
        label is None or label is pandas_na or label != label for label in labels
    )


def check_pred_proba(pred_proba, n_samples=None, n_classes=None):
    """Validate a matrix of predicted class probabilities.

    Parameters
    ----------
    pred_proba : array-like of shape (n_samples, n_classes)
        Rows must be finite, non-negative and sum to one.
    n_samples : int, default=None
        Expected number of rows.
    n_classes : int, default=None
        Expected number of columns.

    Returns
    -------
    pred_proba : ndarray of shape (n_samples, n_classes), dtype=float
        A float view or copy; the caller's array is never written to.
    """
    pred_proba = np.asarray(pred_proba)
    if pred_proba.dtype.kind not in "fiub":
        raise TypeError(
            f"pred_proba must be numeric, got an array of dtype {pred_proba.dtype}."
        )
    pred_proba = pred_proba.astype(np.float64, copy=False)
    if pred_proba.ndim != 2:
        raise ValueError(
            "pred_proba must be a 2-D array of shape (n_samples, n_classes), "
            f"got an array with {pred_proba.ndim} dimension(s)."
        )
    if n_samples is not None and pred_proba.shape[0] != n_samples:
        raise ValueError(
            f"pred_proba has {pred_proba.shape[0]} rows but y has {n_samples} samples."
        )
    if n_classes is not None and pred_proba.shape[1] != n_classes:
        raise ValueError(
            f"pred_proba has {pred_proba.shape[1]} columns but there are "
            f"{n_classes} classes; columns must follow the class order (pass "
            "classes= when y lacks some of the classes)."
        )
    if pred_proba.shape[1] < 2:
        raise ValueError("pred_proba needs at least 2 columns (classes).")
    # Two reductions instead of elementwise masks: a NaN propagates through
    # min and max, and an infinity becomes the min or the max.
    lowest, highest = pred_proba.min(), pred_proba.max()
    if not (np.isfinite(lowest) and np.isfinite(highest)):
        raise ValueError("pred_proba contains NaN or infinity.")
    if lowest < 0 or highest > 1:
        raise ValueError("pred_proba must hold probabilities in [0, 1].")
    row_sums = pred_proba.sum(axis=1)
    if not np.allclose(row_sums, 1.0, rtol=0, atol=ROW_SUM_ATOL):
        worst = int(np.argmax(np.abs(row_sums - 1.0)))
        raise ValueError(
            "pred_proba rows must sum to 1 (probabilities over the classes); "
            f"row {worst} sums to {row_sums[worst]:.6g}."
        )
    return pred_proba


def check_transition_matrix(transition_matrix, n_classes=None):
    """Validate a noise transition matrix ``T[i, j] = P(given j | true i)``.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row-stochastic matrix: entries in [0, 1], every row sums to one.
    n_classes : int, default=None
        Expected number of classes.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        A float copy.
    """
    T = np.array(transition_matrix, copy=True)
    try:
        if T.dtype.kind in "USV":  # numpy would parse "0.5" as a number
            raise TypeError
        T = T.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"transition_matrix must be numeric, got an array of dtype {T.dtype}."
        ) from None
    if T.ndim != 2 or T.shape[0] != T.shape[1]:
        raise ValueError(
            f"transition_matrix must be a square 2-D array, got shape {T.shape}."
        )
    if n_classes is not None and T.shape[0] != n_classes:
        raise ValueError(
            f"transition_matrix has shape {T.shape} but there are {n_classes} "
            f"classes; expected ({n_classes}, {n_classes}) in classes_ order."
        )
    if not np.all(np.isfinite(T)):
        raise ValueError("transition_matrix contains NaN or infinity.")
    if np.any(T < 0) or np.any(T > 1):
        raise ValueError("transition_matrix entries must lie in [0, 1].")
    row_sums = T.sum(axis=1)
    if not np.allclose(row_sums, 1.0, rtol=0, atol=ROW_SUM_ATOL):
        raise ValueError(
            "transition_matrix rows must sum to 1 (T[i, j] = P(given label j | "
            f"true label i)); row sums are {np.round(row_sums, 4).tolist()}."
        )
    return T / row_sums[:, None]


def check_noise_rate(noise_rate):
    """Validate a noise rate in [0, 1)."""
    if not isinstance(noise_rate, numbers.Real) or isinstance(noise_rate, bool):
        raise TypeError(f"noise_rate must be a real number, got {noise_rate!r}.")
    if not 0 <= noise_rate < 1:
        raise ValueError(f"noise_rate must be in [0, 1), got {noise_rate!r}.")
    return float(noise_rate)


def check_weights(sample_weight, n_samples):
    """Validate sample weights; ``None`` gives unit weights (a new array)."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float64)
    sample_weight = _check_sample_weight(
        sample_weight, np.empty((n_samples, 0)), dtype=np.float64, copy=True
    )
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative.")
    return sample_weight


def check_classifier(estimator):
    """Raise a TypeError unless ``estimator`` is a classifier with scores."""
    if not is_classifier(estimator):
        raise TypeError(
            f"estimator must be a classifier, got {type(estimator).__name__}; "
            "NoiseRobustClassifier needs class probabilities or decision values."
        )
    if not (
        hasattr(estimator, "predict_proba") or hasattr(estimator, "decision_function")
    ):
        raise TypeError(
            f"estimator {type(estimator).__name__} has neither predict_proba nor "
            "decision_function, so its out-of-fold scores cannot be computed."
        )


def check_invertible(transition_matrix):
    """Raise a ValueError for a singular (or nearly singular) T."""
    if np.linalg.cond(transition_matrix) > 1e10:
        raise ValueError(
            "transition_matrix is singular (or nearly so): the clean posterior "
            "cannot be recovered from it. Check that no two rows of T are equal."
        )
