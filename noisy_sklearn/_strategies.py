"""What to train the final model on, once the noise is estimated.

Each strategy maps (given labels, out-of-fold probabilities, T, flagged or
pruned samples, weights) to the labels and weights of the final fit. The
``"correct"`` strategy trains on the given labels and acts at predict time
(see ``NoiseRobustClassifier.predict_proba``).
"""

from dataclasses import dataclass

import numpy as np

from ._transition import rows_by_label

STRATEGIES = ("prune_reweight", "prune", "reweight", "relabel", "correct", "none")
# Strategies that fit several final models and average their probabilities.
COMBINED = {"prune_reweight": ("prune", "reweight")}


@dataclass
class FitPlan:
    """Labels and weights of the final fit, over all training samples.

    Attributes
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Labels for the final fit (encoded).
    sample_weight : ndarray of shape (n_samples,)
        Weights of the final fit; 0 drops a sample.
    """

    y_encoded: np.ndarray
    sample_weight: np.ndarray


def plan_final_fit(
    strategy,
    y_encoded,
    pred_proba,
    clean_proba,
    transition_matrix,
    issues,
    sample_weight,
    pruned,
):
    """Labels and weights of the final fit for a strategy.

    Parameters
    ----------
    strategy : {"prune", "reweight", "relabel", "correct", "none"}
        The noise-handling strategy.
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold noisy posteriors.
    clean_proba : callable
        Returns the clean posteriors of the same samples, an ndarray of shape
        (n_samples, n_classes); called only by the strategies that use them
        (solving them is the costly step).
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.
    issues : ndarray of shape (n_samples,), dtype=bool
        Samples flagged as probably mislabelled (those ``"relabel"`` changes).
    sample_weight : ndarray of shape (n_samples,)
        The user's weights (ones when none were given).
    pruned : ndarray of shape (n_samples,), dtype=bool or None
        Samples that ``"prune"`` drops (see :func:`most_likely_errors`);
        ``None`` for the other strategies.

    Returns
    -------
    plan : FitPlan
    """
    if strategy in ("none", "correct"):
        return FitPlan(y_encoded, sample_weight)
    if strategy == "prune":
        return FitPlan(
            y_encoded,
            prune_weights(y_encoded, transition_matrix, pruned, sample_weight),
        )
    if strategy == "reweight":
        beta = importance_weights(
            y_encoded, pred_proba, clean_proba(), transition_matrix
        )
        return FitPlan(y_encoded, _rescale(sample_weight * beta, sample_weight))
    if strategy == "relabel":
        return FitPlan(
            relabel(y_encoded, clean_proba(), transition_matrix, issues),
            sample_weight,
        )
    raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}.")


def _rescale(weights, reference):
    """Scale ``weights`` to the total of ``reference`` (keeps regularisation fixed)."""
    total = weights.sum()
    return weights * (reference.sum() / total) if total > 0 else weights


def most_likely_errors(y_encoded, error_proba, sample_weight):
    """In each given class, the expected number of wrong labels, most likely first.

    Class k is expected to hold ``E_k = sum(w_i * P(label i is wrong))`` of
    wrong-label weight over its samples. Its samples are ranked by that
    probability (ties in the order given) and taken while the middle of each
    one's weight, on the running total, stays below ``E_k`` (with unit
    weights: the ``E_k`` most likely wrong, rounded, halves down). Unlike
    the flags (more likely wrong than right), this also takes labels that
    are each more likely right but together account for the errors the
    noise model expects: what pruning needs to leave about the true share of
    right labels in each class.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    error_proba : ndarray of shape (n_samples,)
        Probability that each given label is wrong
        (:func:`~noisy_sklearn._issues.label_error_posterior`).
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights. A sample of integer weight w counts as w copies
        in ``E_k``, but is taken or left whole.

    Returns
    -------
    selected : ndarray of shape (n_samples,), dtype=bool
    """
    selected = np.zeros(y_encoded.shape[0], dtype=bool)
    n_classes = int(y_encoded.max()) + 1 if y_encoded.size else 0
    unit = bool(np.all(sample_weight == 1.0))
    for _, members in rows_by_label(y_encoded, n_classes):
        error, weight = error_proba[members], sample_weight[members]
        expected = weight @ error
        if unit:
            # The j-th most likely wrong (from 1) is taken when j - 1/2 < E,
            # compared exactly as the weighted rule does.
            count = max(int(np.floor(expected + 0.5)) - 1, 0)
            while count < members.shape[0] and count + 0.5 < expected:
                count += 1
            if count > 0:
                # The count-th largest error; ties at it go to the first seen.
                cutoff = -np.partition(-error, count - 1)[count - 1]
                taken = error > cutoff
                tied = np.flatnonzero(error == cutoff)
                taken[tied[: count - np.count_nonzero(taken)]] = True
                selected[members[taken]] = True
            continue
        order = np.argsort(-error, kind="stable")
        running = np.cumsum(weight[order])
        selected[members[order]] = running - weight[order] / 2 < expected
    return selected


def prune_weights(y_encoded, transition_matrix, dropped, sample_weight):
    """Weights that drop some samples and undo the shift of class priors.

    After pruning, class k keeps about ``n * prior_k * T[k, k]`` samples, so
    the kept samples of class k are weighted by ``1 / T[k, k]``. The kept
    samples' total weight is left unchanged.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.
    dropped : ndarray of shape (n_samples,), dtype=bool
        Samples to drop.
    sample_weight : ndarray of shape (n_samples,)
        The user's weights.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
    """
    keep_rate = np.clip(np.diag(transition_matrix), 1e-3, 1.0)
    kept = np.where(dropped, 0.0, sample_weight)
    return _rescale(kept / keep_rate[y_encoded], kept)


def importance_weights(y_encoded, pred_proba, clean_proba, transition_matrix):
    """Importance weights ``beta = P(true = given | x) / P(given | x)``.

    The clean posterior is typically :func:`clean_posterior` of the noisy one
    (a KL fit on the simplex, never an explicit inverse of T). ``beta`` is
    capped at
    ``1 / T[k, k]``, its largest value when the noisy posterior is exactly
    ``p @ T`` (Liu & Tao, 2016).

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold noisy posteriors.
    clean_proba : ndarray of shape (n_samples, n_classes)
        Clean posteriors of the same samples.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.

    Returns
    -------
    beta : ndarray of shape (n_samples,)
    """
    rows = np.arange(y_encoded.shape[0])
    clean = clean_proba
    noisy_own = np.maximum(pred_proba[rows, y_encoded], 1e-12)
    cap = 1.0 / np.clip(np.diag(transition_matrix), 1e-3, 1.0)
    return np.clip(clean[rows, y_encoded] / noisy_own, 0.0, cap[y_encoded])


def relabel(y_encoded, clean_proba, transition_matrix, issues):
    """Replace flagged labels by the most likely true class given x and the label.

    ``argmax_k P(true = k | x) * T[k, given]``: the clean posterior weighed by
    how likely class k is to produce the given label.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    clean_proba : ndarray of shape (n_samples, n_classes)
        Clean posteriors ``P(true = k | x)``.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.
    issues : ndarray of shape (n_samples,), dtype=bool
        Samples whose label is replaced.

    Returns
    -------
    y_relabelled : ndarray of shape (n_samples,)
        A new array; unflagged labels are unchanged.
    """
    relabelled = y_encoded.copy()
    flagged = np.flatnonzero(issues)
    if flagged.size:
        clean = clean_proba[flagged]
        likelihood = transition_matrix[:, y_encoded[flagged]].T
        relabelled[flagged] = np.argmax(clean * likelihood, axis=1)
    return relabelled
