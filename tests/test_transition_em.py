"""Maximum-likelihood T from the confident joint, and the symmetric-noise test."""

import numpy as np
import pytest

from noisy_sklearn import (
    NoiseRobustClassifier,
    estimate_transition_matrix,
    make_noisy_labels,
    make_transition_matrix,
)
from noisy_sklearn._issues import flag_disagreements_by_posterior
from noisy_sklearn._noise_model import fit_noise_model
from noisy_sklearn._posterior import LOOSE_TOL, clean_posterior, corrected_argmax
from noisy_sklearn._transition import symmetric_transition
from noisy_sklearn._transition_em import (
    _em_update,
    _GroupedPrior,
    em_transition_matrix,
    maximum_likelihood_symmetric_rate,
    maximum_likelihood_transition,
)


def _soft_problem(T, n=4000, seed=0, strength=2.5):
    """Noisy labels and the exact noisy posterior ``p @ T`` of soft clean posteriors.

    The clean posterior is a softmax with the true class boosted, and the
    true class is drawn from it, so ``p`` is the real posterior of the data.
    """
    rng = np.random.RandomState(seed)
    K = T.shape[0]
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), rng.randint(0, K, n)] += strength
    clean = np.exp(logits)
    clean /= clean.sum(axis=1, keepdims=True)
    y_true = (clean.cumsum(axis=1) > rng.uniform(size=(n, 1))).argmax(axis=1)
    y_noisy = make_noisy_labels(y_true, T, classes=np.arange(K), random_state=seed)
    return y_noisy, clean @ T


@pytest.mark.parametrize("kind", ["pair", "random"])
def test_em_is_closer_to_the_true_t_than_the_confident_joint(kind):
    T = make_transition_matrix(4, 0.3, kind=kind, random_state=0)
    y_noisy, proba = _soft_problem(T)
    em = estimate_transition_matrix(y_noisy, proba, method="em")
    counted = estimate_transition_matrix(y_noisy, proba, method="confident_joint")
    np.testing.assert_allclose(em.sum(axis=1), 1.0)
    assert np.all(em >= 0)
    assert np.abs(em - T).mean() < np.abs(counted - T).mean()


def test_symmetric_noise_is_detected_and_asymmetric_noise_is_not():
    symmetric = make_transition_matrix(4, 0.3, kind="symmetric")
    y_noisy, proba = _soft_problem(symmetric, strength=4.0)
    T, details = em_transition_matrix(
        y_noisy, proba, np.ones(y_noisy.shape[0]), return_details=True
    )
    assert details["symmetric"] and details["p_value"] > 0.01
    assert details["dof"] == 4 * 3 - 1
    np.testing.assert_allclose(T, symmetric_transition(1 - T[0, 0], 4))
    # Seeded by the confident joint, which over-counts noise, the estimate
    # over-counts too, but less (0.665 here against 0.625-0.650).
    assert abs(T[0, 0] - 0.7) < 0.05
    counted = details["confident_joint_T"]
    assert np.abs(T - symmetric).mean() < np.abs(counted - symmetric).mean()

    pair = make_transition_matrix(4, 0.3, kind="pair")
    y_noisy, proba = _soft_problem(pair)
    T, details = em_transition_matrix(
        y_noisy, proba, np.ones(y_noisy.shape[0]), return_details=True
    )
    assert not details["symmetric"] and details["p_value"] < 1e-6
    np.testing.assert_array_equal(T, details["free_T"])


def test_likelihood_never_decreases_and_the_em_fixed_point_is_kept():
    T_true = make_transition_matrix(3, 0.3, kind="random", random_state=1)
    y_noisy, proba = _soft_problem(T_true, n=1500)
    grouped = _GroupedPrior(y_noisy, proba, T_true, np.ones(1500))
    start = np.full((3, 3), 1 / 3)
    previous = grouped.likelihood_terms(start)[1]
    T = start
    for max_iter in (1, 2, 5, 20):
        T, loglik = maximum_likelihood_transition(grouped, start, max_iter=max_iter)
        assert loglik >= previous - 1e-9
        previous = loglik
    # One more EM update from the converged T does not move it.
    T, _ = maximum_likelihood_transition(grouped, start, tol=1e-8)
    again, _ = maximum_likelihood_transition(grouped, T, max_iter=1)
    np.testing.assert_allclose(again, T, atol=1e-6)
    # The extrapolation reaches the fixed point of plain EM updates.
    plain = start
    for _ in range(5000):
        plain = _em_update(grouped, plain, start > 0)[0]
    np.testing.assert_allclose(T, plain, atol=1e-5)
    # It stops on the duality gap: L within tol per sample of the maximum.
    best = grouped.likelihood_terms(plain)[1]
    for tol in (1e-5, 1e-7):
        T, _ = maximum_likelihood_transition(grouped, start, tol=tol)
        assert best - grouped.likelihood_terms(T)[1] <= tol * 1500


def test_symmetric_rate_solves_the_score_equation():
    rng = np.random.RandomState(0)
    own = rng.uniform(0.2, 1.0, 500)
    weight = rng.uniform(0.5, 2.0, 500)
    rate, loglik = maximum_likelihood_symmetric_rate(own, weight, 5)
    grid = np.linspace(0.0, 1.0, 2001)
    other = (1 - own) / 4
    values = [weight @ np.log(own * (1 - r) + other * r) for r in grid]
    assert loglik >= max(values) - 1e-9
    assert abs(rate - grid[int(np.argmax(values))]) < 1e-3
    # Labels that the prior fully backs: no noise at all.
    assert maximum_likelihood_symmetric_rate(np.ones(10), np.ones(10), 3)[0] == 0.0


def test_integer_weights_equal_repeated_samples():
    T_true = make_transition_matrix(3, 0.3, kind="pair")
    y_noisy, proba = _soft_problem(T_true, n=600)
    counts = np.random.RandomState(1).randint(1, 4, 600)
    weighted = em_transition_matrix(y_noisy, proba, counts.astype(float))
    repeated = em_transition_matrix(
        np.repeat(y_noisy, counts),
        np.repeat(proba, counts, axis=0),
        np.ones(counts.sum()),
    )
    np.testing.assert_allclose(weighted, repeated, atol=1e-6)


def test_unknown_method_names_the_choices():
    with pytest.raises(ValueError, match="'em'"):
        estimate_transition_matrix([0, 1], [[0.9, 0.1], [0.2, 0.8]], method="mle")


def test_exact_ties_go_to_the_noisy_prediction():
    noisy = np.array([[0.2, 0.4, 0.4], [0.1, 0.3, 0.6], [0.5, 0.5, 0.0]])
    clean = np.array([[0.2, 0.4, 0.4 + 1e-15], [0.0, 0.2, 0.8], [0.5, 0.5, 0.0]])
    np.testing.assert_array_equal(corrected_argmax(noisy, clean), [1, 2, 0])
    clean_flip = np.array([[0.1, 0.6, 0.3], [0.0, 0.9, 0.1], [0.2, 0.8, 0.0]])
    np.testing.assert_array_equal(corrected_argmax(noisy, clean_flip), [1, 1, 1])


def test_correct_under_symmetric_noise_moves_no_prediction(small_problem):
    X, _, y_noisy = small_problem
    T = make_transition_matrix(3, 0.3, kind="symmetric")
    none = NoiseRobustClassifier(strategy="none", random_state=0).fit(X, y_noisy)
    correct = NoiseRobustClassifier(
        strategy="correct", transition_matrix=T, random_state=0
    ).fit(X, y_noisy)
    np.testing.assert_array_equal(correct.predict(X), none.predict(X))
    assert not np.allclose(correct.predict_proba(X), none.predict_proba(X))


def test_the_prior_serves_the_audit_as_a_fresh_solve_would():
    # The flags and the quality scores read the labels through the
    # confident-joint T; the maximum-likelihood prior is that very posterior.
    T = make_transition_matrix(5, 0.3, kind="random", random_state=1)
    y_noisy, proba = _soft_problem(T, n=3000, seed=2)
    weights = np.ones(y_noisy.shape[0])
    noise = fit_noise_model(y_noisy, proba, weights, method="em")
    assert noise.starting_prior is not None
    fresh = clean_posterior(proba, noise.audit_matrix, gap_tol=LOOSE_TOL)
    rows = np.array([7, 0, 2999, 7, 1500])
    # Equal but for rounding (the prior is solved in label order, in other
    # batches, which can tip a stopping decision; see clean_posterior).
    np.testing.assert_allclose(noise.audit_clean_rows(rows), fresh[rows], atol=1e-9)
    np.testing.assert_allclose(noise.audit_clean_proba, fresh, atol=1e-9)
    reused = flag_disagreements_by_posterior(
        y_noisy, proba, noise.audit_matrix, loose_posterior=noise.audit_clean_rows
    )
    own = flag_disagreements_by_posterior(y_noisy, proba, noise.audit_matrix)
    assert reused.sum() > 50
    np.testing.assert_array_equal(reused, own)
    # Once forgotten, the rows are solved again, to the same values.
    noise.forget_clean_proba()
    assert noise.starting_prior is None
    np.testing.assert_allclose(noise.audit_clean_rows(rows), fresh[rows], atol=1e-9)
