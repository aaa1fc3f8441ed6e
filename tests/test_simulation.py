import numpy as np
import pytest

from noisy_sklearn import make_noisy_labels, make_transition_matrix


@pytest.mark.parametrize("kind", ["symmetric", "pair", "random"])
@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_transition_matrix_is_row_stochastic_with_the_asked_rate(kind, n_classes):
    T = make_transition_matrix(n_classes, 0.3, kind=kind, random_state=0)
    assert T.shape == (n_classes, n_classes)
    assert np.all(T >= 0)
    np.testing.assert_allclose(T.sum(axis=1), 1.0)
    np.testing.assert_allclose(1 - np.diag(T).mean(), 0.3)


def test_symmetric_and_pair_shapes():
    symmetric = make_transition_matrix(4, 0.3)
    np.testing.assert_allclose(symmetric[0], [0.7, 0.1, 0.1, 0.1])
    pair = make_transition_matrix(4, 0.3, kind="pair")
    np.testing.assert_allclose(pair[3], [0.3, 0, 0, 0.7])


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_random_kind_is_diagonally_dominant_and_uneven(n_classes):
    T = make_transition_matrix(n_classes, 0.4, kind="random", random_state=1)
    off = T - np.diag(np.diag(T))
    assert np.all(np.diag(T) > off.max(axis=1))
    assert np.all(np.diag(T) > off.max(axis=0))
    assert np.ptp(np.diag(T)) > 0.01  # per-class rates differ


def test_random_kind_is_seeded():
    first = make_transition_matrix(5, 0.3, kind="random", random_state=7)
    second = make_transition_matrix(5, 0.3, kind="random", random_state=7)
    np.testing.assert_array_equal(first, second)


def test_noisy_labels_follow_the_transition_matrix():
    y = np.repeat([0, 1, 2], 20000)
    T = make_transition_matrix(3, 0.3, kind="random", random_state=0)
    y_noisy = make_noisy_labels(y, T, random_state=0)
    empirical = np.array(
        [np.bincount(y_noisy[y == i], minlength=3) / 20000 for i in range(3)]
    )
    np.testing.assert_allclose(empirical, T, atol=0.015)


def test_noisy_labels_keep_the_label_type_and_do_not_touch_y():
    y = np.array(["cat", "dog", "emu"] * 50)
    y_before = y.copy()
    y_noisy = make_noisy_labels(y, make_transition_matrix(3, 0.5), random_state=0)
    np.testing.assert_array_equal(y, y_before)
    assert y_noisy.dtype == y.dtype and set(y_noisy) <= set(y)
    assert np.any(y_noisy != y)


def test_noisy_labels_with_explicit_classes():
    y = np.zeros(100, dtype=int)  # class 1 absent from y, present in T
    y_noisy = make_noisy_labels(
        y, [[0.0, 1.0], [0.0, 1.0]], classes=[0, 1], random_state=0
    )
    assert np.all(y_noisy == 1)
