"""The folds run on any joblib backend, with the same result."""

import os

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier

from noisy_sklearn import NoiseRobustClassifier


def test_dask_backend_gives_the_local_result(small_problem):
    distributed = pytest.importorskip("distributed")
    X, _, y_noisy = small_problem
    clf = NoiseRobustClassifier(LogisticRegression(), n_jobs=2, random_state=0)
    local = clf.fit(X, y_noisy)
    local_proba, local_T = local.predict_proba(X), local.transition_matrix_
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        with parallel_config(backend="dask"):
            remote = NoiseRobustClassifier(
                LogisticRegression(), n_jobs=2, random_state=0
            ).fit(X, y_noisy)
    np.testing.assert_allclose(remote.transition_matrix_, local_T)
    np.testing.assert_allclose(remote.predict_proba(X), local_proba)
    np.testing.assert_array_equal(remote.label_issues_, local.label_issues_)


def test_nested_parallelism_in_a_grid_search(small_problem):
    X, _, y_noisy = small_problem
    search = GridSearchCV(
        NoiseRobustClassifier(LogisticRegression(), n_jobs=2, random_state=0),
        {"strategy": ["none", "prune"]},
        cv=2,
        n_jobs=2,
    ).fit(X, y_noisy)
    assert search.best_estimator_.predict(X).shape == (X.shape[0],)


class _WhereFitted(ClassifierMixin, BaseEstimator):
    """k-nearest neighbours (no sample weights: resampled) that records its process."""

    def fit(self, X, y):
        self.model_ = KNeighborsClassifier(5).fit(X, y)
        self.classes_ = self.model_.classes_
        self.pid_ = os.getpid()
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


def test_the_default_final_fits_run_in_parallel_with_the_same_result(small_problem):
    X, _, y_noisy = small_problem
    fits = {
        n_jobs: NoiseRobustClassifier(
            _WhereFitted(), n_jobs=n_jobs, random_state=0
        ).fit(X, y_noisy)
        for n_jobs in (1, 2)
    }
    # "prune_reweight": two final models, averaged.
    pids = [model.pid_ for model in fits[2].estimator_.estimators]
    assert len(pids) == 2 and os.getpid() not in pids
    assert all(m.pid_ == os.getpid() for m in fits[1].estimator_.estimators)
    np.testing.assert_array_equal(fits[1].sample_weight_, fits[2].sample_weight_)
    np.testing.assert_allclose(fits[1].predict_proba(X), fits[2].predict_proba(X))
