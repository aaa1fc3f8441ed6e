"""Specification of TransitionMatrixDisplay and LabelQualityDisplay."""

import builtins

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from noisy_sklearn import (
    LabelQualityDisplay,
    NoiseRobustClassifier,
    TransitionMatrixDisplay,
    estimate_transition_matrix,
    find_label_issues,
    label_quality_scores,
    make_noisy_labels,
    make_transition_matrix,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def noisy_iris():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    y_noisy = make_noisy_labels(names, make_transition_matrix(3, 0.2), random_state=0)
    return X, y_noisy


@pytest.fixture(scope="module")
def fitted(noisy_iris):
    X, y_noisy = noisy_iris
    return NoiseRobustClassifier(cv=3, random_state=0).fit(X, y_noisy)


@pytest.fixture(scope="module")
def predictions():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], 40)
    logits = rng.normal(size=(120, 3))
    logits[np.arange(120), y] += 2.5
    pred_proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, pred_proba


# --- TransitionMatrixDisplay -----------------------------------------------


def test_init_stores_data_only():
    T = make_transition_matrix(3, 0.3)
    display = TransitionMatrixDisplay(T, display_labels=["a", "b", "c"])
    assert display.transition_matrix is T
    assert display.display_labels == ["a", "b", "c"]
    assert not hasattr(display, "ax_")


def test_plot_returns_self_and_stores_artists():
    display = TransitionMatrixDisplay(make_transition_matrix(3, 0.3))
    assert display.plot() is display
    assert display.figure_ is display.ax_.figure
    assert display.text_.shape == (3, 3)
    np.testing.assert_allclose(display.im_.get_array(), make_transition_matrix(3, 0.3))


def test_rows_are_true_labels_and_columns_given_labels():
    T = make_transition_matrix(3, 0.4, kind="pair")  # T[0, 1] = 0.4
    display = TransitionMatrixDisplay(T).plot()
    assert display.ax_.get_ylabel() == "True label"
    assert display.ax_.get_xlabel() == "Given label"
    # imshow puts row i at y=i and column j at x=j.
    x, y = display.text_[0, 1].get_position()
    assert (x, y) == (1, 0)
    assert display.text_[0, 1].get_text() == "0.40"


def test_values_format_formats_cells_and_none_hides_them():
    T = make_transition_matrix(2, 0.25)
    display = TransitionMatrixDisplay(T).plot(values_format=".1%")
    assert display.text_[0, 0].get_text() == "75.0%"
    display = TransitionMatrixDisplay(T).plot(values_format=None)
    assert display.text_ is None
    assert len(display.ax_.texts) == 0


def test_text_colour_contrasts_with_cell():
    display = TransitionMatrixDisplay(np.eye(2)).plot(cmap="Blues")
    assert display.text_[0, 0].get_color() == "white"  # dark blue cell
    assert display.text_[0, 1].get_color() == "black"  # white cell


def test_colour_scale_is_fixed_to_probabilities():
    display = TransitionMatrixDisplay(make_transition_matrix(3, 0.1)).plot()
    assert display.im_.get_clim() == (0.0, 1.0)


def test_display_labels_become_tick_labels():
    display = TransitionMatrixDisplay(
        np.eye(3), display_labels=["cat", "dog", "eel"]
    ).plot()
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert ticks == ["cat", "dog", "eel"]
    ticks = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert ticks == ["cat", "dog", "eel"]


def test_display_labels_of_wrong_length_raise():
    with pytest.raises(ValueError, match="display_labels has 2 entries"):
        TransitionMatrixDisplay(np.eye(3), display_labels=["a", "b"]).plot()


def test_invalid_transition_matrix_raises():
    with pytest.raises(ValueError, match="rows must sum to 1"):
        TransitionMatrixDisplay([[0.5, 0.2], [0.1, 0.9]]).plot()


def test_colorbar_and_title_options():
    _, ax = plt.subplots()
    display = TransitionMatrixDisplay(np.eye(2)).plot(
        ax=ax, colorbar=False, title="Known T"
    )
    assert display.ax_ is ax
    assert len(display.figure_.axes) == 1
    assert ax.get_title() == "Known T"
    display = TransitionMatrixDisplay(np.eye(2)).plot()
    assert len(display.figure_.axes) == 2


def test_from_estimator_reads_fitted_matrix_and_classes(fitted):
    display = TransitionMatrixDisplay.from_estimator(fitted)
    np.testing.assert_allclose(display.transition_matrix, fitted.transition_matrix_)
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert ticks == list(fitted.classes_)


def test_from_estimator_requires_a_fitted_noise_robust_classifier(noisy_iris):
    with pytest.raises(NotFittedError):
        TransitionMatrixDisplay.from_estimator(NoiseRobustClassifier())
    X, y = noisy_iris
    plain = LogisticRegression(max_iter=1000).fit(X, y)
    with pytest.raises(ValueError, match="transition_matrix_"):
        TransitionMatrixDisplay.from_estimator(plain)


def test_from_predictions_matches_estimate_transition_matrix(predictions):
    y, pred_proba = predictions
    for method in ("confident_joint", "anchor"):
        display = TransitionMatrixDisplay.from_predictions(y, pred_proba, method=method)
        expected = estimate_transition_matrix(y, pred_proba, method=method)
        np.testing.assert_allclose(display.transition_matrix, expected)


def test_from_predictions_uses_classes_for_labels(predictions):
    y, pred_proba = predictions
    names = np.array(["c", "b", "a"])
    display = TransitionMatrixDisplay.from_predictions(
        names[y], pred_proba, classes=names
    )
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert ticks == ["c", "b", "a"]


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"noisy_sklearn\[plot\]"):
        TransitionMatrixDisplay(np.eye(2)).plot()
    with pytest.raises(ImportError, match=r"noisy_sklearn\[plot\]"):
        LabelQualityDisplay([0.5], [False]).plot()


# --- LabelQualityDisplay ---------------------------------------------------


def test_label_quality_histograms_count_each_group():
    quality = np.array([0.95, 0.9, 0.8, 0.2, 0.85, 0.1])
    issues = np.array([False, False, False, True, False, True])
    display = LabelQualityDisplay(quality, issues).plot(bins=10)
    assert display.plot(bins=10) is display
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["kept (n=4)", "flagged (n=2)"]
    assert display.ax_.get_xlim() == (0.0, 1.0)
    assert display.ax_.get_ylabel() == "Number of samples"


def test_label_quality_density_changes_axis_label():
    display = LabelQualityDisplay([0.9, 0.1], [False, True]).plot(density=True)
    assert display.ax_.get_ylabel() == "Density"


def test_label_quality_rejects_non_boolean_flags():
    with pytest.raises(TypeError, match="boolean mask"):
        LabelQualityDisplay([0.9, 0.1], [0, 1]).plot()


def test_label_quality_rejects_length_mismatch():
    with pytest.raises(ValueError, match="3 samples"):
        LabelQualityDisplay([0.9, 0.1, 0.5], [False, True]).plot()


def test_label_quality_from_estimator(fitted):
    display = LabelQualityDisplay.from_estimator(fitted, title="Iris")
    np.testing.assert_array_equal(display.label_issues, fitted.label_issues_)
    np.testing.assert_allclose(display.label_quality, fitted.label_quality_)
    assert display.ax_.get_title() == "Iris"
    assert set(display.bars_) == {"kept", "flagged"}


def test_label_quality_from_predictions_uses_package_functions(predictions):
    y, pred_proba = predictions
    display = LabelQualityDisplay.from_predictions(
        y, pred_proba, method="normalized_margin"
    )
    np.testing.assert_allclose(
        display.label_quality,
        label_quality_scores(y, pred_proba, method="normalized_margin"),
    )
    np.testing.assert_array_equal(
        display.label_issues, find_label_issues(y, pred_proba)
    )
    assert display.ax_.get_xlabel() == "normalized margin"


def test_label_quality_from_predictions_with_known_matrix(predictions):
    y, pred_proba = predictions
    T = make_transition_matrix(3, 0.1)
    display = LabelQualityDisplay.from_predictions(y, pred_proba, transition_matrix=T)
    np.testing.assert_array_equal(
        display.label_issues, find_label_issues(y, pred_proba, transition_matrix=T)
    )
