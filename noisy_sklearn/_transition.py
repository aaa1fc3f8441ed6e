"""Estimating the noise transition matrix T from out-of-fold probabilities.

Notation: ``T[i, j] = P(given label j | true label i)``; the noise joint
``Q[k, j] = P(given label k, true label j)`` (rows = given, columns = true).
"""

import numpy as np

from ._validation import check_labels, check_pred_proba, check_weights

# Entries (rows x classes) processed at once: temporaries of ~2 MB at any n.
_CHUNK_ENTRIES = 1 << 18
_METHODS = ("confident_joint", "em", "anchor")


def rows_by_label(y_encoded, n_classes):
    """The rows of each given label, for the labels that have any.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    n_classes : int
        Number of classes K.

    Returns
    -------
    groups : list of (int, ndarray) tuples
        ``(j, rows labelled j)`` in class order, rows in increasing order;
        classes without a sample are left out.
    """
    order = np.argsort(y_encoded, kind="stable")
    bounds = np.searchsorted(y_encoded[order], np.arange(n_classes + 1))
    return [
        (j, order[lo:hi])
        for j, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
        if hi > lo
    ]


def symmetric_transition(rate, n_classes):
    """``(1 - rate)`` on the diagonal, ``rate / (K - 1)`` elsewhere.

    Parameters
    ----------
    rate : float
        Probability that a label is wrong.
    n_classes : int
        Number of classes K.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
    """
    T = np.full((n_classes, n_classes), rate / (n_classes - 1))
    np.fill_diagonal(T, 1.0 - rate)
    return T


def per_class_thresholds(y_encoded, pred_proba, sample_weight):
    """Mean predicted probability of class j over samples labelled j.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.

    Returns
    -------
    thresholds : ndarray of shape (n_classes,)
        ``inf`` for a class without any (weighted) sample, which then never
        counts as confidently present.
    """
    n_classes = pred_proba.shape[1]
    own_proba = pred_proba[np.arange(y_encoded.shape[0]), y_encoded]
    mass = np.bincount(
        y_encoded, weights=sample_weight * own_proba, minlength=n_classes
    )
    count = np.bincount(y_encoded, weights=sample_weight, minlength=n_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, mass / np.where(count > 0, count, 1), np.inf)


def confident_classes(pred_proba, thresholds):
    """The class each sample is confidently predicted to be, or -1.

    A sample counts as confidently class j when ``pred_proba[:, j] >=
    thresholds[j]``; among several such classes the most probable one wins.

    Parameters
    ----------
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    thresholds : ndarray of shape (n_classes,)
        Per-class thresholds from :func:`per_class_thresholds`.

    Returns
    -------
    confident : ndarray of shape (n_samples,), dtype=intp
        Class index, or -1 where no class reaches its threshold.
    """
    n_samples, n_classes = pred_proba.shape
    confident = np.empty(n_samples, dtype=np.intp)
    # Two buffers reused chunk after chunk, small enough to stay in cache.
    chunk = max(1, _CHUNK_ENTRIES // n_classes)
    masked = np.empty((min(chunk, n_samples), n_classes))
    reached = np.empty(masked.shape, dtype=bool)
    for start in range(0, n_samples, chunk):
        block = pred_proba[start : start + chunk]
        rows = block.shape[0]
        np.greater_equal(block, thresholds, out=reached[:rows])
        masked[:rows] = -1.0
        np.copyto(masked[:rows], block, where=reached[:rows])
        best = masked[:rows].argmax(axis=1)
        best[masked[np.arange(rows), best] < 0] = -1
        confident[start : start + rows] = best
    return confident


def confident_joint(y_encoded, pred_proba, sample_weight):
    """Calibrated confident joint ``Q[k, j] = P(given k, true j)``.

    Counts ``C[k, j]``, the weight of samples labelled k that are confidently
    class j, then calibrates each row to the weight of samples labelled k and
    normalises the whole matrix to sum to one (Northcutt et al., 2021).

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.

    Returns
    -------
    joint : ndarray of shape (n_classes, n_classes)
        Rows = given label, columns = true label; sums to one.
    """
    n_classes = pred_proba.shape[1]
    thresholds = per_class_thresholds(y_encoded, pred_proba, sample_weight)
    confident = confident_classes(pred_proba, thresholds)
    counted = confident >= 0
    counts = np.bincount(
        y_encoded[counted] * n_classes + confident[counted],
        weights=sample_weight[counted],
        minlength=n_classes * n_classes,
    ).reshape(n_classes, n_classes)
    given_weight = np.bincount(y_encoded, weights=sample_weight, minlength=n_classes)
    row_totals = counts.sum(axis=1)
    # A given class with no confident sample keeps its mass on the diagonal:
    # without evidence of noise, its labels are taken as they are.
    empty = row_totals <= 0
    counts[empty, :] = 0.0
    counts[empty, empty] = 1.0
    row_totals[empty] = 1.0
    calibrated = counts * (given_weight / row_totals)[:, None]
    total = calibrated.sum()
    if total <= 0:
        return np.eye(n_classes) / n_classes
    return calibrated / total


def transition_from_joint(joint):
    """Turn the joint ``Q[k, j] = P(given k, true j)`` into T and the true prior.

    Parameters
    ----------
    joint : ndarray of shape (n_classes, n_classes)
        Rows = given label, columns = true label.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = Q[j, i] / sum_k Q[k, i]``; a true class with no mass gets
        the identity row.
    true_prior : ndarray of shape (n_classes,)
        Column sums of the joint.
    """
    true_prior = joint.sum(axis=0)
    T = np.eye(joint.shape[0])
    present = true_prior > 0
    # Divide each column of Q by its own sum (not by a row-sum vector).
    T[present] = (joint[:, present] / true_prior[present]).T
    return T, true_prior


def anchor_transition_matrix(pred_proba, quantile=0.97):
    """Anchor-point estimate of T (Patrini et al., 2017; Xia et al., 2019).

    For each class i the anchor is the sample whose ``pred_proba[:, i]`` is at
    the ``quantile`` of that column (robust to a few overconfident outliers);
    its predicted probabilities are read as ``T[i, :]``.

    Parameters
    ----------
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted (noisy) probabilities.
    quantile : float, default=0.97
        Quantile of each column used to pick the anchor; 1.0 takes the maximum.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
    """
    n_samples, n_classes = pred_proba.shape
    T = np.empty((n_classes, n_classes))
    for i in range(n_classes):
        column = pred_proba[:, i]
        rank = min(int(np.floor(quantile * (n_samples - 1))), n_samples - 1)
        anchor = np.argpartition(column, rank)[rank]
        T[i] = pred_proba[anchor]
    return T / T.sum(axis=1, keepdims=True)


def estimate_transition_matrix(
    y, pred_proba, *, method="confident_joint", classes=None, sample_weight=None
):
    """Estimate the noise transition matrix from out-of-fold probabilities.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given (possibly wrong) labels.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities of the given labels, columns in
        ``classes`` order (for example from ``cross_val_predict(...,
        method="predict_proba")``). In-sample probabilities of a flexible model
        have memorised the noise and give a T close to the identity.
    method : {"confident_joint", "em", "anchor"}, default="confident_joint"
        ``"confident_joint"`` counts confidently re-classified samples
        (Northcutt et al., 2021). ``"em"`` starts there and maximises the
        likelihood of the given labels over T, with the clean posteriors the
        confident joint implies as per-sample priors (the EM update of Dawid
        and Skene, 1979), and keeps symmetric noise (one rate, which moves no
        prediction) unless a likelihood-ratio test at level 0.01 rejects it;
        it is more accurate (on the accuracy benchmark, mean absolute error
        0.042 against 0.056) and costs one solve of the clean posterior of
        every sample, seconds rather than milliseconds at a million rows.
        ``"anchor"`` reads T off the most typical sample of each class
        (Patrini et al., 2017).
    classes : array-like of shape (n_classes,), default=None
        The class order of the columns; ``None`` means the sorted unique
        values of ``y``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in the counts.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given label j | true label i)``; rows sum to one.

    See Also
    --------
    find_label_issues : Flag the samples whose label is likely wrong.
    NoiseRobustClassifier : Estimate T inside a classifier and act on it.

    References
    ----------
    .. [1] C. Northcutt, L. Jiang, I. Chuang. "Confident Learning: Estimating
       Uncertainty in Dataset Labels". JAIR 70, 2021.
    .. [2] G. Patrini et al. "Making Deep Neural Networks Robust to Label
       Noise: a Loss Correction Approach". CVPR 2017.
    .. [3] A. P. Dawid, A. M. Skene. "Maximum Likelihood Estimation of
       Observer Error-Rates Using the EM Algorithm". Applied Statistics 28(1),
       1979.

    Examples
    --------
    >>> import numpy as np
    >>> from noisy_sklearn import estimate_transition_matrix
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> pred_proba = np.array([[.9, .1], [.8, .2], [.1, .9],
    ...                        [.1, .9], [.3, .7], [.2, .8]])
    >>> estimate_transition_matrix(y, pred_proba).round(2)
    array([[1.  , 0.  ],
           [0.25, 0.75]])
    """
    y_encoded, classes = check_labels(y, classes)
    pred_proba = check_pred_proba(pred_proba, y_encoded.shape[0], classes.shape[0])
    weights = check_weights(sample_weight, y_encoded.shape[0])
    if method == "confident_joint":
        return transition_from_joint(confident_joint(y_encoded, pred_proba, weights))[0]
    if method == "em":
        from ._transition_em import em_transition_matrix

        return em_transition_matrix(y_encoded, pred_proba, weights)
    if method == "anchor":
        return anchor_transition_matrix(pred_proba)
    raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")


def joint_from_transition(transition_matrix, noisy_prior):
    """The joint ``Q[k, j] = P(given k, true j)`` implied by a known T.

    The true prior ``pi`` solves ``T.T @ pi = noisy_prior`` on the simplex.

    Parameters
    ----------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        Known ``T[i, j] = P(given j | true i)``.
    noisy_prior : ndarray of shape (n_classes,)
        Frequencies of the given labels.

    Returns
    -------
    joint : ndarray of shape (n_classes, n_classes)
    """
    from ._posterior import clean_posterior

    true_prior = clean_posterior(noisy_prior[None, :], transition_matrix)[0]
    return (transition_matrix * true_prior[:, None]).T
