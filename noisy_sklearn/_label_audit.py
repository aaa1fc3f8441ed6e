"""What the classifier learnt about each training label, and when it gives up."""

import warnings

import numpy as np

from ._issues import keep_minimum_per_class, label_error_posterior
from ._strategies import most_likely_errors

# Minimum weight of every given class that pruning or relabelling leaves in place.
MIN_KEEP_PER_CLASS = 2


class LabelAudit:
    """Given labels and their clean posteriors, solved on first use.

    The audit (flags, quality scores, suggested labels) reads the labels
    through the noise model's ``audit_matrix``; the strategies act with its
    ``transition_matrix``. The two differ only for ``transition_method="em"``.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Given labels, encoded.
    noise : NoiseModel
        Solves the clean posteriors from the out-of-fold probabilities.
    proba : ndarray of shape (n_samples, n_classes), default=None
        The clean posterior when it is already known (out-of-fold
        probabilities of fold models trained without the flagged samples);
        then used for both.
    """

    def __init__(self, y_encoded, noise, proba=None):
        self.y_encoded = y_encoded
        self._noise = noise
        self._proba = proba

    @property
    def transition_matrix(self):
        """The T that the audit reads the labels with."""
        return self._noise.audit_matrix

    def clean_proba(self):
        """The clean posterior of the training samples, for the audit."""
        if self._proba is not None:
            return self._proba
        return self._noise.audit_clean_proba

    def error_proba(self):
        """Probability that each given label is wrong, read through the audit.

        With the maximum-likelihood T, read block by block from the prior
        that estimate holds (grouped by given label already), so that no
        second n x K posterior is made; otherwise from the audit's clean
        posterior, which the strategies then reuse.
        """
        prior = self._noise.starting_prior
        if self._proba is not None or prior is None:
            # Known, or solved once for the audit and the strategies alike
            # (the same T when it was not estimated by maximum likelihood).
            return label_error_posterior(
                self.y_encoded, self.clean_proba(), self.transition_matrix
            )
        error = np.empty(self.y_encoded.shape[0])
        for rows, j, block in prior.label_blocks():
            given = np.full(rows.shape[0], j)
            error[rows] = label_error_posterior(given, block, self.transition_matrix)
        return error

    def strategy_clean_proba(self):
        """The clean posterior of the training samples, for the strategies."""
        if self._proba is not None:
            return self._proba
        return self._noise.clean_proba


class LabelAuditMixin:
    """The label audit of :class:`NoiseRobustClassifier`: flags, quality, fallback.

    ``label_quality_`` and ``suggested_labels_`` need the clean posterior of
    every training sample, an optimisation per row; they are computed when
    first read rather than in every ``fit``.
    """

    def _set_label_audit(self, y_encoded, pred_proba, audit, issues, weights):
        """Record the flags; the quality scores and suggested labels follow."""
        issues, restored = keep_minimum_per_class(
            issues, y_encoded, pred_proba, weights, MIN_KEEP_PER_CLASS
        )
        if restored.size:
            warnings.warn(
                f"Flagging would have left fewer than {MIN_KEEP_PER_CLASS} samples "
                f"of class(es) {self.classes_[restored].tolist()}; the flagged "
                "samples most like those classes were kept. Check these classes' "
                "labels, or collect more samples of them.",
                UserWarning,
                stacklevel=4,
            )
        self.label_issues_ = issues
        self._label_audit = audit

    def _pruned_samples(self, y_encoded, pred_proba, error, weights):
        """The samples pruning drops: the flagged ones, and more.

        In each class, also the most likely wrong up to its expected number
        of wrong labels (:func:`~noisy_sklearn._strategies.most_likely_errors`).
        Where that would leave a class less than ``MIN_KEEP_PER_CLASS`` of
        weight, only those extra samples are given back (the flags alone
        leave it, see :meth:`_set_label_audit`).

        ``None`` when ``error`` (the label-error probabilities) is ``None``,
        as for every strategy that does not prune.
        """
        if error is None:
            return None
        flagged = self.label_issues_
        extra = most_likely_errors(y_encoded, error, weights) & ~flagged
        # Flagged samples weigh nothing here: neither kept nor given back.
        extra = keep_minimum_per_class(
            extra,
            y_encoded,
            pred_proba,
            np.where(flagged, 0.0, weights),
            MIN_KEEP_PER_CLASS,
        )[0]
        return flagged | extra

    @property
    def label_quality_(self):
        """Probability that each given label is right (see the class docstring)."""
        audit = self._fitted_audit("label_quality_")
        return 1.0 - label_error_posterior(
            audit.y_encoded, audit.clean_proba(), audit.transition_matrix
        )

    @property
    def suggested_labels_(self):
        """Most likely true label of each training sample (see the class docstring)."""
        audit = self._fitted_audit("suggested_labels_")
        return self.classes_[np.argmax(audit.clean_proba(), axis=1)]

    def _fitted_audit(self, name):
        # AttributeError (not NotFittedError) before fit, as for any attribute.
        audit = self.__dict__.get("_label_audit")
        if audit is None:
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r} "
                "(it is set by fit)."
            )
        return audit

    def _choose_strategy(self, noise, known):
        if self.strategy == "none" or known:
            return self.strategy
        problem = noise.identifiability_problem()
        if problem is not None:
            warnings.warn(
                f"The estimated transition matrix is not usable: {problem} "
                "(classes numbered in classes_ order). The label noise is not "
                "identifiable from these data, so acting on it could do harm. "
                "Falling back to strategy='none' (the given labels). Pass a known "
                "transition_matrix, or use a better-calibrated estimator.",
                UserWarning,
                stacklevel=4,
            )
            return "none"
        return self.strategy
