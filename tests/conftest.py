import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from noisy_sklearn import make_noisy_labels

# A cyclic, clearly asymmetric noise: 40 % of each class is labelled as the next.
CYCLIC_T = np.array([[0.6, 0.4, 0.0], [0.0, 0.6, 0.4], [0.4, 0.0, 0.6]])


@pytest.fixture
def noisy_problem():
    """Three overlapping classes, training labels with 40 % cyclic noise."""
    X, y = make_classification(
        1500,
        6,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        class_sep=1.0,
        random_state=0,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, random_state=0, stratify=y
    )
    y_noisy = make_noisy_labels(y_train, CYCLIC_T, random_state=0)
    return X_train, X_test, y_train, y_noisy, y_test


@pytest.fixture
def small_problem():
    """A small, quick 3-class problem with 20 % of labels flipped."""
    rng = np.random.RandomState(0)
    X, y = make_classification(
        240, 5, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    flip = rng.rand(y.shape[0]) < 0.2
    y_noisy = np.where(flip, (y + 1) % 3, y)
    return X, y, y_noisy


def record_user_warnings(call):
    """Run ``call()``; return its result and the UserWarnings it emitted.

    Unlike ``pytest.warns`` (which sets every filter to "always"), this keeps
    the suite's other filters, so a DeprecationWarning or FutureWarning raised
    in noisy_sklearn code still fails the test.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = call()
    return result, [w for w in caught if issubclass(w.category, UserWarning)]
