"""Mapping noisy posteriors back to clean ones through T, on the simplex."""

import numpy as np

# Entries (rows x classes) solved at once: the solver's dozen temporaries
# stay ~2 MB each at any n and K.
_CHUNK_ENTRIES = 1 << 18
# Beyond this condition number T is treated as singular: no inverse is tried.
_MAX_CONDITION = 1e8
_TINY = np.finfo(np.float64).tiny
# Tolerance of the loose solves on training samples (the prior of the
# maximum-likelihood T, the flags' first pass, weights, relabels, quality
# scores): a fraction of a tight solve's cost. Against a 1e-12 solve on
# synthetic 100-class probabilities it moved no probability by more than
# 7e-4 and no label-error probability by more than 0.015, and changed no
# flag. One value for all, so that one solve serves them all. Predictions
# ("correct") are solved to 1e-8.
LOOSE_TOL = 1e-4


def clean_posterior(
    noisy_proba, transition_matrix, *, rows=None, max_iter=500, tol=1e-8
):
    """Clean class posterior ``p`` with ``noisy_proba ~ p @ T``, on the simplex.

    Solves ``min_p KL(noisy_proba || p @ T)`` over probability vectors: the
    maximum-likelihood mixture weights of the rows of T. Rows whose exact
    inverse ``noisy_proba @ inv(T)`` is a probability vector take it (the KL
    is then zero). The others, and every row when T is ill-conditioned, are
    fitted by the EM (multiplicative) update ``p_i <- p_i * sum_j T[i, j]
    q_j / (p @ T)_j``, which stays on the simplex, so a near-singular T
    cannot blow up the result.

    Parameters
    ----------
    noisy_proba : ndarray of shape (n_samples, n_classes)
        Posterior over the given (noisy) labels.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.
    rows : ndarray of int, default=None
        Solve only these rows of ``noisy_proba``, in this order (gathered a
        chunk at a time, so no copy of them all is made); ``None`` solves
        every row.
    max_iter : int, default=500
        Maximum number of EM updates.
    tol : float, default=1e-8
        A row stops when none of its probabilities moves by more than ``tol``
        in an update.

    Returns
    -------
    proba : ndarray of shape (n_rows, n_classes)
        Clean posterior; rows sum to one. Each row depends only on its own
        input row.
    """
    noisy_proba = np.asarray(noisy_proba, dtype=np.float64)
    T = np.asarray(transition_matrix, dtype=np.float64)
    inverse = np.linalg.inv(T) if np.linalg.cond(T) < _MAX_CONDITION else None
    n_rows = noisy_proba.shape[0] if rows is None else rows.shape[0]
    out = np.empty((n_rows, noisy_proba.shape[1]))
    chunk = max(1, _CHUNK_ENTRIES // max(noisy_proba.shape[1], 1))
    for start in range(0, n_rows, chunk):
        part = slice(start, start + chunk)
        block = noisy_proba[part] if rows is None else noisy_proba[rows[part]]
        out[part] = _solve_block(block, T, inverse, max_iter, tol)
    return out


def _em_step(p, q, T):
    """One EM update of the mixture weights ``p`` (rows on the simplex)."""
    p = p * ((q / np.maximum(p @ T, _TINY)) @ T.T)
    return p / p.sum(axis=1, keepdims=True)


def _solve_block(q, T, inverse, max_iter, tol):
    if inverse is None:
        p = np.clip(q, 1e-6, None)
        active = np.arange(q.shape[0])
    else:
        p = q @ inverse
        feasible = np.all(p >= 0, axis=1)
        # Infeasible rows start from the projected inverse, kept off the faces
        # of the simplex so that the multiplicative update can move every entry.
        p[~feasible] = np.clip(p[~feasible], 1e-3, None)
        active = np.flatnonzero(~feasible)
    p /= p.sum(axis=1, keepdims=True)
    # Each row stops on its own, so a row's result never depends on which
    # other rows share its batch.
    for _ in range(max_iter):
        if active.size == 0:
            break
        p_active = p[active]
        p_new = _em_step(p_active, q[active], T)
        moving = np.max(np.abs(p_new - p_active), axis=1) >= tol
        p[active] = p_new
        active = active[moving]
    return p


# Clean probabilities closer than this count as tied (rounding of the solve).
_TIE_TOL = 1e-12


def corrected_argmax(noisy_proba, clean_proba):
    """Most probable clean class; ties go to the noisy model's prediction.

    Symmetric noise preserves the order of the classes, so the mapping
    through T must not change a prediction; rounding in the solve can still
    turn an exact tie into a near tie the other way.

    Parameters
    ----------
    noisy_proba : ndarray of shape (n_samples, n_classes)
        Posterior over the given labels.
    clean_proba : ndarray of shape (n_samples, n_classes)
        Its clean posterior, :func:`clean_posterior` of ``noisy_proba``.

    Returns
    -------
    classes : ndarray of shape (n_samples,)
        Column index of the predicted class.
    """
    rows = np.arange(clean_proba.shape[0])
    best = np.argmax(clean_proba, axis=1)
    noisy_best = np.argmax(noisy_proba, axis=1)
    tied = clean_proba[rows, noisy_best] >= clean_proba[rows, best] - _TIE_TOL
    return np.where(tied, noisy_best, best)
