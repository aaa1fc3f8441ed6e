import warnings

import numpy as np
import pytest
from conftest import CYCLIC_T
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from noisy_sklearn import (
    NoiseRobustClassifier,
    make_noisy_labels,
    make_transition_matrix,
)
from noisy_sklearn._label_audit import LabelAuditMixin

STRATEGIES = ["prune", "reweight", "relabel", "correct"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_each_strategy_beats_doing_nothing(noisy_problem, strategy):
    X_train, X_test, _, y_noisy, y_test = noisy_problem
    base = NoiseRobustClassifier(LogisticRegression(), strategy="none", random_state=0)
    robust = clone(base).set_params(strategy=strategy)
    baseline = base.fit(X_train, y_noisy).score(X_test, y_test)
    assert robust.fit(X_train, y_noisy).score(X_test, y_test) > baseline + 0.02


@pytest.fixture
def separable_problem():
    """Well-separated classes, 40 % cyclic noise, and a model whose probabilities
    can follow the flat noisy posterior (a wide nearest-neighbour average)."""
    X, y = make_classification(
        1500,
        6,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        class_sep=2,
        random_state=0,
    )
    y_noisy = make_noisy_labels(y, CYCLIC_T, random_state=0)
    clf = NoiseRobustClassifier(KNeighborsClassifier(50), random_state=0)
    return clf.fit(X, y_noisy), y, y_noisy


def test_estimated_transition_matrix_is_close_to_the_truth(separable_problem):
    T = separable_problem[0].transition_matrix_
    np.testing.assert_allclose(T.sum(axis=1), 1.0)
    assert np.abs(T - CYCLIC_T).mean() < 0.03


def test_label_issues_find_the_flipped_samples(separable_problem):
    clf, y, y_noisy = separable_problem
    issues, flipped = clf.label_issues_, y != y_noisy
    precision = (issues & flipped).sum() / issues.sum()
    recall = (issues & flipped).sum() / flipped.sum()
    assert precision > 0.9 and recall > 0.8
    assert abs(clf.noise_rate_ - flipped.mean()) < 0.05
    # Suspicious samples score lower than the rest.
    assert clf.label_quality_[issues].mean() < clf.label_quality_[~issues].mean()


def test_known_transition_matrix_is_used_as_is(small_problem):
    X, _, y_noisy = small_problem
    T = make_transition_matrix(3, 0.3)
    clf = NoiseRobustClassifier(transition_matrix=T, random_state=0).fit(X, y_noisy)
    np.testing.assert_array_equal(clf.transition_matrix_, T)
    # The joint follows T: P(given k, true j) proportional to T[j, k].
    joint = clf.noise_joint_
    np.testing.assert_allclose(joint / joint.sum(axis=0), T.T, atol=1e-8)


def test_prune_reweight_averages_the_prune_and_reweight_models(small_problem):
    X, _, y_noisy = small_problem
    fits = {
        strategy: NoiseRobustClassifier(strategy=strategy, random_state=0).fit(
            X, y_noisy
        )
        for strategy in ("prune_reweight", "prune", "reweight")
    }
    pruned, reweighted = fits["prune"], fits["reweight"]
    both = fits["prune_reweight"]
    np.testing.assert_allclose(
        both.sample_weight_, (pruned.sample_weight_ + reweighted.sample_weight_) / 2
    )
    # Same folds, same noise model: the average of the two single-strategy fits
    # (whose final models are seeded differently, hence the tolerance).
    expected = (pruned.predict_proba(X) + reweighted.predict_proba(X)) / 2
    np.testing.assert_allclose(both.predict_proba(X), expected, atol=1e-6)


def test_prune_drops_the_expected_wrong_labels_of_each_class(small_problem):
    X, _, y_noisy = small_problem
    clf = NoiseRobustClassifier(strategy="prune", random_state=0).fit(X, y_noisy)
    dropped = clf.sample_weight_ == 0
    error = 1.0 - clf.label_quality_
    # Every flagged label (more likely wrong than right) is dropped ...
    assert np.all(dropped[clf.label_issues_])
    for k in clf.classes_:
        members = y_noisy == k
        # ... and the most likely wrong, as many as the label-error
        # probabilities add up to (the flags whatever their rank).
        expected = np.round(error[members].sum())
        n_flagged = clf.label_issues_[members].sum()
        assert expected <= dropped[members].sum() <= expected + n_flagged
        unflagged = members & ~clf.label_issues_
        most_likely = error[unflagged & dropped].min()
        assert most_likely >= error[members & ~dropped].max() - 1e-3


def test_fitted_attributes(small_problem):
    X, _, y_noisy = small_problem
    clf = NoiseRobustClassifier(random_state=0).fit(X, y_noisy)
    n = X.shape[0]
    assert clf.label_issues_.shape == (n,) and clf.label_issues_.dtype == bool
    assert clf.label_quality_.shape == (n,)
    assert clf.sample_weight_.shape == (n,)
    assert clf.oof_pred_proba_.shape == (n, 3)
    assert 0 <= clf.noise_rate_ < 1
    assert clf.strategy_ == "prune_reweight"
    assert set(clf.suggested_labels_) <= set(clf.classes_)
    np.testing.assert_allclose(clf.class_prior_.sum(), 1.0)
    assert len(clf.fold_fit_times_) == 5


@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog", "emu"]), np.array([10, 20, 50]), np.array([-7, 0, 3])],
)
def test_any_label_type(small_problem, labels):
    X, _, y_noisy = small_problem
    y = labels[y_noisy]
    clf = NoiseRobustClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.sort(labels))
    assert set(clf.predict(X)) <= set(labels)
    assert set(clf.suggested_labels_) <= set(labels)


def test_pandas_input_keeps_feature_names(small_problem):
    pd = pytest.importorskip("pandas")
    X, _, y_noisy = small_problem
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = pd.Series(np.array(["a", "b", "c"])[y_noisy], name="target")
    clf = NoiseRobustClassifier(random_state=0).fit(frame, labels)
    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns)
    assert clf.predict(frame).shape == (X.shape[0],)


def test_sparse_input_when_the_estimator_accepts_it(small_problem):
    X, _, y_noisy = small_problem
    X_sparse = sparse.csr_matrix(np.abs(X))
    clf = NoiseRobustClassifier(LogisticRegression(), random_state=0)
    assert clf.fit(X_sparse, y_noisy).predict_proba(X_sparse).shape == (X.shape[0], 3)


def test_classifier_without_predict_proba(small_problem):
    X, _, y_noisy = small_problem
    clf = NoiseRobustClassifier(LinearSVC(), random_state=0).fit(X, y_noisy)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    assert clf.calibrator_.temperature_ > 0


def test_pipeline_and_grid_search_over_strategies(small_problem):
    X, _, y_noisy = small_problem
    pipe = make_pipeline(
        StandardScaler(), NoiseRobustClassifier(LogisticRegression(), random_state=0)
    )
    grid = GridSearchCV(
        pipe,
        {
            "noiserobustclassifier__strategy": ["none", "prune", "reweight"],
            "noiserobustclassifier__estimator__C": [0.1, 1.0],
        },
        cv=3,
        n_jobs=2,
    )
    grid.fit(X, y_noisy)
    assert grid.predict(X).shape == (X.shape[0],)
    assert len(grid.cv_results_["params"]) == 6


def test_sample_weight_zero_is_like_removing(small_problem):
    X, _, y_noisy = small_problem
    weight = np.ones(X.shape[0])
    weight[::7] = 0
    kept = weight > 0
    splits = list(KFold(4).split(X[kept]))
    # Map the splits of the kept rows onto the full data (dropped rows in no fold
    # would break the partition, so they join every test fold's training side).
    full_index = np.flatnonzero(kept)
    dropped = np.flatnonzero(~kept)
    full_splits = [
        (np.r_[full_index[train], dropped], full_index[test]) for train, test in splits
    ]
    full_splits[0] = (
        full_splits[0][0][: -dropped.size],
        np.r_[full_splits[0][1], dropped],
    )
    weighted = NoiseRobustClassifier(LogisticRegression(), cv=full_splits)
    removed = NoiseRobustClassifier(LogisticRegression(), cv=splits)
    weighted.fit(X, y_noisy, sample_weight=weight)
    removed.fit(X[kept], y_noisy[kept])
    # Equal up to the rounding of the single-precision solve, whose matrix
    # products round differently for the two sets of rows.
    np.testing.assert_allclose(
        weighted.transition_matrix_, removed.transition_matrix_, rtol=1e-5
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), removed.predict_proba(X), rtol=1e-5
    )


def test_groups_reach_the_splitter_with_metadata_routing(small_problem):
    import sklearn

    X, _, y_noisy = small_problem
    groups = np.arange(X.shape[0]) % 6
    with sklearn.config_context(enable_metadata_routing=True):
        clf = NoiseRobustClassifier(
            LogisticRegression().set_fit_request(sample_weight=False),
            cv=GroupKFold(3),
            random_state=0,
        )
        clf.fit(X, y_noisy, groups=groups)
    assert clf.oof_pred_proba_.shape == (X.shape[0], 3)


def test_parallel_folds_give_the_same_result(small_problem):
    X, _, y_noisy = small_problem
    serial = NoiseRobustClassifier(random_state=0, n_jobs=1).fit(X, y_noisy)
    parallel = NoiseRobustClassifier(random_state=0, n_jobs=2).fit(X, y_noisy)
    np.testing.assert_allclose(serial.oof_pred_proba_, parallel.oof_pred_proba_)


def test_unidentifiable_noise_falls_back_to_the_given_labels():
    rng = np.random.RandomState(0)
    X = rng.randn(400, 3)
    y = rng.randint(0, 2, 400)  # labels carry no signal: T cannot be identified
    with pytest.warns(UserWarning, match="not identifiable"):
        clf = NoiseRobustClassifier(LogisticRegression(), random_state=0).fit(X, y)
    assert clf.strategy_ == "none"
    assert np.all(clf.sample_weight_ == 1)


def test_class_missing_from_a_training_fold_warns(small_problem):
    X, _, y_noisy = small_problem
    y = y_noisy.copy()
    y[:4] = 9
    order = np.r_[np.arange(4, X.shape[0]), np.arange(4)]
    # Sequential folds: the four samples of class 9 share one test fold.
    splits = [
        (order[np.r_[:i, i + 60 :]], order[i : i + 60]) for i in range(0, 240, 60)
    ]
    with pytest.warns(UserWarning, match="missing from at least one training fold"):
        clf = NoiseRobustClassifier(cv=splits).fit(X, y)
    assert clf.predict_proba(X).shape[1] == 4


def test_class_pruned_away_still_exists(small_problem):
    X, _, y_noisy = small_problem
    y = y_noisy.copy()
    # A "class" of five samples that look exactly like class 0: all flagged.
    y[np.flatnonzero(y_noisy == 0)[:5]] = 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = NoiseRobustClassifier(LogisticRegression(), random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2, 3])
    assert clf.predict_proba(X).shape == (X.shape[0], 4)


def test_correct_strategy_keeps_the_argmax_under_symmetric_noise(small_problem):
    X, _, y_noisy = small_problem
    T = make_transition_matrix(3, 0.3)
    none = NoiseRobustClassifier(transition_matrix=T, strategy="none", random_state=0)
    correct = clone(none).set_params(strategy="correct")
    proba_none = none.fit(X, y_noisy).predict_proba(X)
    proba_correct = correct.fit(X, y_noisy).predict_proba(X)
    np.testing.assert_array_equal(proba_none.argmax(1), proba_correct.argmax(1))
    # Correction only sharpens the posterior (undoes the flattening by noise).
    assert proba_correct.max(axis=1).mean() > proba_none.max(axis=1).mean()


def test_verbose_reports_progress(small_problem, capsys):
    X, _, y_noisy = small_problem
    NoiseRobustClassifier(verbose=2, random_state=0).fit(X, y_noisy)
    out = capsys.readouterr().out
    assert "fold 1" in out and "flagged as label issues" in out


def test_fold_indices_as_lists_or_arrays_give_the_same_fit(small_problem):
    # Fold indices are stored compactly (32-bit) when they are arrays; lists
    # are kept as given. Either way the folds, and so the fit, are the same.
    X, _, y_noisy = small_problem
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    as_lists = [(train.tolist(), test.tolist()) for train, test in splits]
    from_arrays = NoiseRobustClassifier(cv=splits, random_state=0).fit(X, y_noisy)
    from_lists = NoiseRobustClassifier(cv=as_lists, random_state=0).fit(X, y_noisy)
    np.testing.assert_array_equal(
        from_arrays.oof_pred_proba_, from_lists.oof_pred_proba_
    )
    np.testing.assert_array_equal(from_arrays.predict(X), from_lists.predict(X))


def test_pruning_drops_every_flagged_sample_beyond_the_expected_count():
    audit = LabelAuditMixin()
    y = np.repeat([0, 1], 10)
    proba = np.column_stack([1.0 - y, y]) * 0.8 + 0.1
    error = np.zeros(20)
    error[:3] = [0.8, 0.8, 0.3]  # class 0 expects round(1.9) = 2 wrong labels
    audit.label_issues_ = np.zeros(20, dtype=bool)
    audit.label_issues_[2] = True
    pruned = audit._pruned_samples(y, proba, error, np.ones(20))
    assert np.flatnonzero(pruned).tolist() == [0, 1, 2]
    # No label-error probabilities (a strategy that does not prune): None.
    assert audit._pruned_samples(y, proba, None, np.ones(20)) is None


def test_pruning_gives_back_extra_samples_before_any_flagged_one():
    # Class 0 (5 samples) expects round(3.6) = 4 wrong labels but must keep
    # 2 samples: of the extra ones (2, 3), the one more like class 0 (3)
    # comes back, not flag 0, though the model finds 0 the most like it.
    audit = LabelAuditMixin()
    y = np.repeat([0, 1, 2], [5, 4, 4])
    proba = np.tile([0.1, 0.8, 0.1], (13, 1))
    proba[:4] = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.4, 0.5, 0.1], [0.6, 0.3, 0.1]]
    proba[9:] = [0.1, 0.1, 0.8]
    error = np.zeros(13)
    error[:4] = 0.9
    audit.label_issues_ = np.isin(np.arange(13), [0, 1])
    pruned = audit._pruned_samples(y, proba, error, np.ones(13))
    assert np.flatnonzero(pruned).tolist() == [0, 1, 2]
