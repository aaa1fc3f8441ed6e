"""Maximum-likelihood refinement of T, with a test for symmetric noise.

The confident joint counts each sample once, for one class, so it is coarse
(a sample either counts or not) and biased towards more noise than there is.
Here it only provides a starting point: the clean posterior it implies,
``p_n = P(true | x_n)``, is held fixed as a per-sample prior, and T is then
chosen to maximise the likelihood of the given labels,

    L(T) = sum_n w_n log (p_n @ T)[y_n],

a concave function of T. The expectation-maximisation (EM) update of Dawid and
Skene (1979) climbs it monotonically: responsibilities ``r_nk ∝ p_nk T[k,
y_n]``, then ``T[k, j] ∝ sum_{n: y_n = j} w_n r_nk``.

The same likelihood is maximised within symmetric noise, ``T = (1 - r) I +
r / (K - 1) (1 - I)`` (one parameter, a 1-D concave problem), and a
likelihood-ratio test keeps the symmetric estimate unless the data reject it.
Symmetric noise moves no argmax, so detecting it matters: it keeps the
strategies from acting on spurious asymmetries.
"""

import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2

from ._posterior import LOOSE_TOL, clean_posterior
from ._transition import (
    confident_joint,
    rows_by_label,
    symmetric_transition,
    transition_from_joint,
)

# Level of the likelihood-ratio test of symmetric noise against free T.
SYMMETRY_TEST_LEVEL = 0.01
# Shortenings of an extrapolation step that leaves the simplex before the
# plain EM update is taken instead.
_MAX_STEP_HALVINGS = 10
_TINY = 1e-300


class _GroupedPrior:
    """The per-sample prior, one block of rows per given label.

    The prior ``clean_posterior(pred_proba, T0)`` is solved straight into
    label order, so that only one n x K array (the blocks) is held besides
    ``pred_proba``.
    """

    def __init__(self, y_encoded, pred_proba, T0, sample_weight):
        n_classes = pred_proba.shape[1]
        groups = rows_by_label(y_encoded, n_classes)
        order = np.concatenate([members for _, members in groups])
        # One n x K array in grouped order, solved in one call (many small
        # classes would otherwise mean many small solves); the blocks are
        # views of it.
        prior = clean_posterior(pred_proba, T0, rows=order, gap_tol=LOOSE_TOL)
        self.order, self.proba = order, prior
        self.blocks, self._members = [], []
        start = 0
        for j, members in groups:
            stop = start + members.shape[0]
            self.blocks.append((j, prior[start:stop], sample_weight[members]))
            self._members.append(order[start:stop])
            start = stop
        self.n_classes = n_classes

    def likelihood_terms(self, T, *, with_loglik=True):
        """The gradient ``G = dL / dT`` and the log-likelihood ``L`` at T.

        ``T * G`` are the expected counts ``S[k, j]`` (given j, true k) of
        the EM update. The log-likelihood is None when ``with_loglik`` is
        False.
        """
        G = np.zeros((self.n_classes, self.n_classes))
        loglik = 0.0 if with_loglik else None
        for j, prior, weight in self.blocks:
            evidence = np.maximum(prior @ T[:, j], _TINY)
            G[:, j] = (weight / evidence) @ prior
            if with_loglik:
                loglik += float(weight @ np.log(evidence))
        return G, loglik

    def rows(self, indices=None):
        """The prior of these samples (numbered as in ``pred_proba``).

        ``None`` gives every sample, in the order of ``pred_proba`` (a new
        n x K array).
        """
        if indices is None:
            out = np.empty_like(self.proba)
            out[self.order] = self.proba
            return out
        position = np.empty_like(self.order)
        position[self.order] = np.arange(self.order.shape[0])
        return self.proba[position[indices]]

    def label_blocks(self):
        """``(rows, j, prior)`` for each given label j.

        ``rows`` are its samples (numbered as in ``pred_proba``), ``prior``
        their prior: a view of the grouped array.
        """
        for members, (j, prior, _) in zip(self._members, self.blocks, strict=True):
            yield members, j, prior

    def own_prior(self):
        """``(p_n[y_n], w_n)`` for every sample, in grouped order."""
        own = np.concatenate([prior[:, j] for j, prior, _ in self.blocks])
        weight = np.concatenate([weight for _, _, weight in self.blocks])
        return own, weight


def _normalise_rows(S):
    rows = S.sum(axis=1, keepdims=True)
    return np.where(rows > 0, S / np.where(rows > 0, rows, 1.0), np.eye(S.shape[0]))


def _em_update(grouped, T, support, with_loglik=False):
    """One EM update of T, ``L`` at T (None unless asked) and the duality gap.

    The gap ``sum_k max_j G[k, j] - sum(T * G)`` (j over the support) bounds
    how far ``L(T)`` is below its maximum over row-stochastic matrices with
    that support (Frank-Wolfe; L is concave).
    """
    G, loglik = grouped.likelihood_terms(T, with_loglik=with_loglik)
    S = T * G
    gap = float(np.sum(np.max(np.where(support, G, -np.inf), axis=1)) - S.sum())
    return _normalise_rows(S), loglik, gap


def maximum_likelihood_transition(grouped, T_start, *, max_iter=500, tol=1e-5):
    """EM maximisation of ``L(T)`` over row-stochastic T, from ``T_start``.

    The EM updates are accelerated by squared extrapolation (SQUAREM, scheme
    S3 of Varadhan and Roland, 2008): from two updates ``T1 = F(T)`` and
    ``T2 = F(T1)``, with ``r = T1 - T`` and ``v = T2 - 2 T1 + T``, the point
    ``T - 2 a r + a^2 v`` with ``a = -|r| / |v|`` (never above -1, which is
    ``T2`` itself), shortened until it has no negative entry, then one more
    update; a step that lowers ``L`` is replaced by the plain ``T2``. So
    ``L`` never decreases, and the fixed point is EM's. A zero of
    ``T_start`` stays zero: the support of the confident joint is kept.

    Parameters
    ----------
    grouped : _GroupedPrior
        Prior and weights grouped by given label.
    T_start : ndarray of shape (n_classes, n_classes)
        Starting point.
    max_iter : int, default=500
        Maximum number of extrapolation cycles (three updates each).
    tol : float, default=1e-5
        Stop once the duality gap is below ``tol`` times the total weight:
        ``L`` is then within that of its maximum, per unit of weight (far
        below the sampling error of ``L``). On the accuracy benchmark's 144
        out-of-fold problems, T then differs from a stop at 1e-6 by at most
        0.005 per entry and its mean absolute error is unchanged (0.0458),
        in a third of the updates at 10,000 samples and 100 classes.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
    loglik : float
        ``L`` at the returned T.
    """
    support = T_start > 0
    bound = tol * sum(float(weight.sum()) for _, _, weight in grouped.blocks)
    T = T_start
    for _ in range(max_iter):
        T1, loglik, gap = _em_update(grouped, T, support, with_loglik=True)
        if gap < bound:
            T = T1
            break
        T2 = _em_update(grouped, T1, support)[0]
        r = T1 - T
        v = T2 - T1 - r
        v_norm = np.linalg.norm(v)
        step = min(-np.linalg.norm(r) / v_norm, -1.0) if v_norm > 0 else -1.0
        for _ in range(_MAX_STEP_HALVINGS):
            T_far = T - 2.0 * step * r + step**2 * v
            if np.all(T_far >= 0):
                break
            step = (step - 1.0) / 2.0
        else:
            T_far = T2
        T_far = _normalise_rows(np.maximum(T_far, 0.0))
        T_next, loglik_far, _ = _em_update(grouped, T_far, support, with_loglik=True)
        if loglik_far < loglik:
            T_next = T2
        T = T_next
    return T, grouped.likelihood_terms(T)[1]


def maximum_likelihood_symmetric_rate(own_prior, sample_weight, n_classes):
    """The noise rate r maximising ``L`` within symmetric noise.

    With ``a_n = p_n[y_n]``, ``L(r) = sum_n w_n log(a_n (1 - r) + (1 - a_n) r
    / (K - 1))`` is concave in r; its derivative is solved by Brent's method
    on ``[0, 1]`` (or r sits at an end where the derivative keeps its sign).

    Parameters
    ----------
    own_prior : ndarray of shape (n_samples,)
        Prior probability of each sample's own given label.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.
    n_classes : int
        Number of classes K.

    Returns
    -------
    rate : float
    loglik : float
    """
    other = (1.0 - own_prior) / (n_classes - 1)
    slope = other - own_prior

    def derivative(rate):
        return float(
            sample_weight @ (slope / np.maximum(own_prior + rate * slope, _TINY))
        )

    low, high = 1e-12, 1.0 - 1e-12
    if derivative(low) <= 0:
        rate = 0.0
    elif derivative(high) >= 0:
        rate = 1.0
    else:
        rate = brentq(derivative, low, high, xtol=1e-10)
    evidence = np.maximum(own_prior + rate * slope, _TINY)
    return rate, float(sample_weight @ np.log(evidence))


def em_transition_matrix(y_encoded, pred_proba, sample_weight, *, return_details=False):
    """T by maximum likelihood from the confident joint, symmetric unless rejected.

    1. ``T0`` from the confident joint;
    2. the clean prior ``p_n`` implied by ``T0`` and ``pred_proba``, held fixed;
    3. maximum likelihood of T given the prior, free (EM from ``T0``) and
       within symmetric noise;
    4. likelihood-ratio test: ``2 (L_free - L_sym)`` (weights rescaled to sum
       to n) against chi-squared with ``K (K - 1) - 1`` degrees of freedom;
       the symmetric T is kept unless rejected at level
       ``SYMMETRY_TEST_LEVEL``.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels encoded as ``0..K-1``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights.
    return_details : bool, default=False
        Also return a dict with the intermediate estimates, the prior
        (``_GroupedPrior``) and the test.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
    details : dict
        Only with ``return_details=True``.
    """
    n_samples, n_classes = pred_proba.shape
    T0 = transition_from_joint(confident_joint(y_encoded, pred_proba, sample_weight))[0]
    grouped = _GroupedPrior(y_encoded, pred_proba, T0, sample_weight)
    T_free, loglik_free = maximum_likelihood_transition(grouped, T0)
    rate, loglik_sym = maximum_likelihood_symmetric_rate(
        *grouped.own_prior(), n_classes
    )
    T_sym = symmetric_transition(rate, n_classes)
    total_weight = sample_weight.sum()
    scale = n_samples / total_weight if total_weight > 0 else 1.0
    statistic = max(2.0 * scale * (loglik_free - loglik_sym), 0.0)
    dof = n_classes * (n_classes - 1) - 1
    p_value = float(chi2.sf(statistic, dof))
    symmetric = p_value > SYMMETRY_TEST_LEVEL
    T = T_sym if symmetric else T_free
    if not return_details:
        return T
    return T, {
        "confident_joint_T": T0,
        "prior": grouped,
        "free_T": T_free,
        "symmetric_T": T_sym,
        "statistic": statistic,
        "dof": dof,
        "p_value": p_value,
        "symmetric": symmetric,
    }
