"""Simulate class-conditional label noise: transition matrices and noisy labels."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ._transition import symmetric_transition
from ._validation import check_labels, check_noise_rate, check_transition_matrix

_KINDS = ("symmetric", "pair", "random")
# Attempts at drawing a diagonally dominant random matrix before giving up.
_MAX_DRAWS = 1000


def make_transition_matrix(
    n_classes, noise_rate, *, kind="symmetric", random_state=None
):
    """Build a noise transition matrix ``T[i, j] = P(given j | true i)``.

    Parameters
    ----------
    n_classes : int
        Number of classes K (at least 2).
    noise_rate : float in [0, 1)
        Average probability that a label is flipped, ``1 - mean(diag(T))``.
    kind : {"symmetric", "pair", "random"}, default="symmetric"
        - ``"symmetric"``: a wrong label is uniform over the other classes,
          ``T = (1 - r) I + r / (K - 1)`` off the diagonal.
        - ``"pair"``: class i is mislabelled as class ``(i + 1) mod K``.
        - ``"random"``: class-conditional and uneven; per-class flip rates vary
          around ``noise_rate`` and each row spreads its flips over a random
          subset of the other classes. Drawn so that every row and every
          column stays diagonally dominant (the noise is identifiable), which
          needs ``noise_rate < 0.5``.
    random_state : int, RandomState instance or None, default=None
        Seeds ``kind="random"``; ignored by the other kinds.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        Row-stochastic matrix.

    See Also
    --------
    make_noisy_labels : Corrupt labels with a transition matrix.

    Examples
    --------
    >>> from noisy_sklearn import make_transition_matrix
    >>> make_transition_matrix(3, 0.3)
    array([[0.7 , 0.15, 0.15],
           [0.15, 0.7 , 0.15],
           [0.15, 0.15, 0.7 ]])
    """
    if not isinstance(n_classes, numbers.Integral) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}.")
    rate = check_noise_rate(noise_rate)
    if kind == "symmetric":
        return symmetric_transition(rate, n_classes)
    if kind == "pair":
        T = np.eye(n_classes) * (1.0 - rate)
        T[np.arange(n_classes), (np.arange(n_classes) + 1) % n_classes] += rate
        return T
    if kind == "random":
        return _random_dominant_matrix(
            n_classes, rate, check_random_state(random_state)
        )
    raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}.")


def _random_dominant_matrix(n_classes, rate, rng):
    if rate >= 0.5:
        raise ValueError(
            f"kind='random' keeps every row diagonally dominant, which needs "
            f"noise_rate < 0.5; got {rate}."
        )
    for _ in range(_MAX_DRAWS):
        # Per-class flip rates spread +-50 % around the mean, then re-centred
        # so that the average flip rate is exactly ``rate``.
        rates = rate * rng.uniform(0.5, 1.5, size=n_classes)
        rates = np.clip(rates * rate / max(rates.mean(), 1e-12), 0.0, 0.95)
        T = np.zeros((n_classes, n_classes))
        for i in range(n_classes):
            others = np.delete(np.arange(n_classes), i)
            # A random subset of the other classes receives this row's flips
            # (Confident Learning's protocol leaves some off-diagonal cells zero).
            size = rng.randint(1, n_classes) if n_classes > 2 else 1
            targets = rng.choice(others, size=size, replace=False)
            T[i, targets] = rates[i] * rng.dirichlet(np.ones(size))
            T[i, i] = 1.0 - rates[i]
        if _is_diagonally_dominant(T):
            return T
    raise ValueError(
        f"Could not draw a diagonally dominant {n_classes}x{n_classes} matrix with "
        f"noise_rate={rate}; use a lower noise_rate."
    )


def _is_diagonally_dominant(T):
    diag = np.diag(T)
    off = T - np.diag(diag)
    return bool(np.all(diag > off.max(axis=1)) and np.all(diag > off.max(axis=0)))


def make_noisy_labels(y, transition_matrix, *, classes=None, random_state=None):
    """Corrupt labels with class-conditional noise.

    Each label is redrawn independently: a sample of true class ``i`` gets
    label ``j`` with probability ``T[i, j]``. The realised flip rate therefore
    varies around the nominal one (it is not "exactly n * rate" flips).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        True labels (any label type).
    transition_matrix : array-like of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)``, rows and columns in ``classes`` order.
    classes : array-like of shape (n_classes,), default=None
        The class order of ``transition_matrix``; ``None`` means the sorted
        unique values of ``y``. Pass it when ``y`` lacks some classes.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    y_noisy : ndarray of shape (n_samples,)
        A corrupted copy of ``y`` with the same label type; ``y`` is unchanged.

    See Also
    --------
    make_transition_matrix : Build T for symmetric, pair or random noise.

    Examples
    --------
    >>> import numpy as np
    >>> from noisy_sklearn import make_noisy_labels, make_transition_matrix
    >>> y = np.repeat(["cat", "dog"], 500)
    >>> T = make_transition_matrix(2, 0.2)
    >>> y_noisy = make_noisy_labels(y, T, random_state=0)
    >>> bool(0.15 < np.mean(y_noisy != y) < 0.25)
    True
    """
    y_encoded, classes = check_labels(y, classes)
    T = check_transition_matrix(transition_matrix, n_classes=classes.shape[0])
    rng = check_random_state(random_state)
    cumulative = np.cumsum(T, axis=1)
    cumulative[:, -1] = 1.0  # guard against round-off below one
    draws = rng.random_sample(y_encoded.shape[0])
    # Inverse-CDF sampling, one row of T per sample, without a loop over samples.
    noisy_encoded = (draws[:, None] >= cumulative[y_encoded]).sum(axis=1)
    return classes[noisy_encoded]
