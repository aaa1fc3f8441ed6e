"""What predicts after the folds: the final fit(s), fold ensembles, calibration."""

from functools import partial

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from ._oof import align_columns, fit_weighted


class ScoreCalibrator:
    """Turn decision values into probabilities by temperature scaling.

    ``softmax(scores / t)`` with one temperature ``t > 0`` fitted by weighted
    log-loss on out-of-fold scores, so the mapping is learnt on data the
    scoring models did not see (Guo et al., 2017). For two classes this is
    Platt's sigmoid without an intercept. One positive scale keeps the
    ranking of every row, so ``predict``, ``decision_function`` and
    ``predict_proba`` always agree on the predicted class.

    Parameters
    ----------
    n_classes : int
        Number of classes K.
    """

    def __init__(self, n_classes):
        self.n_classes = n_classes

    def fit(self, scores, y_encoded, sample_weight):
        """Fit the temperature on out-of-fold decision values.

        Parameters
        ----------
        scores : ndarray of shape (n_samples, n_classes)
            Out-of-fold decision values in class order.
        y_encoded : ndarray of shape (n_samples,)
            Given labels encoded as ``0..K-1``.
        sample_weight : ndarray of shape (n_samples,)
            Non-negative weights.

        Returns
        -------
        self : ScoreCalibrator
        """
        logits = self._logits(scores)
        rows = np.arange(y_encoded.shape[0])
        spread = np.std(logits) or 1.0

        def loss(log_temperature):
            z = logits / (spread * np.exp(log_temperature))
            log_proba = z - logsumexp(z, axis=1, keepdims=True)
            return -np.average(log_proba[rows, y_encoded], weights=sample_weight)

        result = minimize_scalar(loss, bounds=(-10.0, 10.0), method="bounded")
        self.temperature_ = float(spread * np.exp(result.x))
        return self

    def predict_proba(self, scores):
        """Probabilities in the order ``0..K-1``.

        Parameters
        ----------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision values (1-D for a binary ``decision_function``).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        z = self._logits(scores) / self.temperature_
        return np.exp(z - logsumexp(z, axis=1, keepdims=True))

    def _logits(self, scores):
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim == 1:
            return np.column_stack([-scores, scores]) / 2.0
        return scores


class FoldEnsemble:
    """The fold models, averaged, standing in for a final model.

    Outputs are aligned to the classes ``0..K-1`` (a fold model that never
    saw a class gives it probability 0, or a decision value below its
    lowest) and averaged over the folds. ``predict_proba`` and
    ``decision_function`` exist when the fold models have them.

    Parameters
    ----------
    estimators : list of fitted classifiers
        One per fold, trained on encoded labels.
    n_classes : int
        Number of classes K.
    """

    def __init__(self, estimators, n_classes):
        self.estimators = estimators
        self.n_classes = n_classes
        self.classes_ = np.arange(n_classes)

    def _average(self, method, X):
        fill = 0.0 if method == "predict_proba" else None
        total = 0.0
        for model in self.estimators:
            output = getattr(model, method)(X)
            total = total + align_columns(output, model.classes_, self.n_classes, fill)
        return total / len(self.estimators)

    def _require(self, method):
        if not hasattr(self.estimators[0], method):
            raise AttributeError(
                f"The fold models ({type(self.estimators[0]).__name__}) have no "
                f"{method}."
            )

    @property
    def predict_proba(self):
        """Averaged class probabilities, shape (n_samples, n_classes)."""
        self._require("predict_proba")
        return partial(self._average, "predict_proba")

    @property
    def decision_function(self):
        """Averaged decision values; 1-D (second class) for two classes."""
        self._require("decision_function")

        def decision_function(X):
            scores = self._average("decision_function", X)
            return scores[:, 1] - scores[:, 0] if self.n_classes == 2 else scores

        return decision_function

    def predict(self, X):
        """Encoded class with the highest averaged output."""
        if hasattr(self.estimators[0], "predict_proba"):
            return np.argmax(self._average("predict_proba", X), axis=1)
        return np.argmax(self._average("decision_function", X), axis=1)


def fit_final_models(
    estimator,
    X,
    plans,
    n_classes,
    *,
    weight_params,
    rng,
    fit_params,
    context,
    n_jobs=None,
):
    """The final fit(s): one model per plan, averaged when there are several.

    Several plans (``"prune_reweight"``) are fitted as parallel joblib tasks,
    like the folds; each fit's resampling seed is drawn before, in plan
    order, so the models do not depend on ``n_jobs``.

    Parameters
    ----------
    estimator : classifier
        Unfitted template, cloned for each plan.
    X : array-like of shape (n_samples, n_features)
        Training data.
    plans : list of FitPlan
        Labels and weights of each final fit.
    n_classes : int
        Number of classes K (the columns of an averaged model).
    weight_params : dict
        How the estimator takes sample weights (see :func:`weight_parameters`).
    rng : RandomState
        Draws each fit's resampling seed.
    fit_params : dict
        Parameters for the estimator's ``fit``.
    context : str
        Said in the note added to an error raised by the estimator.
    n_jobs : int, default=None
        Number of joblib workers for several plans; the backend is the
        caller's.

    Returns
    -------
    model : classifier
        The fitted model, or a :class:`FoldEnsemble` averaging several.
    """
    fits = [
        partial(
            _fit_final,
            estimator,
            X,
            plan,
            weight_params=weight_params,
            seed=rng.randint(2**31 - 1),
            fit_params=fit_params,
            context=context,
        )
        for plan in plans
    ]
    if len(fits) == 1:
        return fits[0]()
    models = Parallel(n_jobs=n_jobs)(delayed(fit)() for fit in fits)
    return FoldEnsemble(models, n_classes)


def _fit_final(estimator, X, plan, *, weight_params, seed, fit_params, context):
    """One final fit (runs in a worker when there are several)."""
    try:
        return fit_weighted(
            clone(estimator),
            X,
            plan.y_encoded,
            plan.sample_weight,
            weight_params=weight_params,
            seed=seed,
            fit_params=fit_params,
        )
    except Exception as exc:
        exc.add_note(
            f"Raised by {type(estimator).__name__} in the final fit of "
            f"NoiseRobustClassifier ({context}, "
            f"{int(np.count_nonzero(plan.sample_weight))} samples kept)."
        )
        raise
