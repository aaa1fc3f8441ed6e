"""Flagging label issues and scoring label quality."""

import numpy as np

from ._noise_model import fit_noise_model
from ._posterior import LOOSE_TOL, clean_posterior
from ._transition import rows_by_label
from ._validation import (
    ROW_SUM_ATOL,
    check_labels,
    check_pred_proba,
    check_transition_matrix,
    check_weights,
)

_FLAG_METHODS = ("posterior", "confident_learning")
_SCORES = ("self_confidence", "normalized_margin", "confidence_weighted_entropy")
# Slack of the bound that rules out posterior flags without a solve.
_SCREEN_MARGIN = 1e-6
# The other disputed samples: a loose solve, then an exact one for those whose
# error probability lands this close to 1/2.
_REFINE_BAND = 0.1
# Duality gap of their exact solve, and its updates: the rows are few. On
# the 8,124 band rows of the accuracy benchmark's 144 out-of-fold problems
# and three SGD ones, the label-error probabilities are within 0.0052 of a
# solve certified to 1e-11 at this gap as at 1e-8 (0.025 at 1e-6), in 60 %
# of the time at 100k x 10.
_REFINE_GAP = 1e-7
_REFINE_MAX_ITER = 2000


def flag_by_joint(y_encoded, pred_proba, joint, sample_weight):
    """Flag, per off-diagonal cell of the joint, the most confidently wrong labels.

    For given class k and another class j, about ``n * joint[k, j]`` (in sample
    weight) of the samples labelled k whose most probable class is j are
    flagged, those with the largest margin ``p_j - p_k`` first. Samples whose
    most probable class is their given label are never flagged. Ties in the
    margin are flagged together, so a sample of weight w behaves exactly like
    w copies of it.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    joint : ndarray of shape (n_classes, n_classes)
        ``joint[k, j] = P(given k, true j)``.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.

    Returns
    -------
    issues : ndarray of shape (n_samples,), dtype=bool
    """
    n_samples, n_classes = pred_proba.shape
    predicted = pred_proba.argmax(axis=1)
    candidates = np.flatnonzero(predicted != y_encoded)
    issues = np.zeros(n_samples, dtype=bool)
    if candidates.size == 0:
        return issues
    given, target = y_encoded[candidates], predicted[candidates]
    margin = pred_proba[candidates, target] - pred_proba[candidates, given]
    cell = given * n_classes + target
    # Sort by cell, then by decreasing margin: one pass, no loop over samples.
    order = np.lexsort((-margin, cell))
    cell, margin = cell[order], margin[order]
    weight = sample_weight[candidates][order]
    budget = sample_weight.sum() * joint.ravel()
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    ends = np.r_[starts[1:], cell.shape[0]]
    cumulative = np.cumsum(weight)
    before = np.r_[0.0, cumulative][starts]
    flagged = np.zeros(cell.shape[0], dtype=bool)
    for start, end, offset in zip(starts, ends, before, strict=True):
        target_weight = np.round(budget[cell[start]])
        if target_weight <= 0:
            continue
        reached = np.searchsorted(cumulative[start:end] - offset, target_weight - 1e-9)
        last = min(reached, end - start - 1)
        flagged[start:end] = margin[start:end] >= margin[start + last]
    issues[candidates[order[flagged]]] = True
    return issues


def label_error_posterior(y_encoded, clean_proba, transition_matrix):
    """Probability that each given label is wrong, given x and the label.

    By Bayes' rule ``P(true = k | x, given = j)`` is proportional to
    ``P(true = k | x) * T[k, j]``; the label is wrong with probability
    ``1 - P(true = j | x, given = j)``.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    clean_proba : ndarray of shape (n_samples, n_classes)
        Clean posterior ``P(true = k | x)``.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.

    Returns
    -------
    error_proba : ndarray of shape (n_samples,)
    """
    rows = np.arange(y_encoded.shape[0])
    # P(given = y | x) = p @ T[:, y], one matrix-vector product per given
    # class: O(n K) work, where (p @ T)[rows, y] would cost O(n K^2).
    evidence = np.empty(y_encoded.shape[0])
    for j, members in rows_by_label(y_encoded, clean_proba.shape[1]):
        evidence[members] = clean_proba[members] @ transition_matrix[:, j]
    right_joint = clean_proba[rows, y_encoded] * transition_matrix[y_encoded, y_encoded]
    right = np.divide(
        right_joint, evidence, out=np.ones_like(evidence), where=evidence > 0
    )
    return 1.0 - np.clip(right, 0.0, 1.0)


def flag_by_posterior(y_encoded, pred_proba, clean_proba, transition_matrix):
    """Flag the labels that are more likely wrong than right.

    A sample is flagged when :func:`label_error_posterior` exceeds 1/2 and
    its most probable class under ``pred_proba`` is not its given label (so
    a sample the model agrees with is never flagged).

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    clean_proba : ndarray of shape (n_samples, n_classes)
        Clean posterior ``P(true = k | x)``.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.

    Returns
    -------
    issues : ndarray of shape (n_samples,), dtype=bool
    """
    disagree = pred_proba.argmax(axis=1) != y_encoded
    error = label_error_posterior(y_encoded, clean_proba, transition_matrix)
    return disagree & (error > 0.5)


def surely_not_flagged(given, given_proba, transition_matrix):
    """Samples whose label is provably not more likely wrong than right.

    A cheap bound that spares most samples the clean-posterior solve. At the
    solution ``p`` of :func:`~noisy_sklearn._posterior.clean_posterior`
    (``m = p @ T`` fitted to the noisy posterior ``q``), optimality over the
    simplex gives ``sum_j T[k, j] q_j / m_j <= 1`` for every class k, so
    ``m_y >= T[y, y] q_y`` for the given label y. With ``M_y`` the largest
    off-diagonal entry of column y, ``m_y <= p_y T[y, y] + (1 - p_y) M_y``,
    hence ``p_y >= (T[y, y] q_y - M_y) / (T[y, y] - M_y)``; and the label is
    wrong with probability at most 1/2 once ``p_y >= M_y / (T[y, y] + M_y)``.

    Parameters
    ----------
    given : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    given_proba : ndarray of shape (n_samples,)
        Noisy posterior of each sample's given label, ``q_y``.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.

    Returns
    -------
    surely_right : ndarray of shape (n_samples,), dtype=bool
        True where the label error probability is at most 1/2 at the exact
        clean posterior; False says nothing.
    """
    diagonal = np.diag(transition_matrix)
    off_diagonal = transition_matrix.copy()
    np.fill_diagonal(off_diagonal, -np.inf)
    column_max = np.max(off_diagonal, axis=0, initial=0.0)
    dominant = diagonal > column_max
    gap = np.where(dominant, diagonal - column_max, 1.0)
    threshold = column_max / np.where(dominant, diagonal + column_max, 1.0)
    lower = (diagonal[given] * given_proba - column_max[given]) / gap[given]
    # The margin keeps a bound that is tight to rounding on the solver's side.
    return dominant[given] & (lower >= threshold[given] + _SCREEN_MARGIN)


def flag_disagreements_by_posterior(
    y_encoded, pred_proba, transition_matrix, *, loose_posterior=None
):
    """:func:`flag_by_posterior` without the clean posterior of every sample.

    Only samples whose most probable class is not their label can be
    flagged; of those, :func:`surely_not_flagged` rules out some with a
    bound (most when the noise is mild and the classes many), and only the
    rest get their clean posterior solved: first to a loose tolerance, then
    exactly for those whose error probability is within 0.1 of 1/2. The
    flags are those of :func:`flag_by_posterior` with exact posteriors, but
    for the rare sample whose loose solve lands on the wrong side of 1/2
    outside that band.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.
    loose_posterior : callable, default=None
        ``loose_posterior(rows)`` returns the clean posterior of those rows
        solved to ``LOOSE_TOL``, when it is at hand already (the prior of the
        maximum-likelihood T); ``None`` solves it here.

    Returns
    -------
    issues : ndarray of shape (n_samples,), dtype=bool
    """
    issues = np.zeros(y_encoded.shape[0], dtype=bool)
    candidates = np.flatnonzero(pred_proba.argmax(axis=1) != y_encoded)
    given = y_encoded[candidates]
    # Rows sum to one within the validation's tolerance; the bound holds for
    # the normalised row, whose given-label entry is at least this.
    given_proba = pred_proba[candidates, given] / (1.0 + ROW_SUM_ATOL)
    ruled_out = surely_not_flagged(given, given_proba, transition_matrix)
    candidates, given = candidates[~ruled_out], given[~ruled_out]
    if loose_posterior is None:
        clean = clean_posterior(
            pred_proba, transition_matrix, rows=candidates, gap_tol=LOOSE_TOL
        )
    else:
        clean = loose_posterior(candidates)
    error = label_error_posterior(given, clean, transition_matrix)
    near = np.abs(error - 0.5) < _REFINE_BAND
    if np.any(near):
        clean = clean_posterior(
            pred_proba,
            transition_matrix,
            rows=candidates[near],
            gap_tol=_REFINE_GAP,
            max_iter=_REFINE_MAX_ITER,
        )
        error[near] = label_error_posterior(given[near], clean, transition_matrix)
    issues[candidates] = error > 0.5
    return issues


def keep_minimum_per_class(issues, y_encoded, pred_proba, sample_weight, min_keep):
    """Unflag samples so that every given class keeps at least ``min_keep`` weight.

    The flagged samples that look most like their given class are restored
    first.

    Parameters
    ----------
    issues : ndarray of shape (n_samples,), dtype=bool
        Flags to relax (not modified).
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.
    min_keep : float
        Weight that stays unflagged in each class (or the whole class if less).

    Returns
    -------
    issues : ndarray of shape (n_samples,), dtype=bool
        The relaxed flags (a new array).
    restored_classes : ndarray of int
        Encoded classes in which flags were lifted.
    """
    issues = issues.copy()
    n_classes = pred_proba.shape[1]
    given_weight = np.bincount(y_encoded, weights=sample_weight, minlength=n_classes)
    kept = np.bincount(
        y_encoded[~issues], weights=sample_weight[~issues], minlength=n_classes
    )
    needed = np.minimum(min_keep, given_weight)
    short = np.flatnonzero((kept < needed) & (given_weight > 0))
    for k in short:
        flagged_k = np.flatnonzero(issues & (y_encoded == k))
        order = flagged_k[np.argsort(-pred_proba[flagged_k, k], kind="stable")]
        restored = np.cumsum(sample_weight[order]) + kept[k]
        n_restore = np.searchsorted(restored, needed[k] - 1e-9) + 1
        issues[order[:n_restore]] = False
    return issues, short


def find_label_issues(
    y,
    pred_proba,
    *,
    classes=None,
    transition_matrix=None,
    sample_weight=None,
    method="posterior",
    min_keep_per_class=1,
):
    """Flag the samples whose given label is probably wrong.

    The noise model comes from the confident joint (Confident Learning), or
    from a known ``transition_matrix``. Then, with ``method="posterior"``, a
    sample is flagged when its label is more likely wrong than right by
    Bayes' rule, ``P(true = k | x, given) ~ P(true = k | x) T[k, given]``,
    with the clean posterior obtained by mapping ``pred_proba`` back through
    T. With ``method="confident_learning"``, about ``n * Q[k, j]`` samples
    labelled k are flagged for every other class j, those predicted as j
    with the largest margin ``p_j - p_k`` (Northcutt et al., 2021); it
    follows the estimated counts, but misses clear errors when the counts are
    small.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given (possibly wrong) labels.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities, columns in ``classes`` order.
    classes : array-like of shape (n_classes,), default=None
        The class order of the columns; ``None`` means the sorted unique
        values of ``y``.
    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        A known ``T[i, j] = P(given j | true i)``. ``None`` estimates it.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights; a sample of integer weight w counts as w copies.
    method : {"posterior", "confident_learning"}, default="posterior"
        The flagging rule (see above).
    min_keep_per_class : float, default=1
        Weight of samples that stays unflagged in every given class.

    Returns
    -------
    label_issues : ndarray of shape (n_samples,), dtype=bool
        True for the samples flagged as probably mislabelled. A sample whose
        most probable class is its given label is never flagged.

    See Also
    --------
    label_quality_scores : A continuous score per sample, to rank them.
    estimate_transition_matrix : The noise model behind the flags.

    References
    ----------
    .. [1] C. Northcutt, L. Jiang, I. Chuang. "Confident Learning: Estimating
       Uncertainty in Dataset Labels". JAIR 70, 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from noisy_sklearn import find_label_issues
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> pred_proba = np.array([[.9, .1], [.8, .2], [.1, .9],
    ...                        [.1, .9], [.3, .7], [.2, .8]])
    >>> find_label_issues(y, pred_proba)
    array([False, False,  True, False, False, False])
    """
    y_encoded, classes = check_labels(y, classes)
    pred_proba = check_pred_proba(pred_proba, y_encoded.shape[0], classes.shape[0])
    weights = check_weights(sample_weight, y_encoded.shape[0])
    if method not in _FLAG_METHODS:
        raise ValueError(f"method must be one of {_FLAG_METHODS}, got {method!r}.")
    if transition_matrix is not None:
        transition_matrix = check_transition_matrix(transition_matrix, classes.shape[0])
    noise = fit_noise_model(y_encoded, pred_proba, weights, transition_matrix)
    if method == "posterior":
        issues = flag_disagreements_by_posterior(
            y_encoded, pred_proba, noise.transition_matrix
        )
    else:
        issues = flag_by_joint(y_encoded, pred_proba, noise.joint, weights)
    return keep_minimum_per_class(
        issues, y_encoded, pred_proba, weights, min_keep_per_class
    )[0]


def label_quality_scores(y, pred_proba, *, method="self_confidence", classes=None):
    """Score how likely each given label is correct; lower = more suspicious.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given labels.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities, columns in ``classes`` order.
    method : {"self_confidence", "normalized_margin", \
            "confidence_weighted_entropy"}, default="self_confidence"
        - ``"self_confidence"``: ``p_y``, the probability of the given label.
        - ``"normalized_margin"``: ``(p_y - max_{j != y} p_j + 1) / 2``.
        - ``"confidence_weighted_entropy"``: ``p_y / (p_y + H)`` with ``H``
          the entropy of the row normalised to [0, 1]: an uncertain row
          scores closer to the middle.
    classes : array-like of shape (n_classes,), default=None
        The class order of the columns.

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Scores in [0, 1].

    See Also
    --------
    find_label_issues : A yes/no decision per sample.

    Examples
    --------
    >>> import numpy as np
    >>> from noisy_sklearn import label_quality_scores
    >>> label_quality_scores([0, 1], [[.9, .1], [.7, .3]])
    array([0.9, 0.3])
    """
    y_encoded, classes = check_labels(y, classes)
    pred_proba = check_pred_proba(pred_proba, y_encoded.shape[0], classes.shape[0])
    rows = np.arange(y_encoded.shape[0])
    own = pred_proba[rows, y_encoded]
    if method == "self_confidence":
        return own
    if method == "normalized_margin":
        others = pred_proba.copy()
        others[rows, y_encoded] = -np.inf
        return (own - others.max(axis=1) + 1.0) / 2.0
    if method == "confidence_weighted_entropy":
        clipped = np.clip(pred_proba, 1e-12, 1.0)
        entropy = -(clipped * np.log(clipped)).sum(axis=1) / np.log(pred_proba.shape[1])
        return own / np.maximum(own + entropy, 1e-12)
    raise ValueError(f"method must be one of {_SCORES}, got {method!r}.")
