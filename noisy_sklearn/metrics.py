"""Noise-aware scoring: estimate clean-label performance from noisy labels.

Model selection usually scores candidates on held-out labels. When those
labels are noisy too, plain accuracy measures agreement with the noise and can
prefer the wrong model. Under class-conditional noise, the noisy confusion
matrix is the clean one pushed through T, which can be undone.
"""

import numpy as np

from ._posterior import clean_posterior
from ._validation import (
    check_invertible,
    check_labels,
    check_transition_matrix,
    check_weights,
)


def clean_confusion_matrix(
    y_noisy, y_pred, transition_matrix, *, classes=None, sample_weight=None
):
    """Estimate the joint ``P(predicted a, true i)`` from noisy labels.

    Among the samples predicted as class a, the noisy labels follow ``m_a @
    T``, where ``m_a = P(true | predicted a)``; ``m_a`` is recovered on the
    simplex (a KL fit, so an ill-conditioned T cannot produce negative
    counts).

    Parameters
    ----------
    y_noisy : array-like of shape (n_samples,)
        Noisy labels of held-out samples.
    y_pred : array-like of shape (n_samples,)
        Predicted labels of the same samples.
    transition_matrix : array-like of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)`` in ``classes`` order; a singular T
        is rejected, since the clean confusion is then not determined.
    classes : array-like of shape (n_classes,), default=None
        Class order; ``None`` means the sorted union of both label arrays.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    joint : ndarray of shape (n_classes, n_classes)
        Rows = predicted class, columns = true class; sums to one.

    Examples
    --------
    >>> import numpy as np
    >>> from noisy_sklearn.metrics import clean_confusion_matrix
    >>> T = np.array([[0.8, 0.2], [0.2, 0.8]])
    >>> clean_confusion_matrix([0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
    ...                        [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], T).round(2)
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    if classes is None:
        # Validate both label arrays first: missing values must be named, not
        # fail inside the sort of np.union1d.
        check_labels(y_noisy, name="y_noisy")
        check_labels(y_pred, name="y_pred")
        classes = np.union1d(np.asarray(y_noisy), np.asarray(y_pred))
    noisy_encoded, classes = check_labels(y_noisy, classes, name="y_noisy")
    pred_encoded, _ = check_labels(y_pred, classes, name="y_pred")
    if noisy_encoded.shape[0] != pred_encoded.shape[0]:
        raise ValueError(
            f"y_noisy has {noisy_encoded.shape[0]} samples but y_pred has "
            f"{pred_encoded.shape[0]}."
        )
    n_classes = classes.shape[0]
    T = check_transition_matrix(transition_matrix, n_classes)
    check_invertible(T)
    weights = check_weights(sample_weight, noisy_encoded.shape[0])
    noisy_confusion = np.bincount(
        pred_encoded * n_classes + noisy_encoded,
        weights=weights,
        minlength=n_classes * n_classes,
    ).reshape(n_classes, n_classes)
    predicted_mass = noisy_confusion.sum(axis=1)
    joint = np.zeros((n_classes, n_classes))
    seen = predicted_mass > 0
    label_distribution = noisy_confusion[seen] / predicted_mass[seen, None]
    joint[seen] = clean_posterior(label_distribution, T) * predicted_mass[seen, None]
    return joint / joint.sum()


def noise_aware_accuracy_score(
    y_noisy, y_pred, transition_matrix, *, classes=None, sample_weight=None
):
    """Estimate accuracy against the true labels using only noisy labels.

    The trace of :func:`clean_confusion_matrix`. Consistent under
    class-conditional noise with the right T; plain accuracy on noisy labels
    is biased towards predictions that copy the noise.

    Parameters
    ----------
    y_noisy : array-like of shape (n_samples,)
        Noisy labels of held-out samples.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    transition_matrix : array-like of shape (n_classes, n_classes)
        ``T[i, j] = P(given j | true i)`` in ``classes`` order.
    classes : array-like of shape (n_classes,), default=None
        Class order; ``None`` means the sorted union of both label arrays.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float
        Estimated clean accuracy in [0, 1].

    See Also
    --------
    make_noise_aware_scorer : The same, as a ``scoring=`` for model selection.

    Examples
    --------
    >>> import numpy as np
    >>> from noisy_sklearn import make_noisy_labels, make_transition_matrix
    >>> from noisy_sklearn.metrics import noise_aware_accuracy_score
    >>> rng = np.random.RandomState(0)
    >>> y_true = rng.randint(0, 3, 20000)
    >>> y_pred = np.where(rng.rand(20000) < 0.9, y_true, (y_true + 1) % 3)
    >>> T = make_transition_matrix(3, 0.3)
    >>> y_noisy = make_noisy_labels(y_true, T, random_state=0)
    >>> round(float(np.mean(y_pred == y_true)), 2)  # what we want to know
    0.9
    >>> round(float(np.mean(y_pred == y_noisy)), 2)  # plain accuracy: biased
    0.64
    >>> round(noise_aware_accuracy_score(y_noisy, y_pred, T), 2)
    0.89
    """
    joint = clean_confusion_matrix(
        y_noisy, y_pred, transition_matrix, classes=classes, sample_weight=sample_weight
    )
    return float(np.trace(joint))


def _noise_robust_step(estimator):
    """The NoiseRobustClassifier inside ``estimator`` (itself or a pipeline's end)."""
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


class _NoiseAwareScorer:
    def __init__(self, transition_matrix):
        self.transition_matrix = transition_matrix

    def __call__(self, estimator, X, y, sample_weight=None):
        final = _noise_robust_step(estimator)
        T = self.transition_matrix
        if T is None:
            if not hasattr(final, "transition_matrix_"):
                raise TypeError(
                    "make_noise_aware_scorer() without a transition_matrix needs a "
                    "fitted NoiseRobustClassifier (alone or at the end of a "
                    f"Pipeline) to read T from; got {type(final).__name__}."
                )
            T = final.transition_matrix_
        return noise_aware_accuracy_score(
            y,
            estimator.predict(X),
            T,
            classes=final.classes_,
            sample_weight=sample_weight,
        )

    def __repr__(self):
        return "make_noise_aware_scorer()"


def make_noise_aware_scorer(transition_matrix=None):
    """A ``scoring=`` callable that estimates clean accuracy from noisy labels.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        A known T in ``classes_`` order. ``None`` reads ``transition_matrix_``
        from the fitted :class:`NoiseRobustClassifier` being scored (alone or
        as the last step of a pipeline), so every candidate is judged with
        the noise model estimated on its own training folds.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None) -> float``, for
        ``GridSearchCV(scoring=...)`` or ``cross_val_score``.

    See Also
    --------
    noise_aware_accuracy_score : The score itself.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from noisy_sklearn import NoiseRobustClassifier
    >>> from noisy_sklearn.metrics import make_noise_aware_scorer
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(
    ...     NoiseRobustClassifier(cv=3, random_state=0),
    ...     {"strategy": ["none", "prune"]},
    ...     scoring=make_noise_aware_scorer(), cv=3,
    ... ).fit(X, y)
    >>> search.best_params_["strategy"] in ("none", "prune")
    True
    """
    if transition_matrix is not None:
        transition_matrix = check_transition_matrix(transition_matrix)
    return _NoiseAwareScorer(transition_matrix)
