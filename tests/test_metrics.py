import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from noisy_sklearn import (
    NoiseRobustClassifier,
    make_noisy_labels,
    make_transition_matrix,
)
from noisy_sklearn.metrics import (
    clean_confusion_matrix,
    make_noise_aware_scorer,
    noise_aware_accuracy_score,
)


def _simulated(kind, accuracy, n=30000, K=4, seed=0):
    rng = np.random.RandomState(seed)
    y_true = rng.randint(0, K, n)
    wrong = rng.rand(n) > accuracy
    y_pred = np.where(wrong, (y_true + rng.randint(1, K, n)) % K, y_true)
    T = make_transition_matrix(K, 0.35, kind=kind, random_state=seed)
    y_noisy = make_noisy_labels(y_true, T, classes=np.arange(K), random_state=seed)
    return y_true, y_pred, y_noisy, T


@pytest.mark.parametrize("kind", ["symmetric", "pair", "random"])
@pytest.mark.parametrize("accuracy", [0.6, 0.8, 0.95])
def test_estimates_the_clean_accuracy_from_noisy_labels(kind, accuracy):
    y_true, y_pred, y_noisy, T = _simulated(kind, accuracy)
    estimate = noise_aware_accuracy_score(y_noisy, y_pred, T)
    assert estimate == pytest.approx(np.mean(y_pred == y_true), abs=0.02)
    assert abs(np.mean(y_pred == y_noisy) - np.mean(y_pred == y_true)) > 0.1


def test_clean_confusion_matches_the_true_confusion():
    y_true, y_pred, y_noisy, T = _simulated("random", 0.8)
    joint = clean_confusion_matrix(y_noisy, y_pred, T)
    truth = np.histogram2d(y_pred, y_true, bins=4)[0] / y_true.shape[0]
    np.testing.assert_allclose(joint, truth, atol=0.015)


def test_ranks_models_the_way_clean_accuracy_does():
    # Under pair noise (i -> i+1), a model that leans towards predicting i+1
    # agrees more with the noisy labels, though it is less accurate.
    rng = np.random.RandomState(1)
    n, K = 40000, 4
    y_true = rng.randint(0, K, n)
    T = make_transition_matrix(K, 0.35, kind="pair")
    y_noisy = make_noisy_labels(y_true, T, classes=np.arange(K), random_state=1)
    better = np.where(rng.rand(n) < 0.85, y_true, (y_true + rng.randint(1, K, n)) % K)
    worse = np.where(rng.rand(n) < 0.78, y_true, (y_true + 1) % K)
    assert np.mean(worse == y_true) < np.mean(better == y_true)
    assert np.mean(worse == y_noisy) > np.mean(better == y_noisy)
    assert noise_aware_accuracy_score(y_noisy, better, T) > noise_aware_accuracy_score(
        y_noisy, worse, T
    )


def test_identity_noise_gives_plain_accuracy():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 3, 500)
    y_pred = np.where(rng.rand(500) < 0.7, y, 0)
    assert noise_aware_accuracy_score(y, y_pred, np.eye(3)) == pytest.approx(
        np.mean(y == y_pred)
    )


def test_string_labels_and_sample_weight():
    y = np.array(["a", "b", "b", "a"])
    pred = np.array(["a", "b", "a", "a"])
    score = noise_aware_accuracy_score(y, pred, np.eye(2), sample_weight=[1, 1, 0, 1])
    assert score == pytest.approx(1.0)


def test_scorer_in_grid_search_reads_t_from_the_pipeline(small_problem):
    X, _, y_noisy = small_problem
    pipe = make_pipeline(
        StandardScaler(),
        NoiseRobustClassifier(LogisticRegression(), cv=3, random_state=0),
    )
    search = GridSearchCV(
        pipe,
        {"noiserobustclassifier__strategy": ["none", "prune", "reweight"]},
        scoring=make_noise_aware_scorer(),
        cv=3,
    ).fit(X, y_noisy)
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores >= 0) & (scores <= 1))


def test_scorer_needs_t_for_a_plain_classifier(small_problem):
    X, _, y_noisy = small_problem
    model = LogisticRegression().fit(X, y_noisy)
    with pytest.raises(TypeError, match="transition_matrix"):
        make_noise_aware_scorer()(model, X, y_noisy)
    known = make_noise_aware_scorer(make_transition_matrix(3, 0.2))
    assert 0 <= known(model, X, y_noisy) <= 1
