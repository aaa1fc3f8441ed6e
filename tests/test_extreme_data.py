"""Extreme but legal data: fit works, and says so when its estimate is not to be
trusted, rather than reporting a wrong noise model silently."""

import numpy as np
import pytest
import sklearn
from conftest import record_user_warnings
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.neighbors import KNeighborsClassifier

from noisy_sklearn import (
    NoiseRobustClassifier,
    make_noisy_labels,
    make_transition_matrix,
)


def assert_trusted_or_warned(clf, warned, true_noise_rate, atol):
    """The estimated noise rate is near the truth, or fit warned about it."""
    error = abs(clf.noise_rate_ - true_noise_rate)
    assert error <= atol or warned, (
        f"noise_rate_={clf.noise_rate_:.3f} but the truth is "
        f"{true_noise_rate:.3f}, and fit gave no warning"
    )


def _separable(n_samples=300, n_classes=3, seed=0):
    return make_classification(
        n_samples,
        5,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=seed,
    )


@pytest.fixture
def imbalanced():
    """Clean labels, one positive per hundred negatives (2000 to 20)."""
    X, y = make_classification(
        2020,
        5,
        n_informative=3,
        n_redundant=0,
        weights=[100 / 101],
        flip_y=0,
        class_sep=2.0,
        random_state=0,
    )
    assert np.bincount(y).tolist() == [2000, 20]
    return X, y


def test_one_to_hundred_imbalance_keeps_the_minority_class(imbalanced):
    X, y = imbalanced
    clf, _ = record_user_warnings(
        lambda: NoiseRobustClassifier(random_state=0).fit(X, y)
    )
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert np.count_nonzero(clf.sample_weight_[y == 1]) >= 2
    proba = clf.predict_proba(X)
    assert np.all(np.isfinite(proba)) and proba.shape == (2020, 2)


def test_one_to_hundred_imbalance_is_estimated_well_or_warned_about(imbalanced):
    X, y = imbalanced
    clf, warned = record_user_warnings(
        lambda: NoiseRobustClassifier(random_state=0).fit(X, y)
    )
    assert_trusted_or_warned(clf, warned, true_noise_rate=0.0, atol=0.05)


def test_fifty_classes_of_twenty_samples():
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(50), 20)
    X = 4 * rng.randn(50, 10)[y] + rng.randn(1000, 10)
    clf, warned = record_user_warnings(
        lambda: NoiseRobustClassifier(random_state=0).fit(X, y)
    )
    assert clf.transition_matrix_.shape == (50, 50)
    np.testing.assert_allclose(clf.transition_matrix_.sum(axis=1), 1.0)
    assert len(clf.fold_fit_times_) == 5  # 16 samples of each class per fold
    assert_trusted_or_warned(clf, warned, true_noise_rate=0.0, atol=0.05)


# Class 0 is labelled as class 1 more often than as itself.
MAJORITY_FLIPPED_T = np.array([[0.4, 0.6, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


@pytest.fixture
def majority_flipped():
    X, y = _separable(600)
    return X, y, make_noisy_labels(y, MAJORITY_FLIPPED_T, random_state=0)


def test_noise_above_half_on_one_class_is_estimated_and_undone(majority_flipped):
    # 60 % of class 0 is labelled 1, but label 0 still comes only from class 0
    # (column dominance), so the noise is identifiable and acting on it helps.
    X, y, y_noisy = majority_flipped
    clf, _ = record_user_warnings(
        lambda: NoiseRobustClassifier(random_state=0).fit(X, y_noisy)
    )
    assert clf.strategy_ == "prune_reweight"
    assert abs(clf.transition_matrix_[0, 1] - 0.6) < 0.1
    ignored = NoiseRobustClassifier(strategy="none", random_state=0).fit(X, y_noisy)
    assert clf.score(X, y) > ignored.score(X, y) + 0.1


def test_a_label_that_stands_for_two_classes_falls_back_with_a_warning():
    # Label 0 comes more often from class 1 than from class 0: not identifiable.
    X, y = _separable(600)
    T = np.array([[0.45, 0.55, 0.0], [0.55, 0.45, 0.0], [0.0, 0.0, 1.0]])
    y_noisy = make_noisy_labels(y, T, random_state=0)
    clf, warned = record_user_warnings(
        lambda: NoiseRobustClassifier(random_state=0).fit(X, y_noisy)
    )
    assert any("not identifiable" in str(w.message) for w in warned)
    assert clf.strategy_ == "none"


def test_noise_above_half_on_one_class_is_undone_with_a_known_t(majority_flipped):
    X, y, y_noisy = majority_flipped
    known = NoiseRobustClassifier(
        transition_matrix=MAJORITY_FLIPPED_T, strategy="correct", random_state=0
    )
    ignored = NoiseRobustClassifier(strategy="none", random_state=0)
    accuracy_ignored = ignored.fit(X, y_noisy).score(X, y)
    assert known.fit(X, y_noisy).score(X, y) > accuracy_ignored + 0.15


@pytest.fixture
def repeated_rows():
    """Each of 300 rows repeated ``copies`` times, labels with 30 % noise."""

    def make(copies):
        X, y = _separable(300)
        y_noisy = make_noisy_labels(y, make_transition_matrix(3, 0.3), random_state=0)
        true_rate = np.mean(y_noisy != y)
        groups = np.repeat(np.arange(300), copies)
        return (
            np.repeat(X, copies, axis=0),
            np.repeat(y_noisy, copies),
            groups,
            true_rate,
        )

    return make


def test_duplicated_rows_fit(repeated_rows):
    X, y_noisy, _, true_rate = repeated_rows(3)
    clf, warned = record_user_warnings(
        lambda: NoiseRobustClassifier(random_state=0).fit(X, y_noisy)
    )
    assert clf.label_issues_.shape == (900,)
    assert_trusted_or_warned(clf, warned, true_rate, atol=0.05)


def test_duplicated_rows_that_leak_across_folds_are_warned_about(repeated_rows):
    X, y_noisy, _, true_rate = repeated_rows(10)
    clf, warned = record_user_warnings(
        lambda: NoiseRobustClassifier(KNeighborsClassifier(10), random_state=0).fit(
            X, y_noisy
        )
    )
    assert_trusted_or_warned(clf, warned, true_rate, atol=0.1)


def test_grouping_duplicated_rows_into_one_fold_keeps_the_estimate(repeated_rows):
    X, y_noisy, groups, true_rate = repeated_rows(5)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = NoiseRobustClassifier(
            KNeighborsClassifier(20), cv=GroupKFold(5), random_state=0
        ).fit(X, y_noisy, groups=groups)
    assert abs(clf.noise_rate_ - true_rate) < 0.05


# scikit-learn's StandardScaler, fitted with uneven weights (pruning's 1 / T[k, k]),
# finds a variance of about -1e-17 for a constant column; its scale is still 1.
@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")
def test_constant_columns_change_nothing(small_problem):
    X, _, y_noisy = small_problem
    with_constants = np.c_[X, np.ones((X.shape[0], 2)), np.zeros(X.shape[0])]
    plain = NoiseRobustClassifier(random_state=0).fit(X, y_noisy)
    padded = NoiseRobustClassifier(random_state=0).fit(with_constants, y_noisy)
    np.testing.assert_allclose(padded.transition_matrix_, plain.transition_matrix_)
    np.testing.assert_array_equal(padded.label_issues_, plain.label_issues_)


def test_features_that_are_all_constant_fall_back_with_a_warning(small_problem):
    _, _, y_noisy = small_problem
    X = np.ones((y_noisy.shape[0], 4))
    clf, warned = record_user_warnings(
        lambda: NoiseRobustClassifier(LogisticRegression(), random_state=0).fit(
            X, y_noisy
        )
    )
    assert any("not identifiable" in str(w.message) for w in warned)
    assert clf.strategy_ == "none"
    assert np.unique(clf.predict(X)).shape == (1,)


def _fit_with_a_class_of_three():
    X, y = _separable(60)
    y[:3] = 7
    return NoiseRobustClassifier(LogisticRegression(), random_state=0).fit(X, y)


def _fit_on_labels_without_signal():
    rng = np.random.RandomState(0)
    return NoiseRobustClassifier(LogisticRegression(), random_state=0).fit(
        rng.randn(200, 3), rng.randint(0, 2, 200)
    )


def _fit_with_a_class_missing_from_a_training_fold():
    X, y = _separable(60)
    y[:3] = 7  # all three in the first test fold
    splits = [(np.arange(20, 60), np.arange(20))]
    splits += [(np.r_[:i, i + 20 : 60], np.arange(i, i + 20)) for i in (20, 40)]
    return NoiseRobustClassifier(LogisticRegression(), cv=splits).fit(X, y)


@pytest.mark.parametrize(
    "fit, message",
    [
        pytest.param(_fit_with_a_class_of_three, "using 3 folds", id="fewer-folds"),
        pytest.param(
            _fit_on_labels_without_signal,
            "not identifiable",
            id="unidentifiable",
        ),
        pytest.param(
            _fit_with_a_class_missing_from_a_training_fold,
            "missing from at least one training fold",
            id="class-missing-from-a-fold",
        ),
    ],
)
def test_warnings_point_at_the_line_that_called_fit(fit, message):
    _, warned = record_user_warnings(fit)
    matching = [w for w in warned if message in str(w.message)]
    assert matching
    assert all(w.filename == __file__ for w in matching), [w.filename for w in matching]


def test_duplicated_fraction_counts_copies_and_never_merges_missing_rows():
    from noisy_sklearn._oof import duplicated_fraction

    X = np.repeat(np.arange(12.0).reshape(4, 3), 5, axis=0)
    assert duplicated_fraction(X) == pytest.approx(0.8)
    X[:5, 0] = np.nan  # five copies with a missing value: counted as distinct
    assert duplicated_fraction(X) == pytest.approx(0.6)
    assert duplicated_fraction([[1, 2], [1, 2]]) == 0.0  # not an array: not checked
