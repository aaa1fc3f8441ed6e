"""Displays: pictures of the noise transition matrix and of label quality.

Both follow scikit-learn's Display convention (as ``ConfusionMatrixDisplay``
does): ``__init__`` stores the data, ``plot`` draws it and keeps the matplotlib
artists as attributes, and the ``from_estimator`` / ``from_predictions``
class methods compute the data first. matplotlib is imported only when a
picture is drawn, so the package works without it.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._issues import find_label_issues, label_quality_scores
from ._transition import estimate_transition_matrix
from ._validation import check_transition_matrix

# Cells darker than this relative luminance get white numbers, the others black.
_DARK_CELL_LUMINANCE = 0.45


def _pyplot(caller):
    """Import matplotlib.pyplot, or explain how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it "
            "with the `plot` extra: pip install noisy_sklearn[plot]"
        ) from exc
    return plt


def _axes(plt, ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax, ax.figure


def _fitted_attributes(estimator, names, caller):
    """Read fitted attributes of a NoiseRobustClassifier-like estimator."""
    check_is_fitted(estimator)
    missing = [name for name in names if not hasattr(estimator, name)]
    if missing:
        raise ValueError(
            f"{caller} needs a fitted NoiseRobustClassifier; "
            f"{type(estimator).__name__} has no attribute(s) {missing}. "
            "Use from_predictions with out-of-fold probabilities instead."
        )
    return [getattr(estimator, name) for name in names]


def _text_color(rgba):
    """Black or white, whichever reads better on a cell of colour ``rgba``."""
    red, green, blue = rgba[:3]
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "white" if luminance < _DARK_CELL_LUMINANCE else "black"


class TransitionMatrixDisplay:
    """Heatmap of a noise transition matrix ``T[i, j] = P(given j | true i)``.

    Rows are the true labels and columns the given labels, so a perfectly
    labelled data set shows the identity and every off-diagonal cell is the
    probability that a sample of the row's class carries the column's label.
    Colours span the fixed range [0, 1], so that two displays side by side
    share one scale.

    It is recommended to create a display with :meth:`from_estimator` or
    :meth:`from_predictions`. All parameters are stored as attributes.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row-stochastic matrix, rows = true label, columns = given label.
    display_labels : array-like of shape (n_classes,), default=None
        Tick labels of both axes; ``None`` means ``0..n_classes-1``.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heatmap.
    text_ : ndarray of shape (n_classes, n_classes) of matplotlib Text, or None
        The printed values; ``None`` when ``values_format=None``.
    ax_ : matplotlib Axes
        Axes with the heatmap.
    figure_ : matplotlib Figure
        Figure containing the heatmap.

    See Also
    --------
    LabelQualityDisplay : How the label quality of flagged and kept samples
        compares.
    estimate_transition_matrix : T from out-of-fold probabilities.
    make_transition_matrix : Build T for a simulated noise model.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from noisy_sklearn import TransitionMatrixDisplay, make_transition_matrix
    >>> T = make_transition_matrix(3, 0.3, kind="pair")
    >>> disp = TransitionMatrixDisplay(T, display_labels=["a", "b", "c"]).plot()
    >>> disp.ax_.get_ylabel(), disp.ax_.get_xlabel()
    ('True label', 'Given label')
    >>> disp.text_[0, 1].get_text()
    '0.30'
    >>> plt.close(disp.figure_)
    """

    def __init__(self, transition_matrix, *, display_labels=None):
        self.transition_matrix = transition_matrix
        self.display_labels = display_labels

    def plot(
        self, *, ax=None, cmap="Blues", values_format=".2f", colorbar=True, title=None
    ):
        """Draw the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and axes.
        cmap : str or matplotlib Colormap, default="Blues"
            Colormap of the cells.
        values_format : str or None, default=".2f"
            Format specification of the value printed in each cell; ``None``
            prints no values.
        colorbar : bool, default=True
            Whether to add a colorbar.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : TransitionMatrixDisplay
            Object that stores the computed values.
        """
        plt = _pyplot("TransitionMatrixDisplay.plot")
        T = check_transition_matrix(self.transition_matrix)
        n_classes = T.shape[0]
        labels = (
            np.arange(n_classes)
            if self.display_labels is None
            else np.asarray(self.display_labels)
        )
        if labels.shape[0] != n_classes:
            raise ValueError(
                f"display_labels has {labels.shape[0]} entries but the "
                f"transition matrix has {n_classes} classes."
            )
        ax, figure = _axes(plt, ax)
        self.im_ = ax.imshow(T, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
        self.text_ = None
        if values_format is not None:
            self.text_ = np.empty((n_classes, n_classes), dtype=object)
            for i, j in np.ndindex(n_classes, n_classes):
                self.text_[i, j] = ax.text(
                    j,
                    i,
                    format(T[i, j], values_format),
                    ha="center",
                    va="center",
                    color=_text_color(self.im_.cmap(self.im_.norm(T[i, j]))),
                )
        if colorbar:
            figure.colorbar(self.im_, ax=ax, label="P(given | true)")
        ticks = np.arange(n_classes)
        ax.set(
            xticks=ticks,
            yticks=ticks,
            xticklabels=[str(label) for label in labels],
            yticklabels=[str(label) for label in labels],
            xlabel="Given label",
            ylabel="True label",
        )
        if title is not None:
            ax.set_title(title)
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        display_labels=None,
        ax=None,
        cmap="Blues",
        values_format=".2f",
        colorbar=True,
        title=None,
    ):
        """Plot the transition matrix of a fitted NoiseRobustClassifier.

        Reads ``estimator.transition_matrix_`` (estimated, or the known one
        that was passed) in ``estimator.classes_`` order.

        Parameters
        ----------
        estimator : NoiseRobustClassifier
            A fitted classifier with ``transition_matrix_`` and ``classes_``.
        display_labels : array-like of shape (n_classes,), default=None
            Tick labels; ``None`` means ``estimator.classes_``.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and axes.
        cmap : str or matplotlib Colormap, default="Blues"
            Colormap of the cells.
        values_format : str or None, default=".2f"
            Format of the value printed in each cell; ``None`` prints none.
        colorbar : bool, default=True
            Whether to add a colorbar.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : TransitionMatrixDisplay
            The drawn display.

        See Also
        --------
        TransitionMatrixDisplay.from_predictions : Estimate T from labels and
            out-of-fold probabilities, then plot it.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from sklearn.datasets import load_iris
        >>> from noisy_sklearn import NoiseRobustClassifier, TransitionMatrixDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = NoiseRobustClassifier(random_state=0).fit(X, y)
        >>> disp = TransitionMatrixDisplay.from_estimator(clf)
        >>> disp.im_.get_array().shape
        (3, 3)
        >>> plt.close(disp.figure_)
        """
        T, classes = _fitted_attributes(
            estimator,
            ["transition_matrix_", "classes_"],
            f"{cls.__name__}.from_estimator",
        )
        display = cls(
            T, display_labels=classes if display_labels is None else display_labels
        )
        return display.plot(
            ax=ax,
            cmap=cmap,
            values_format=values_format,
            colorbar=colorbar,
            title=title,
        )

    @classmethod
    def from_predictions(
        cls,
        y,
        pred_proba,
        *,
        classes=None,
        method="confident_joint",
        sample_weight=None,
        display_labels=None,
        ax=None,
        cmap="Blues",
        values_format=".2f",
        colorbar=True,
        title=None,
    ):
        """Estimate the transition matrix from predictions and plot it.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Given (possibly wrong) labels.
        pred_proba : array-like of shape (n_samples, n_classes)
            Out-of-fold predicted probabilities, columns in ``classes`` order
            (for example from ``cross_val_predict(..., method="predict_proba")``).
        classes : array-like of shape (n_classes,), default=None
            The class order of the columns; ``None`` means the sorted unique
            values of ``y``.
        method : {"confident_joint", "em", "anchor"}, default="confident_joint"
            Estimator of T, see :func:`estimate_transition_matrix`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the estimate.
        display_labels : array-like of shape (n_classes,), default=None
            Tick labels; ``None`` means the classes.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and axes.
        cmap : str or matplotlib Colormap, default="Blues"
            Colormap of the cells.
        values_format : str or None, default=".2f"
            Format of the value printed in each cell; ``None`` prints none.
        colorbar : bool, default=True
            Whether to add a colorbar.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : TransitionMatrixDisplay
            The drawn display.

        See Also
        --------
        TransitionMatrixDisplay.from_estimator : Plot the T of a fitted
            NoiseRobustClassifier.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.model_selection import cross_val_predict
        >>> from noisy_sklearn import TransitionMatrixDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> pred_proba = cross_val_predict(LogisticRegression(max_iter=1000), X, y,
        ...                                method="predict_proba")
        >>> disp = TransitionMatrixDisplay.from_predictions(y, pred_proba)
        >>> disp.ax_.get_xlabel()
        'Given label'
        >>> plt.close(disp.figure_)
        """
        T = estimate_transition_matrix(
            y, pred_proba, method=method, classes=classes, sample_weight=sample_weight
        )
        if display_labels is None:
            display_labels = (
                np.unique(np.asarray(y)) if classes is None else np.asarray(classes)
            )
        return cls(T, display_labels=display_labels).plot(
            ax=ax,
            cmap=cmap,
            values_format=values_format,
            colorbar=colorbar,
            title=title,
        )


class LabelQualityDisplay:
    """Histograms of label quality scores, flagged samples against kept ones.

    A useful flagging rule separates the two groups: flagged samples (likely
    mislabelled) should pile up at low scores and kept ones at high scores.
    A large overlap means the flags are close to a coin toss and deserve a
    manual look before any relabelling.

    It is recommended to create a display with :meth:`from_estimator` or
    :meth:`from_predictions`. All parameters are stored as attributes.

    Parameters
    ----------
    label_quality : array-like of shape (n_samples,)
        Score of each given label in [0, 1]; lower = more suspicious.
    label_issues : array-like of shape (n_samples,), dtype=bool
        True for the samples flagged as probably mislabelled.
    score_name : str, default=None
        Label of the score axis; ``None`` means ``"Label quality score"``.

    Attributes
    ----------
    bars_ : dict of matplotlib BarContainer or list of Polygon
        The histograms, under the keys ``"kept"`` and ``"flagged"``.
    ax_ : matplotlib Axes
        Axes with the histograms.
    figure_ : matplotlib Figure
        Figure containing the histograms.

    See Also
    --------
    TransitionMatrixDisplay : Heatmap of the noise transition matrix.
    label_quality_scores : Compute the scores.
    find_label_issues : Compute the flags.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from noisy_sklearn import LabelQualityDisplay
    >>> quality = [0.95, 0.9, 0.8, 0.2, 0.85, 0.1]
    >>> issues = [False, False, False, True, False, True]
    >>> disp = LabelQualityDisplay(quality, issues).plot(bins=5)
    >>> sorted(disp.bars_)
    ['flagged', 'kept']
    >>> plt.close(disp.figure_)
    """

    def __init__(self, label_quality, label_issues, *, score_name=None):
        self.label_quality = label_quality
        self.label_issues = label_issues
        self.score_name = score_name

    def plot(self, *, ax=None, bins=20, density=False, title=None):
        """Draw the two histograms on a shared set of bins over [0, 1].

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and axes.
        bins : int or sequence of float, default=20
            Number of equal-width bins over [0, 1], or the bin edges.
        density : bool, default=False
            Whether each histogram is normalised to unit area, which makes the
            shapes comparable when far fewer samples are flagged than kept.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : LabelQualityDisplay
            Object that stores the computed values.
        """
        plt = _pyplot("LabelQualityDisplay.plot")
        quality = np.asarray(self.label_quality, dtype=np.float64).ravel()
        issues = np.asarray(self.label_issues).ravel()
        if issues.dtype != bool:
            raise TypeError(
                "label_issues must be a boolean mask (True = flagged), got an "
                f"array of dtype {issues.dtype}."
            )
        if quality.shape != issues.shape:
            raise ValueError(
                f"label_quality has {quality.shape[0]} samples but label_issues "
                f"has {issues.shape[0]}."
            )
        edges = np.linspace(0.0, 1.0, bins + 1) if np.isscalar(bins) else bins
        ax, figure = _axes(plt, ax)
        groups = {
            "kept": (~issues, "tab:blue"),
            "flagged": (issues, "tab:red"),
        }
        self.bars_ = {}
        for name, (mask, color) in groups.items():
            self.bars_[name] = ax.hist(
                quality[mask],
                bins=edges,
                density=density and bool(mask.any()),
                histtype="stepfilled",
                alpha=0.5,
                color=color,
                edgecolor=color,
                label=f"{name} (n={int(mask.sum())})",
            )[2]
        ax.set(
            xlim=(0.0, 1.0),
            xlabel=self.score_name or "Label quality score",
            ylabel="Density" if density else "Number of samples",
        )
        ax.legend(loc="upper center")
        if title is not None:
            ax.set_title(title)
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, bins=20, density=False, title=None):
        """Plot the label quality of a fitted NoiseRobustClassifier's training set.

        Reads ``estimator.label_quality_`` (the out-of-fold probability of
        each given label) and ``estimator.label_issues_``.

        Parameters
        ----------
        estimator : NoiseRobustClassifier
            A fitted classifier with ``label_quality_`` and ``label_issues_``.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and axes.
        bins : int or sequence of float, default=20
            Number of equal-width bins over [0, 1], or the bin edges.
        density : bool, default=False
            Whether each histogram is normalised to unit area.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : LabelQualityDisplay
            The drawn display.

        See Also
        --------
        LabelQualityDisplay.from_predictions : Score and flag from labels and
            out-of-fold probabilities, then plot.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from sklearn.datasets import load_iris
        >>> from noisy_sklearn import (LabelQualityDisplay, NoiseRobustClassifier,
        ...                            make_noisy_labels, make_transition_matrix)
        >>> X, y = load_iris(return_X_y=True)
        >>> y_noisy = make_noisy_labels(y, make_transition_matrix(3, 0.2),
        ...                             random_state=0)
        >>> clf = NoiseRobustClassifier(random_state=0).fit(X, y_noisy)
        >>> disp = LabelQualityDisplay.from_estimator(clf)
        >>> disp.ax_.get_xlabel()
        'P(given label), out of fold'
        >>> plt.close(disp.figure_)
        """
        quality, issues = _fitted_attributes(
            estimator,
            ["label_quality_", "label_issues_"],
            f"{cls.__name__}.from_estimator",
        )
        display = cls(quality, issues, score_name="P(given label), out of fold")
        return display.plot(ax=ax, bins=bins, density=density, title=title)

    @classmethod
    def from_predictions(
        cls,
        y,
        pred_proba,
        *,
        classes=None,
        method="self_confidence",
        transition_matrix=None,
        sample_weight=None,
        ax=None,
        bins=20,
        density=False,
        title=None,
    ):
        """Score and flag labels from out-of-fold probabilities, then plot.

        The scores come from :func:`label_quality_scores` and the flags from
        :func:`find_label_issues`.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Given (possibly wrong) labels.
        pred_proba : array-like of shape (n_samples, n_classes)
            Out-of-fold predicted probabilities, columns in ``classes`` order.
        classes : array-like of shape (n_classes,), default=None
            The class order of the columns; ``None`` means the sorted unique
            values of ``y``.
        method : {"self_confidence", "normalized_margin", \
                "confidence_weighted_entropy"}, default="self_confidence"
            The label quality score, see :func:`label_quality_scores`.
        transition_matrix : array-like of shape (n_classes, n_classes), \
                default=None
            A known ``T[i, j] = P(given j | true i)`` for the flags; ``None``
            estimates it.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights used by the flagging.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and axes.
        bins : int or sequence of float, default=20
            Number of equal-width bins over [0, 1], or the bin edges.
        density : bool, default=False
            Whether each histogram is normalised to unit area.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : LabelQualityDisplay
            The drawn display.

        See Also
        --------
        LabelQualityDisplay.from_estimator : Plot what a fitted
            NoiseRobustClassifier found.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from noisy_sklearn import LabelQualityDisplay
        >>> y = np.array([0, 0, 0, 1, 1, 1])
        >>> pred_proba = np.array([[.9, .1], [.8, .2], [.1, .9],
        ...                        [.1, .9], [.3, .7], [.2, .8]])
        >>> disp = LabelQualityDisplay.from_predictions(y, pred_proba, bins=5)
        >>> disp.label_issues
        array([False, False,  True, False, False, False])
        >>> plt.close(disp.figure_)
        """
        quality = label_quality_scores(y, pred_proba, method=method, classes=classes)
        issues = find_label_issues(
            y,
            pred_proba,
            classes=classes,
            transition_matrix=transition_matrix,
            sample_weight=sample_weight,
        )
        display = cls(quality, issues, score_name=method.replace("_", " "))
        return display.plot(ax=ax, bins=bins, density=density, title=title)
