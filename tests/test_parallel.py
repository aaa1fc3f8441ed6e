"""The folds run on any joblib backend, with the same result."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

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
