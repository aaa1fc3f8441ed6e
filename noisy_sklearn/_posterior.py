"""Mapping noisy posteriors back to clean ones through T, on the simplex."""

import numpy as np

_CHUNK_ROWS = 1 << 15


def clean_posterior(noisy_proba, transition_matrix, *, max_iter=200, tol=1e-7):
    """Clean class posterior ``p`` with ``noisy_proba ~ p @ T``, on the simplex.

    Solves ``min_p KL(noisy_proba || p @ T)`` over probability vectors by the
    EM (multiplicative) update ``p_i <- p_i * sum_j T[i, j] q_j / (p @ T)_j``,
    which keeps ``p`` on the simplex and never needs ``inv(T)``. Where
    ``noisy_proba`` lies in the image of the simplex this is the exact
    inverse; elsewhere it is the closest clean posterior in KL, so a
    near-singular T cannot blow up the result.

    Parameters
    ----------
    noisy_proba : ndarray of shape (n_samples, n_classes)
        Posterior over the given (noisy) labels.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``.
    max_iter : int, default=200
        Maximum number of EM updates.
    tol : float, default=1e-7
        Stop when no probability moves by more than ``tol``.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
        Clean posterior; rows sum to one.
    """
    noisy_proba = np.asarray(noisy_proba, dtype=np.float64)
    T = np.asarray(transition_matrix, dtype=np.float64)
    out = np.empty_like(noisy_proba)
    for start in range(0, noisy_proba.shape[0], _CHUNK_ROWS):
        out[start : start + _CHUNK_ROWS] = _solve_block(
            noisy_proba[start : start + _CHUNK_ROWS], T, max_iter, tol
        )
    return out


def _solve_block(q, T, max_iter, tol):
    tiny = np.finfo(np.float64).tiny
    # Start from the noisy posterior itself: for small noise it is close.
    p = np.clip(q, 1e-6, None)
    p /= p.sum(axis=1, keepdims=True)
    # Each row stops on its own, so a row's result never depends on which
    # other rows share its batch.
    active = np.arange(q.shape[0])
    for _ in range(max_iter):
        if active.size == 0:
            break
        p_active = p[active]
        ratio = q[active] / np.maximum(p_active @ T, tiny)
        p_new = p_active * (ratio @ T.T)
        p_new /= p_new.sum(axis=1, keepdims=True)
        moving = np.max(np.abs(p_new - p_active), axis=1) >= tol
        p[active] = p_new
        active = active[moving]
    return p
