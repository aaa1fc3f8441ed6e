"""ensemble=True: predicting with the fold models instead of a final fit."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from noisy_sklearn import NoiseRobustClassifier


class CountingLogisticRegression(ClassifierMixin, BaseEstimator):
    """LogisticRegression that counts the fits made in this process."""

    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).n_fits += 1
        self.model_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


@pytest.mark.parametrize("strategy", ["correct", "none"])
def test_ensemble_saves_the_final_fit(small_problem, strategy):
    X, _, y_noisy = small_problem
    CountingLogisticRegression.n_fits = 0
    NoiseRobustClassifier(
        CountingLogisticRegression(), strategy=strategy, ensemble=True, cv=4
    ).fit(X, y_noisy)
    assert CountingLogisticRegression.n_fits == 4
    CountingLogisticRegression.n_fits = 0
    NoiseRobustClassifier(CountingLogisticRegression(), strategy=strategy, cv=4).fit(
        X, y_noisy
    )
    assert CountingLogisticRegression.n_fits == 5


def test_ensemble_averages_the_fold_models(small_problem):
    X, _, y_noisy = small_problem
    clf = NoiseRobustClassifier(
        LogisticRegression(), strategy="none", ensemble=True, random_state=0
    ).fit(X, y_noisy)
    folds = clf.estimator_.estimators
    assert len(folds) == 5
    expected = np.mean([model.predict_proba(X) for model in folds], axis=0)
    np.testing.assert_allclose(clf.predict_proba(X), expected)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(axis=1)])


def test_ensemble_correct_maps_the_averaged_posterior(small_problem):
    X, y, y_noisy = small_problem
    refit = NoiseRobustClassifier(strategy="correct", random_state=0).fit(X, y_noisy)
    ensemble = NoiseRobustClassifier(
        strategy="correct", ensemble=True, random_state=0
    ).fit(X, y_noisy)
    np.testing.assert_allclose(ensemble.transition_matrix_, refit.transition_matrix_)
    proba = ensemble.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Same data, same noise model: the two predictions mostly agree.
    assert np.mean(ensemble.predict(X) == refit.predict(X)) > 0.9


def test_ensemble_without_predict_proba_binary_decision_is_1d(small_problem):
    X, _, y_noisy = small_problem
    y_binary = (y_noisy > 0).astype(int)
    clf = NoiseRobustClassifier(
        LinearSVC(), strategy="none", ensemble=True, random_state=0
    ).fit(X, y_binary)
    scores = clf.decision_function(X)
    assert scores.shape == (X.shape[0],)
    np.testing.assert_array_equal(clf.predict(X), (scores > 0).astype(int))
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("strategy", ["prune", "reweight", "relabel"])
def test_ensemble_with_a_cleaning_strategy_is_refused(small_problem, strategy):
    X, _, y_noisy = small_problem
    clf = NoiseRobustClassifier(strategy=strategy, ensemble=True)
    with pytest.raises(ValueError, match="ensemble=True .* strategy='correct'"):
        clf.fit(X, y_noisy)
