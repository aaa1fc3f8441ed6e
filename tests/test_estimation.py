import numpy as np
import pytest

from noisy_sklearn import (
    estimate_transition_matrix,
    find_label_issues,
    label_quality_scores,
    make_noisy_labels,
    make_transition_matrix,
)
from noisy_sklearn._posterior import LOOSE_TOL, clean_posterior
from noisy_sklearn._transition import confident_joint, transition_from_joint


def _ideal_problem(T, n=6000, seed=0):
    """Labels drawn through T and the exact noisy posterior of each sample.

    Each sample is of a surely known true class (a clean posterior that is
    one-hot), so its noisy posterior is the row of T of its true class.
    """
    rng = np.random.RandomState(seed)
    K = T.shape[0]
    y_true = rng.randint(0, K, n)
    y_noisy = make_noisy_labels(y_true, T, classes=np.arange(K), random_state=seed)
    # Blur the rows a little so that thresholds and ties behave realistically.
    proba = T[y_true] + rng.uniform(0, 0.02, (n, K))
    return y_true, y_noisy, proba / proba.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["symmetric", "pair", "random"])
def test_confident_joint_recovers_t_from_ideal_probabilities(kind):
    T = make_transition_matrix(4, 0.3, kind=kind, random_state=0)
    _, y_noisy, proba = _ideal_problem(T)
    estimate = estimate_transition_matrix(y_noisy, proba)
    np.testing.assert_allclose(estimate.sum(axis=1), 1.0)
    assert np.abs(estimate - T).max() < 0.05


def test_anchor_points_recover_t_from_ideal_probabilities():
    T = make_transition_matrix(3, 0.3, kind="pair")
    _, y_noisy, proba = _ideal_problem(T)
    estimate = estimate_transition_matrix(y_noisy, proba, method="anchor")
    assert np.abs(estimate - T).max() < 0.05


def test_joint_normalises_columns_not_rows():
    joint = np.array([[0.4, 0.1], [0.0, 0.5]])  # rows given, columns true
    T, prior = transition_from_joint(joint)
    np.testing.assert_allclose(prior, [0.4, 0.6])
    np.testing.assert_allclose(T, [[1.0, 0.0], [1 / 6, 5 / 6]])


def test_confident_joint_sums_to_one_and_matches_label_counts():
    T = make_transition_matrix(3, 0.2)
    _, y_noisy, proba = _ideal_problem(T, n=900)
    weights = np.ones(900)
    joint = confident_joint(y_noisy, proba, weights)
    np.testing.assert_allclose(joint.sum(), 1.0)
    np.testing.assert_allclose(joint.sum(axis=1), np.bincount(y_noisy) / 900)


def test_integer_weights_act_like_repeated_samples():
    T = make_transition_matrix(3, 0.3, kind="random", random_state=2)
    _, y_noisy, proba = _ideal_problem(T, n=600)
    weights = np.random.RandomState(0).randint(0, 4, 600)
    repeated = np.repeat(np.arange(600), weights)
    np.testing.assert_allclose(
        estimate_transition_matrix(y_noisy, proba, sample_weight=weights),
        estimate_transition_matrix(y_noisy[repeated], proba[repeated]),
    )
    flagged_weighted = find_label_issues(y_noisy, proba, sample_weight=weights)
    flagged_repeated = find_label_issues(y_noisy[repeated], proba[repeated])
    np.testing.assert_array_equal(flagged_weighted[repeated], flagged_repeated)


def test_label_issues_match_the_flipped_samples():
    T = make_transition_matrix(3, 0.3, kind="pair")
    y_true, y_noisy, proba = _ideal_problem(T)
    issues = find_label_issues(y_noisy, proba)
    flipped = y_true != y_noisy
    assert (issues & flipped).sum() / issues.sum() > 0.95
    assert (issues & flipped).sum() / flipped.sum() > 0.9


def test_label_issues_never_flag_agreeing_predictions():
    rng = np.random.RandomState(0)
    proba = rng.dirichlet(np.ones(4), 500)
    y = rng.randint(0, 4, 500)
    issues = find_label_issues(y, proba)
    assert not np.any(issues & (proba.argmax(axis=1) == y))


def test_label_issues_with_a_known_transition_matrix():
    T = make_transition_matrix(3, 0.3, kind="pair")
    y_true, y_noisy, proba = _ideal_problem(T)
    issues = find_label_issues(y_noisy, proba, transition_matrix=T)
    flipped = y_true != y_noisy
    assert abs(issues.mean() - flipped.mean()) < 0.03


def test_string_labels_and_explicit_classes():
    y = np.array(["b", "a", "b", "a"])
    proba = np.array([[0.1, 0.9], [0.8, 0.2], [0.9, 0.1], [0.7, 0.3]])
    issues = find_label_issues(y, proba)
    assert issues.tolist() == [False, False, True, False]
    # Columns in another order: say so with classes.
    reordered = find_label_issues(y, proba[:, ::-1], classes=["b", "a"])
    np.testing.assert_array_equal(issues, reordered)


@pytest.mark.parametrize(
    "method", ["self_confidence", "normalized_margin", "confidence_weighted_entropy"]
)
def test_quality_scores_rank_wrong_labels_lower(method):
    T = make_transition_matrix(3, 0.3)
    y_true, y_noisy, proba = _ideal_problem(T, n=1000)
    scores = label_quality_scores(y_noisy, proba, method=method)
    assert np.all((scores >= 0) & (scores <= 1))
    flipped = y_true != y_noisy
    assert scores[flipped].mean() < scores[~flipped].mean()


def test_clean_posterior_inverts_an_invertible_noise():
    T = make_transition_matrix(4, 0.3, kind="random", random_state=0)
    clean = np.random.RandomState(0).dirichlet(np.ones(4), 50)
    np.testing.assert_allclose(clean_posterior(clean @ T, T), clean, atol=1e-3)


def test_clean_posterior_stays_on_the_simplex_for_a_singular_t():
    T = np.array([[0.5, 0.5], [0.5, 0.5]])
    out = clean_posterior(np.array([[0.9, 0.1], [0.2, 0.8]]), T)
    assert np.all(out >= 0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def _kl_excess(proba, noisy, T):
    """``KL(noisy || proba @ T)`` up to the entropy of ``noisy`` (per row)."""
    return -np.sum(noisy * np.log(proba @ T), axis=1)


def test_the_gap_rule_solves_where_an_entry_crawls_off_a_face():
    # Heavy noise (a labeller of class 0 says 1 half the time): the clean
    # posterior is mostly class 0, but the update starts that entry at the
    # floor and grows it by little per step, so the step rule stops at once
    # near the vertex of class 1. The duality gap does not let it stop there.
    T = np.array([[0.51, 0.49, 0.0], [0.40, 0.45, 0.15], [0.06, 0.27, 0.67]])
    noisy = np.array([[0.40, 0.59, 0.01]])
    exact = clean_posterior(noisy, T, gap_tol=1e-12, max_iter=100_000)
    assert exact[0, 0] > 0.9
    loose = clean_posterior(noisy, T, gap_tol=LOOSE_TOL)
    np.testing.assert_allclose(loose, exact, atol=0.01)
    assert clean_posterior(noisy, T, tol=1e-4)[0, 0] < 0.01


@pytest.mark.parametrize("seed", range(3))
def test_the_gap_rule_is_within_its_tolerance_of_the_minimum(seed):
    rng = np.random.RandomState(seed)
    T = make_transition_matrix(6, 0.4, kind="random", random_state=seed)
    # Noisy posteriors off the image of the simplex: every row needs the solve.
    noisy = rng.dirichlet(np.full(6, 0.3), 300)
    exact = clean_posterior(noisy, T, gap_tol=1e-12, max_iter=100_000)
    for gap_tol in (1e-3, 1e-6):
        loose = clean_posterior(noisy, T, gap_tol=gap_tol)
        excess = _kl_excess(loose, noisy, T) - _kl_excess(exact, noisy, T)
        assert np.all(excess <= gap_tol + 1e-12)
        assert np.all(loose >= 0)
        np.testing.assert_allclose(loose.sum(axis=1), 1.0)


def test_a_loose_solve_gives_double_precision_probabilities():
    # Loose solves run in single precision. Over many classes, a T with zeros
    # and noisy rows with entries far below single precision's range, the
    # result must still be finite rows of doubles summing to one, within the
    # gap of the minimum.
    rng = np.random.RandomState(0)
    T = make_transition_matrix(40, 0.3, kind="random", random_state=0)
    T[T < 0.005] = 0.0
    T /= T.sum(axis=1, keepdims=True)
    noisy = rng.dirichlet(np.full(40, 0.05), 500)
    assert noisy.min() < 1e-45
    loose = clean_posterior(noisy, T, gap_tol=LOOSE_TOL)
    assert loose.dtype == np.float64
    assert np.all(np.isfinite(loose)) and np.all(loose >= 0)
    np.testing.assert_allclose(loose.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    exact = clean_posterior(noisy, T, gap_tol=1e-12, max_iter=100_000)
    excess = _kl_excess(loose, noisy, T) - _kl_excess(exact, noisy, T)
    assert np.all(excess <= LOOSE_TOL + 1e-9)


@pytest.mark.parametrize("mix", [1e-2, 1e-6])
def test_a_loose_solve_with_an_ill_conditioned_T_stays_within_the_gap(mix):
    # Two rows of T nearly equal (condition number 970, solved in single
    # precision, and 1e7, which is not): the rows that the inverse solves
    # exactly are not checked against the gap, so at 1e7 an inverse rounded
    # to single precision would leave some of them far from the minimum.
    rng = np.random.RandomState(1)
    T = rng.dirichlet(np.full(10, 0.3), 10)
    T[1] = (1 - mix) * T[0] + mix * T[1]
    noisy = rng.dirichlet(np.full(10, 0.2), 300) @ T
    loose = clean_posterior(noisy, T, gap_tol=LOOSE_TOL)
    exact = clean_posterior(noisy, T, gap_tol=1e-9, max_iter=20_000)
    excess = _kl_excess(loose, noisy, T) - _kl_excess(exact, noisy, T)
    assert np.all(excess <= LOOSE_TOL + 1e-9)


def test_the_screen_spares_most_disputed_samples_the_solve():
    # Mild noise over many classes: a disputed sample whose given label still
    # has some probability cannot be more likely wrong than right.
    from noisy_sklearn._issues import surely_not_flagged

    T = make_transition_matrix(30, 0.1, kind="symmetric")
    rng = np.random.RandomState(0)
    y = rng.randint(0, 30, 2000)
    logits = rng.standard_normal((2000, 30))
    logits[np.arange(2000), y] += 2.0
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    disputed = np.flatnonzero(proba.argmax(axis=1) != y)
    ruled_out = surely_not_flagged(y[disputed], proba[disputed, y[disputed]], T)
    assert ruled_out.mean() > 0.9
    # ...while a sample that puts almost nothing on its label is kept.
    assert not surely_not_flagged(np.array([0]), np.array([1e-4]), T)[0]


def test_extrapolation_reaches_rows_with_an_exactly_zero_entry():
    # Class 0 is never given (its column of q is 0) and only produces its
    # own label, so its clean probability is exactly 0 from the start and
    # stays there; the other entries must still be extrapolated and certified.
    T = make_transition_matrix(4, 0.3, kind="random", random_state=0)
    T[0] = [1.0, 0.0, 0.0, 0.0]
    noisy = np.random.RandomState(0).dirichlet(np.full(4, 0.3), 400)
    noisy[:, 0] = 0.0
    noisy /= noisy.sum(axis=1, keepdims=True)
    loose = clean_posterior(noisy, T, gap_tol=1e-8, max_iter=60)
    fitted = loose @ T
    gradient = (noisy / fitted) @ T.T
    gap = gradient.max(axis=1) - np.sum(loose * gradient, axis=1)
    assert np.all(loose[:, 0] == 0)
    assert np.mean(gap < 1e-8) > 0.95


@pytest.mark.parametrize("rule", [{"gap_tol": 1e-6}, {"tol": 1e-8}])
def test_a_row_is_solved_alike_whatever_its_chunk_or_batch(rule, monkeypatch):
    # Enough rows for the column-wise row maximum, solved whole, in chunks
    # of 700 rows (the last one shorter) and as a shuffled subset.
    import noisy_sklearn._posterior as posterior

    rng = np.random.RandomState(0)
    T = make_transition_matrix(6, 0.4, kind="random", random_state=0)
    noisy = rng.dirichlet(np.full(6, 0.3), 3000)
    whole = clean_posterior(noisy, T, **rule)
    rows = rng.permutation(3000)[:900]
    subset = clean_posterior(noisy, T, rows=rows, **rule)
    monkeypatch.setattr(posterior, "_CHUNK_ENTRIES", 6 * 700)
    chunked = clean_posterior(noisy, T, **rule)
    np.testing.assert_allclose(chunked, whole, atol=1e-6)
    np.testing.assert_allclose(subset, whole[rows], atol=1e-6)
    if "gap_tol" in rule:
        exact = clean_posterior(noisy, T, gap_tol=1e-12, max_iter=100_000)
        excess = _kl_excess(whole, noisy, T) - _kl_excess(exact, noisy, T)
        assert np.all(excess <= rule["gap_tol"] + 1e-12)


@pytest.mark.parametrize("share", [0.05, 0.4])
def test_rows_of_several_blocks_are_extrapolated_together(share, monkeypatch):
    # Mostly feasible rows (an exact inverse exists) with a share that needs
    # the solve: in blocks of 300 rows, the rows left for extrapolation of
    # several blocks wait together (flushed at the end, or also mid-way).
    import noisy_sklearn._posterior as posterior

    rng = np.random.RandomState(0)
    T = make_transition_matrix(4, 0.3, kind="random", random_state=0)
    noisy = rng.dirichlet(np.ones(4), 3000) @ T
    hard = rng.rand(3000) < share
    noisy[hard] = rng.dirichlet(np.full(4, 0.2), hard.sum())
    whole = clean_posterior(noisy, T, gap_tol=1e-8)
    flushed = []
    flush = posterior._PendingRows.flush

    def counting_flush(self):
        flushed.append(len(self.parts))
        flush(self)

    monkeypatch.setattr(posterior._PendingRows, "flush", counting_flush)
    monkeypatch.setattr(posterior, "_CHUNK_ENTRIES", 4 * 300)
    chunked = clean_posterior(noisy, T, gap_tol=1e-8)
    assert max(flushed) >= 2
    np.testing.assert_allclose(chunked, whole, atol=1e-6)
    alone = np.vstack(
        [clean_posterior(noisy[i : i + 1], T, gap_tol=1e-8) for i in range(0, 3000, 97)]
    )
    np.testing.assert_allclose(alone, whole[::97], atol=1e-6)
