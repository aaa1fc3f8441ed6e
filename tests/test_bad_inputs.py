"""Bad input is answered by an error that names the problem.

One table for the whole package: every row is a call that must raise the
given exception with a message (or PEP 678 note) matching the pattern.
"""

import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
from conftest import record_user_warnings
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression

from noisy_sklearn import (
    NoiseRobustClassifier,
    estimate_transition_matrix,
    find_label_issues,
    label_quality_scores,
    make_noisy_labels,
    make_transition_matrix,
)
from noisy_sklearn.metrics import noise_aware_accuracy_score

X, Y = make_classification(
    60, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0
)
LABELS = np.array([0, 1, 0, 1])
PROBA = np.full((4, 2), 0.5)
SINGULAR_T = np.full((3, 3), 1 / 3)


def _fit(estimator=None, X=X, y=Y, sample_weight=None, **params):
    estimator = LogisticRegression() if estimator is None else estimator
    clf = NoiseRobustClassifier(estimator, random_state=0, **params)
    return clf.fit(X, y, sample_weight=sample_weight)


def _with_label(label, y=Y, position=0):
    """A copy of ``y`` as objects, with ``label`` at one position."""
    y = y.astype(object)
    y[position] = label
    return y


class _InnerModelError(Exception):
    """An exception type of the wrapped estimator's own."""


class _FailsOnFit(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise _InnerModelError("inner model exploded")

    def predict_proba(self, X):  # pragma: no cover - fit never succeeds
        raise NotImplementedError


class _FailsOnPredictProba(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        raise _InnerModelError("cannot score")


class _FailsOnTheFullData(ClassifierMixin, BaseEstimator):
    """Fits on the cross-validation folds, fails on all 60 samples."""

    def fit(self, X, y):
        if len(X) == 60:
            raise _InnerModelError("out of memory on the full data")
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))


class _WithoutScores(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        return self


_BAD_PROBA = {
    "nan": ([[0.5, 0.5], [np.nan, 1.0], [0.5, 0.5], [0.5, 0.5]], ValueError, "NaN"),
    "inf": ([[0.5, 0.5], [np.inf, 0], [0.5, 0.5], [0.5, 0.5]], ValueError, "infinity"),
    "rows-not-summing-to-1": (
        [[0.5, 0.6], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]],
        ValueError,
        r"rows must sum to 1 \(.*\); row 0 sums to 1.1",
    ),
    "outside-0-1": ([[1.5, -0.5]] + [[0.5, 0.5]] * 3, ValueError, r"in \[0, 1\]"),
    "wrong-number-of-columns": (
        np.full((4, 3), 1 / 3),
        ValueError,
        "3 columns but there are 2 classes",
    ),
    "wrong-number-of-rows": (np.full((3, 2), 0.5), ValueError, "3 rows but y has 4"),
    "one-dimensional": (np.full(4, 0.5), ValueError, "2-D array"),
    "not-numeric": (np.full((4, 2), "a"), TypeError, "pred_proba must be numeric"),
}

PROBABILITIES = [
    pytest.param(
        partial(function, LABELS, proba),
        error,
        match,
        id=f"{function.__name__}-proba-{name}",
    )
    for function in (
        estimate_transition_matrix,
        find_label_issues,
        label_quality_scores,
    )
    for name, (proba, error, match) in _BAD_PROBA.items()
]

LABELS_OF_ARRAY_FUNCTIONS = [
    pytest.param(
        partial(find_label_issues, [0, 0, 0, 0], PROBA),
        ValueError,
        r"2 columns but there are 1 classes.*pass classes=",
        id="y-with-one-class-for-2-columns",
    ),
    pytest.param(
        partial(find_label_issues, [0, 1, np.nan, 1], PROBA),
        ValueError,
        "y contains NaN",
        id="y-with-float-nan",
    ),
    pytest.param(
        partial(find_label_issues, np.array([0, 1, None, 1], dtype=object), PROBA),
        ValueError,
        "y contains missing values",
        id="y-with-none",
    ),
    pytest.param(
        partial(
            find_label_issues, pd.Series(["a", "b", None, "a"], dtype="string"), PROBA
        ),
        ValueError,
        "y contains missing values",
        id="y-with-pandas-na",
    ),
    pytest.param(
        partial(label_quality_scores, [], np.empty((0, 2))),
        ValueError,
        "y is empty",
        id="y-empty",
    ),
    pytest.param(
        partial(estimate_transition_matrix, [0.1, 0.2, 0.3, 0.4], PROBA),
        ValueError,
        "target type 'continuous'",
        id="y-continuous",
    ),
    pytest.param(
        partial(estimate_transition_matrix, [0, 1, 2, 1], PROBA, classes=[0, 1]),
        ValueError,
        r"y contains labels not in classes: \[2\]",
        id="y-label-not-in-classes",
    ),
    pytest.param(
        partial(estimate_transition_matrix, LABELS, PROBA, classes=[0, 0]),
        ValueError,
        "classes contains duplicated values",
        id="classes-duplicated",
    ),
    pytest.param(
        partial(estimate_transition_matrix, LABELS, PROBA, sample_weight=[1, -1, 1, 1]),
        ValueError,
        "sample_weight must be non-negative",
        id="sample-weight-negative",
    ),
    pytest.param(
        partial(find_label_issues, LABELS, PROBA, transition_matrix=np.eye(3)),
        ValueError,
        r"transition_matrix has shape \(3, 3\) but there are 2 classes",
        id="find_label_issues-transition-matrix-shape",
    ),
    pytest.param(
        partial(find_label_issues, LABELS, PROBA, method="cleanlab"),
        ValueError,
        "method must be one of",
        id="find_label_issues-method",
    ),
]

SCORER = [
    pytest.param(
        partial(
            noise_aware_accuracy_score, [0, 1, 2], [0, 1, 1], np.eye(2), classes=[0, 1]
        ),
        ValueError,
        r"y_noisy contains labels not in classes: \[2\]",
        id="scorer-true-label-unseen-at-fit",
    ),
    pytest.param(
        partial(
            noise_aware_accuracy_score, [0, 1, 1], [0, 1, 2], np.eye(2), classes=[0, 1]
        ),
        ValueError,
        r"y_pred contains labels not in classes: \[2\]",
        id="scorer-predicted-label-unseen-at-fit",
    ),
    pytest.param(
        partial(
            noise_aware_accuracy_score,
            ["a", "b", "c"],
            ["a", "b", "b"],
            np.eye(2),
            classes=["a", "b"],
        ),
        ValueError,
        r"not in classes: \['c'\]",
        id="scorer-string-label-unseen-at-fit",
    ),
    pytest.param(
        partial(noise_aware_accuracy_score, [0, 1, 1], [0, 1], np.eye(2)),
        ValueError,
        "y_noisy has 3 samples but y_pred has 2",
        id="scorer-lengths-differ",
    ),
    pytest.param(
        partial(noise_aware_accuracy_score, [0, 1, 1], [0, 1, 1], np.eye(3)),
        ValueError,
        r"transition_matrix has shape \(3, 3\) but there are 2 classes",
        id="scorer-transition-matrix-shape",
    ),
    pytest.param(
        partial(noise_aware_accuracy_score, [0, 1, np.nan], [0, 1, 1], np.eye(2)),
        ValueError,
        "y_noisy contains NaN",
        id="scorer-y-with-float-nan",
    ),
    pytest.param(
        partial(
            noise_aware_accuracy_score,
            np.array([0, 1, None], dtype=object),
            [0, 1, 1],
            np.eye(2),
        ),
        ValueError,
        "y_noisy contains missing values",
        id="scorer-y-with-none",
    ),
]

CLASSIFIER_LABELS_AND_DATA = [
    pytest.param(
        partial(_fit, y=np.zeros(60)),
        ValueError,
        "at least 2 classes; y has only one class",
        id="fit-y-with-one-class",
    ),
    pytest.param(
        partial(_fit, y=_with_label(np.nan).astype(float)),
        ValueError,
        "y contains NaN",
        id="fit-y-with-float-nan",
    ),
    pytest.param(
        partial(_fit, y=_with_label(None)),
        ValueError,
        "y contains missing values",
        id="fit-y-with-none",
    ),
    pytest.param(
        partial(_fit, y=_with_label(None, np.array(["a", "b", "c"])[Y])),
        ValueError,
        "y contains missing values",
        id="fit-string-y-with-none",
    ),
    pytest.param(
        partial(_fit, X=np.empty((0, 4)), y=[]),
        ValueError,
        r"0 sample\(s\)",
        id="fit-X-empty",
    ),
    pytest.param(
        partial(_fit, X=np.empty((60, 0))),
        ValueError,
        r"0 feature\(s\)",
        id="fit-X-without-features",
    ),
    pytest.param(
        partial(_fit, y=Y[:-1]),
        ValueError,
        r"inconsistent numbers of samples: \[60, 59\]",
        id="fit-X-and-y-lengths-differ",
    ),
    pytest.param(
        partial(_fit, X=X[:, 0]),
        ValueError,
        "Expected 2D array, got 1D array",
        id="fit-X-one-dimensional",
    ),
    pytest.param(
        partial(_fit, sample_weight=np.ones(59)),
        ValueError,
        r"sample_weight.shape == \(59,\), expected \(60,\)",
        id="fit-sample-weight-length",
    ),
    pytest.param(
        partial(_fit, sample_weight=-np.ones(60)),
        ValueError,
        "sample_weight must be non-negative",
        id="fit-sample-weight-negative",
    ),
    pytest.param(
        partial(_fit, y=np.r_[7, Y[1:]]),
        ValueError,
        "Class .*7.* has a single sample",
        id="fit-class-with-a-single-sample",
    ),
]

CLASSIFIER_TRANSITION_MATRIX = [
    pytest.param(
        partial(_fit, transition_matrix=np.eye(2)),
        ValueError,
        r"shape \(2, 2\) but there are 3 classes",
        id="fit-transition-matrix-wrong-shape",
    ),
    pytest.param(
        partial(_fit, transition_matrix=np.eye(3)[None]),
        ValueError,
        r"square 2-D array, got shape \(1, 3, 3\)",
        id="fit-transition-matrix-three-dimensional",
    ),
    pytest.param(
        partial(_fit, transition_matrix=[[1.2, -0.2, 0], [0, 1, 0], [0, 0, 1]]),
        ValueError,
        r"entries must lie in \[0, 1\]",
        id="fit-transition-matrix-negative",
    ),
    pytest.param(
        partial(_fit, transition_matrix=np.full((3, 3), 0.5)),
        ValueError,
        r"rows must sum to 1 .* row sums are \[1.5, 1.5, 1.5\]",
        id="fit-transition-matrix-rows-not-summing-to-1",
    ),
    pytest.param(
        partial(_fit, transition_matrix=[[np.nan, 0, 1], [0, 1, 0], [0, 0, 1]]),
        ValueError,
        "transition_matrix contains NaN",
        id="fit-transition-matrix-nan",
    ),
    pytest.param(
        partial(_fit, transition_matrix=[["a"] * 3] * 3),
        TypeError,
        "transition_matrix must be numeric",
        id="fit-transition-matrix-not-numeric",
    ),
    *[
        pytest.param(
            partial(_fit, transition_matrix=SINGULAR_T, strategy=strategy),
            ValueError,
            "transition_matrix is singular",
            id=f"fit-transition-matrix-singular-{strategy}",
        )
        for strategy in ("correct", "reweight", "relabel")
    ],
]

CLASSIFIER_ESTIMATOR_AND_PARAMETERS = [
    pytest.param(
        partial(_fit, LinearRegression()),
        TypeError,
        "estimator must be a classifier, got LinearRegression",
        id="fit-estimator-regressor",
    ),
    pytest.param(
        partial(_fit, KMeans(3, n_init=1)),
        TypeError,
        "estimator must be a classifier, got KMeans",
        id="fit-estimator-clusterer",
    ),
    pytest.param(
        partial(_fit, _WithoutScores()),
        TypeError,
        "neither predict_proba nor decision_function",
        id="fit-estimator-without-scores",
    ),
    pytest.param(
        partial(_fit, "LogisticRegression"),
        ValueError,
        "'estimator' parameter of NoiseRobustClassifier",
        id="fit-estimator-a-string",
    ),
    pytest.param(
        partial(_fit, _FailsOnFit()),
        _InnerModelError,
        "(?s)inner model exploded.*Raised by _FailsOnFit on cross-validation fold 1",
        id="fit-estimator-fit-raises-its-own-error",
    ),
    pytest.param(
        partial(_fit, _FailsOnPredictProba()),
        _InnerModelError,
        "(?s)cannot score.*cross-validation fold 1",
        id="fit-estimator-predict-proba-raises-its-own-error",
    ),
    pytest.param(
        partial(_fit, _FailsOnTheFullData(), strategy="none"),
        _InnerModelError,
        "(?s)out of memory.*in the final fit of NoiseRobustClassifier",
        id="fit-estimator-final-fit-raises-its-own-error",
    ),
    pytest.param(
        partial(_fit, strategy="clean"),
        ValueError,
        "'strategy' parameter",
        id="fit-strategy-unknown",
    ),
    pytest.param(
        partial(_fit, cv=1),
        ValueError,
        "'cv' parameter",
        id="fit-cv-one-fold",
    ),
    pytest.param(
        partial(_fit, cleaning_rounds=0),
        ValueError,
        "'cleaning_rounds' parameter",
        id="fit-cleaning-rounds-zero",
    ),
]

SIMULATION = [
    pytest.param(
        partial(make_transition_matrix, 1, 0.1),
        ValueError,
        "n_classes must be an integer >= 2, got 1",
        id="make_transition_matrix-one-class",
    ),
    pytest.param(
        partial(make_transition_matrix, 3.0, 0.1),
        ValueError,
        "n_classes must be an integer >= 2, got 3.0",
        id="make_transition_matrix-float-n-classes",
    ),
    pytest.param(
        partial(make_transition_matrix, 3, 1.0),
        ValueError,
        r"noise_rate must be in \[0, 1\), got 1.0",
        id="make_transition_matrix-noise-rate-one",
    ),
    pytest.param(
        partial(make_transition_matrix, 3, -0.1),
        ValueError,
        r"noise_rate must be in \[0, 1\)",
        id="make_transition_matrix-noise-rate-negative",
    ),
    pytest.param(
        partial(make_transition_matrix, 3, np.nan),
        ValueError,
        r"noise_rate must be in \[0, 1\), got nan",
        id="make_transition_matrix-noise-rate-nan",
    ),
    pytest.param(
        partial(make_transition_matrix, 3, "0.1"),
        TypeError,
        "noise_rate must be a real number",
        id="make_transition_matrix-noise-rate-string",
    ),
    pytest.param(
        partial(make_transition_matrix, 3, True),
        TypeError,
        "noise_rate must be a real number",
        id="make_transition_matrix-noise-rate-bool",
    ),
    pytest.param(
        partial(make_transition_matrix, 3, 0.1, kind="uniform"),
        ValueError,
        "kind must be one of",
        id="make_transition_matrix-kind-unknown",
    ),
    pytest.param(
        partial(make_transition_matrix, 3, 0.6, kind="random"),
        ValueError,
        "needs noise_rate < 0.5",
        id="make_transition_matrix-random-kind-above-half",
    ),
    pytest.param(
        partial(make_noisy_labels, [0, 1, 2], np.eye(2)),
        ValueError,
        r"transition_matrix has shape \(2, 2\) but there are 3 classes",
        id="make_noisy_labels-transition-matrix-shape",
    ),
    pytest.param(
        partial(make_noisy_labels, [0, 1], [[0.5, 0.6], [0, 1]]),
        ValueError,
        "rows must sum to 1",
        id="make_noisy_labels-transition-matrix-rows-not-summing-to-1",
    ),
    pytest.param(
        partial(make_noisy_labels, [0, 1], [[1.2, -0.2], [0, 1]]),
        ValueError,
        r"entries must lie in \[0, 1\]",
        id="make_noisy_labels-transition-matrix-negative",
    ),
    pytest.param(
        partial(make_noisy_labels, [0, 1], [["0.5", "0.5"], ["0", "1"]]),
        TypeError,
        "transition_matrix must be numeric",
        id="make_noisy_labels-transition-matrix-strings",
    ),
    pytest.param(
        partial(make_noisy_labels, [0, 1, 5], np.eye(2), classes=[0, 1]),
        ValueError,
        r"y contains labels not in classes: \[5\]",
        id="make_noisy_labels-label-not-in-classes",
    ),
    pytest.param(
        partial(make_noisy_labels, [0, 1, np.nan], np.eye(2)),
        ValueError,
        "y contains NaN",
        id="make_noisy_labels-y-with-nan",
    ),
    pytest.param(
        partial(make_noisy_labels, [], np.eye(2)),
        ValueError,
        "y is empty",
        id="make_noisy_labels-y-empty",
    ),
]


@pytest.mark.parametrize(
    "call, error, match",
    [
        *PROBABILITIES,
        *LABELS_OF_ARRAY_FUNCTIONS,
        *SCORER,
        *CLASSIFIER_LABELS_AND_DATA,
        *CLASSIFIER_TRANSITION_MATRIX,
        *CLASSIFIER_ESTIMATOR_AND_PARAMETERS,
        *SIMULATION,
    ],
)
def test_bad_input_raises_an_error_that_names_the_problem(call, error, match):
    with warnings.catch_warnings():
        # Rows that fit fold models first may warn about the data on the way.
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(error, match=match):
            call()


def test_a_class_smaller_than_cv_gets_fewer_folds_and_a_warning():
    # A design decision, not an error: scikit-learn's check_fit2d_1feature
    # requires fit to succeed on 10 samples with a class of 3 at the default
    # cv=5. Only a class of a single sample is rejected (see the table).
    X_small = np.random.RandomState(0).uniform(size=(10, 1))
    y_small = np.r_[[0] * 4, [1] * 3, [2] * 3]
    clf, warned = record_user_warnings(
        lambda: NoiseRobustClassifier(random_state=0).fit(X_small, y_small)
    )
    assert any("only 3 samples; using 3 folds" in str(w.message) for w in warned)
    assert len(clf.fold_fit_times_) == 3
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


@pytest.mark.parametrize("strategy", ["prune", "none"])
def test_a_singular_known_t_is_accepted_when_nothing_inverts_it(strategy):
    clf = _fit(transition_matrix=SINGULAR_T, strategy=strategy)
    np.testing.assert_array_equal(clf.transition_matrix_, SINGULAR_T)
