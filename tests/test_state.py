"""What fit leaves behind: the caller's objects untouched, and only its own state."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from noisy_sklearn import NoiseRobustClassifier, make_transition_matrix

STRATEGIES = ["prune", "reweight", "relabel", "correct", "none"]


def _problem(n_samples=90, n_features=4, n_classes=3, seed=0):
    """Features, labels with 20 % flipped, uneven weights and a known T."""
    X, y = make_classification(
        n_samples,
        n_features,
        n_informative=min(n_features, 3),
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=seed,
    )
    flip = np.random.RandomState(seed).rand(n_samples) < 0.2
    y = np.where(flip, (y + 1) % n_classes, y)
    weight = np.linspace(0.5, 2.0, n_samples)
    return X, y, weight, make_transition_matrix(n_classes, 0.2)


def _robust(strategy="prune", transition_matrix=None, estimator=None, **params):
    estimator = LogisticRegression() if estimator is None else estimator
    return NoiseRobustClassifier(
        estimator,
        strategy=strategy,
        transition_matrix=transition_matrix,
        random_state=0,
        **params,
    )


def _fitted_state(clf):
    """Every fitted attribute, in a form that compares exactly."""
    state = {}
    for name, value in vars(clf).items():
        if not name.endswith("_") or name.startswith("_"):
            continue
        if name == "fold_fit_times_":
            value = len(value)  # wall-clock times differ; their number does not
        elif hasattr(value, "fit") or hasattr(value, "predict_proba"):
            value = pickle.dumps(value)
        elif isinstance(value, np.ndarray):
            value = (value.dtype.str, value.shape, value.tolist())
        state[name] = value
    return state


@pytest.mark.parametrize("known_t", [True, False], ids=["known-T", "estimated-T"])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_fit_leaves_every_input_byte_identical(strategy, known_t):
    X, y, weight, T = _problem()
    estimator = make_pipeline(StandardScaler(), LogisticRegression())
    inputs = {"X": X, "y": y, "sample_weight": weight, "T": T, "estimator": estimator}
    before = {name: pickle.dumps(value) for name, value in inputs.items()}
    params_before = estimator.get_params(deep=True)
    clf = NoiseRobustClassifier(
        estimator,
        strategy=strategy,
        transition_matrix=T if known_t else None,
        cleaning_rounds=2,
        random_state=0,
    )
    clf.fit(X, y, sample_weight=weight)
    for name, value in inputs.items():
        assert pickle.dumps(value) == before[name], f"{name} was modified"
    assert estimator.get_params(deep=True) == params_before
    assert all(array.flags.writeable for array in (X, y, weight, T))


def _read_only(arrays, tmp_path):
    for array in arrays:
        array.setflags(write=False)
    return arrays


def _memory_mapped(arrays, tmp_path):
    mapped = []
    for i, array in enumerate(arrays):
        np.save(tmp_path / f"{i}.npy", array)
        mapped.append(np.load(tmp_path / f"{i}.npy", mmap_mode="r"))
    return mapped


@pytest.mark.parametrize("make_read_only", [_read_only, _memory_mapped])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_fit_accepts_read_only_inputs(strategy, make_read_only, tmp_path):
    X, y, weight, T = make_read_only(_problem(), tmp_path)
    assert not any(array.flags.writeable for array in (X, y, weight, T))
    clf = _robust(strategy, T, cleaning_rounds=2).fit(X, y, sample_weight=weight)
    assert clf.predict_proba(X).shape == (X.shape[0], 3)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_fit_leaves_pandas_inputs_untouched(strategy):
    X, y, weight, T = _problem()
    index = pd.Index(np.arange(X.shape[0]) * 3 + 100, name="sample")
    names = np.array(["cat", "dog", "emu"])
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"], index=index)
    labels = pd.Series(names[y], index=index, name="label")
    weights = pd.Series(weight, index=index, name="weight")
    known_t = pd.DataFrame(T, index=names, columns=names)
    inputs = {"X": frame, "y": labels, "sample_weight": weights, "T": known_t}
    before = {name: pickle.dumps(value) for name, value in inputs.items()}
    copies = {name: value.copy(deep=True) for name, value in inputs.items()}
    _robust(strategy, known_t).fit(frame, labels, sample_weight=weights)
    for name, value in inputs.items():
        assert pickle.dumps(value) == before[name], f"{name} was modified"
    pd.testing.assert_frame_equal(frame, copies["X"])
    pd.testing.assert_series_equal(labels, copies["y"])


@pytest.mark.parametrize(
    "clf",
    [
        _robust("prune"),
        _robust("correct"),
        _robust("reweight", estimator=LinearSVC()),  # fitted calibrator_ inside
    ],
    ids=["prune", "correct", "decision-function-model"],
)
def test_a_pickled_fitted_classifier_predicts_the_same(clf):
    X, y, _, _ = _problem()
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert _fitted_state(restored) == _fitted_state(clf)


def test_the_same_random_state_gives_identical_fitted_attributes():
    X, y, _, _ = _problem()
    random_tree = DecisionTreeClassifier(max_features=2)  # random without a seed
    clf = _robust("relabel", estimator=random_tree, cleaning_rounds=2)
    first = _fitted_state(clone(clf).fit(X, y))
    second = _fitted_state(clone(clf).fit(X, y))
    assert first == second


@pytest.mark.parametrize(
    "first_estimator",
    [LogisticRegression(), LinearSVC()],
    ids=["same-estimator", "after-a-decision-function-model"],
)
def test_refit_on_new_data_leaves_nothing_from_the_old_fit(first_estimator):
    X_old, y_old, _, _ = _problem(n_samples=120, n_features=5, n_classes=3)
    old_frame = pd.DataFrame(X_old, columns=[f"f{i}" for i in range(5)])
    X_new, y_new, _, _ = _problem(n_samples=80, n_features=3, n_classes=2, seed=1)
    y_new = np.array([-5, 40])[y_new]
    clf = _robust(estimator=first_estimator, cleaning_rounds=2)
    clf.fit(old_frame, np.array(["a", "b", "c"])[y_old])
    clf.set_params(estimator=LogisticRegression(), cleaning_rounds=1)
    refitted = _fitted_state(clf.fit(X_new, y_new))
    fresh = _fitted_state(_robust().fit(X_new, y_new))
    assert refitted == fresh


def test_refit_on_an_array_forgets_the_dataframe_feature_names():
    X, y, _, _ = _problem()
    clf = _robust().fit(pd.DataFrame(X, columns=["a", "b", "c", "d"]), y)
    assert hasattr(clf, "feature_names_in_")
    clf.fit(X, y)
    assert not hasattr(clf, "feature_names_in_")
    assert clf.n_features_in_ == 4


class _CountingClassifier(ClassifierMixin, BaseEstimator):
    """Counts its fits across clones (a class attribute)."""

    fits = 0

    def fit(self, X, y):
        type(self).fits += 1
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def test_a_bad_known_transition_matrix_is_rejected_before_any_fold_is_fitted():
    X, y, _, _ = _problem()
    _CountingClassifier.fits = 0
    clf = _robust(estimator=_CountingClassifier(), transition_matrix=np.eye(2))
    with pytest.raises(ValueError, match="transition_matrix has shape"):
        clf.fit(X, y)
    assert _CountingClassifier.fits == 0
