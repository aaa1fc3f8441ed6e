"""Label issues as a table, for notebooks and the ``audit`` command."""

import numpy as np
from sklearn.utils.validation import check_is_fitted


def label_issues_table(estimator, y, *, index=None, only_issues=True):
    """The training samples' label audit of a fitted classifier, as a DataFrame.

    Parameters
    ----------
    estimator : NoiseRobustClassifier
        A fitted classifier.
    y : array-like of shape (n_samples,)
        The labels the estimator was fitted on.
    index : array-like of shape (n_samples,), default=None
        Row labels of the training samples; ``None`` takes ``y.index`` for a
        pandas Series and numbers the rows from 0 otherwise.
    only_issues : bool, default=True
        Keep only the samples flagged in ``label_issues_``.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``given_label``, ``suggested_label``, ``label_quality`` and
        ``is_label_issue``, sorted from the most suspicious label (lowest
        quality) up, indexed by ``index``.

    Examples
    --------
    >>> import numpy as np
    >>> from noisy_sklearn import NoiseRobustClassifier, label_issues_table
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(60, 2) - 2, rng.randn(60, 2) + 2]
    >>> y = np.repeat(["a", "b"], 60)
    >>> y[:3] = "b"  # three wrong labels
    >>> clf = NoiseRobustClassifier(random_state=0).fit(X, y)
    >>> table = label_issues_table(clf, y)
    >>> set(table.index) <= {0, 1, 2}
    True
    >>> table.columns.tolist()
    ['given_label', 'suggested_label', 'label_quality', 'is_label_issue']
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "label_issues_table needs pandas: pip install noisy_sklearn[pandas]"
        ) from exc
    check_is_fitted(estimator, "label_issues_")
    n_samples = estimator.label_issues_.shape[0]
    if index is None:
        index = y.index if hasattr(y, "index") else np.arange(n_samples)
    given = np.asarray(y)
    for name, values in (("y", given), ("index", np.asarray(index))):
        if values.shape[0] != n_samples:
            raise ValueError(
                f"{name} has {values.shape[0]} entries but the estimator was "
                f"fitted on {n_samples} samples."
            )
    table = pd.DataFrame(
        {
            "given_label": given,
            "suggested_label": estimator.suggested_labels_,
            "label_quality": estimator.label_quality_,
            "is_label_issue": estimator.label_issues_,
        },
        index=pd.Index(index, name="index"),
    )
    if only_issues:
        table = table[table["is_label_issue"]]
    return table.sort_values("label_quality", kind="stable")
