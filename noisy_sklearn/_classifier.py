"""NoiseRobustClassifier: the meta-estimator that glues the steps together."""

import time
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import check_cv
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
)

from ._final import FoldEnsemble, ScoreCalibrator, fit_final_models
from ._fit_inputs import FitInputsMixin
from ._issues import (
    flag_by_posterior,
    flag_disagreements_by_posterior,
)
from ._label_audit import LabelAudit, LabelAuditMixin
from ._noise_model import fit_noise_model
from ._oof import (
    align_columns,
    make_splits,
    method_output,
    out_of_fold_scores,
    seeded_clone,
    warn_if_rows_leak,
    weight_parameters,
)
from ._posterior import clean_posterior, corrected_argmax
from ._strategies import COMBINED, STRATEGIES, plan_final_fit, prune_weights
from ._validation import (
    as_python_scalar,
    check_classifier,
    check_labels,
    check_weights,
)


def _default_estimator():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _estimator_has(attr):
    def check(self):
        estimator = (
            self.estimator if self.estimator is not None else _default_estimator()
        )
        return hasattr(estimator, attr)

    return check


class NoiseRobustClassifier(
    FitInputsMixin, LabelAuditMixin, ClassifierMixin, MetaEstimatorMixin, BaseEstimator
):
    """Train any classifier through label noise, with an estimated noise model.

    Out-of-fold probabilities of the wrapped classifier give the noise
    transition matrix ``T[i, j] = P(given label j | true label i)`` (by
    maximum likelihood from the confident joint unless T is known), flag the
    probably mislabelled samples, and drive one of several ways of handling
    the noise before the final fit.

    Parameters
    ----------
    estimator : classifier, default=None
        The classifier to make robust; cloned, never modified. ``None`` means
        ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``.
        A classifier without ``predict_proba`` gets probabilities by
        temperature scaling of its ``decision_function``, fitted on the
        out-of-fold decision values.
    strategy : {"prune_reweight", "prune", "reweight", "relabel", "correct", \
            "none"}, default="prune_reweight"
        - ``"prune_reweight"``: fit both the ``"prune"`` and the
          ``"reweight"`` final models and average their probabilities (two
          final fits; on the accuracy benchmark it closes more of the gap than
          either alone).
        - ``"prune"``: drop the flagged samples and, in each given class,
          the next most likely wrong up to the number of wrong labels it is
          expected to hold (the sum of its label-error probabilities,
          ``1 - label_quality_``), and refit; the kept samples of class k
          are weighted by ``1 / T[k, k]`` to undo the shift of priors.
        - ``"reweight"``: refit with importance weights ``P(true = given | x) /
          P(given | x)``.
        - ``"relabel"``: replace flagged labels by the most likely true class
          given x and the label, and refit.
        - ``"correct"``: fit on the given labels; at predict time map the
          noisy posterior back to the clean one through T.
        - ``"none"``: fit on the given labels (a baseline for model selection).
    cv : int, cross-validation generator or iterable, default=5
        Splits for the out-of-fold probabilities. An int gives
        ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``. The
        test folds must partition the samples.
    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        A known noise model, in ``classes_`` order (sorted labels); used as
        is. ``None`` estimates it.
    transition_method : {"em", "confident_joint", "anchor"}, default="em"
        How T is estimated when it is not given, see
        :func:`estimate_transition_matrix`. ``"em"`` refines the confident
        joint by maximum likelihood and keeps symmetric noise unless the data
        reject it; ``"confident_joint"`` is the count alone (cheaper at
        millions of rows, less accurate).
    cleaning_rounds : int, default=1
        Rounds of label checking. Round 1 flags labels with the out-of-fold
        probabilities of models trained on the given labels; each further
        round refits the fold models without the samples flagged so far,
        which estimates the clean posterior directly, and flags again. Each
        extra round costs one more fit per fold.
    ensemble : bool, default=False
        Skip the final fit and predict with the average of the fold models.
        Only for ``strategy="correct"`` or ``"none"``, whose final model
        would be trained on the same labels and weights as the fold models:
        it saves one fit of the full data (a fifth of the model time with
        ``cv=5``), at the price of keeping ``cv`` models.
    n_jobs : int, default=None
        Number of joblib workers for the fold fits and the two final fits of
        ``"prune_reweight"`` (``None`` means 1 unless in a
        :func:`joblib.parallel_config` context, whose backend is used).
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the wrapped estimator's unset ``random_state`` and
        weighted resampling. An int makes ``fit`` deterministic.
    verbose : int, default=0
        1 reports each stage; 2 also each fold.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, from the full training labels.
    estimator_ : classifier
        The final fitted classifier (trained on encoded labels ``0..K-1``);
        with ``ensemble=True`` the average of the fold models, with
        ``"prune_reweight"`` the average of its two final models.
    transition_matrix_ : ndarray of shape (n_classes, n_classes)
        ``T[i, j] = P(given label j | true label i)`` in ``classes_`` order.
    noise_joint_ : ndarray of shape (n_classes, n_classes)
        ``P(given label k, true label j)``: rows given, columns true.
    class_prior_ : ndarray of shape (n_classes,)
        Estimated prior of the true classes.
    noise_rate_ : float
        Estimated fraction of wrong labels (weighted).
    label_issues_ : ndarray of shape (n_samples,), dtype=bool
        Training samples flagged as probably mislabelled: those more likely
        wrong than right (``label_quality_ < 0.5``) that the model predicts
        as another class.
    label_quality_ : ndarray of shape (n_samples,)
        Probability that each given label is right, given the sample's
        features and its label (Bayes' rule with T); lower = more suspicious.
        With ``transition_method="em"`` the audit (this, ``label_issues_``
        and ``suggested_labels_``) uses the confident-joint T that maximum
        likelihood starts from: its bias towards more noise finds more of the
        wrong labels (see the user guide).
    suggested_labels_ : ndarray of shape (n_samples,)
        Most likely true label of each training sample from its features: the
        argmax of the out-of-fold posterior mapped back through T.
    oof_pred_proba_ : ndarray of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities of the given labels.
    sample_weight_ : ndarray of shape (n_samples,)
        Weights of the final fit (0 for samples left out); for
        ``"prune_reweight"``, the mean of its two fits' weights.
    strategy_ : str
        The strategy applied; ``"none"`` when the estimated noise was found
        unidentifiable and the classifier fell back (with a warning).
    fold_fit_times_ : list of float
        Seconds spent in each fold's fit and prediction (all rounds).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    estimate_transition_matrix : T from out-of-fold probabilities.
    find_label_issues : The flags behind ``label_issues_``.

    References
    ----------
    .. [1] C. Northcutt, L. Jiang, I. Chuang. "Confident Learning: Estimating
       Uncertainty in Dataset Labels". JAIR 70, 2021.
    .. [2] T. Liu, D. Tao. "Classification with Noisy Labels by Importance
       Reweighting". IEEE TPAMI 38(3), 2016.
    .. [3] G. Patrini et al. "Making Deep Neural Networks Robust to Label
       Noise: a Loss Correction Approach". CVPR 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from noisy_sklearn import (NoiseRobustClassifier, make_noisy_labels,
    ...                            make_transition_matrix)
    >>> X, y = load_digits(return_X_y=True)
    >>> T = make_transition_matrix(10, 0.3)
    >>> y_noisy = make_noisy_labels(y, T, random_state=0)
    >>> clf = NoiseRobustClassifier(random_state=0).fit(X, y_noisy)
    >>> clf.transition_matrix_.shape
    (10, 10)
    >>> bool(clf.label_issues_.sum() > 0)
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit"]), None],
        "strategy": [StrOptions(set(STRATEGIES))],
        "cv": ["cv_object"],
        "transition_matrix": ["array-like", None],
        "transition_method": [StrOptions({"em", "confident_joint", "anchor"})],
        "cleaning_rounds": [Interval(Integral, 1, None, closed="left")],
        "ensemble": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        strategy="prune_reweight",
        cv=5,
        transition_matrix=None,
        transition_method="em",
        cleaning_rounds=1,
        ensemble=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.strategy = strategy
        self.cv = cv
        self.transition_matrix = transition_matrix
        self.transition_method = transition_method
        self.cleaning_rounds = cleaning_rounds
        self.ensemble = ensemble
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _base_estimator(self):
        return self.estimator if self.estimator is not None else _default_estimator()

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Estimate the label noise and fit the final classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, in any form the wrapped estimator accepts.
        y : array-like of shape (n_samples,)
            Given (possibly wrong) labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used in the fold fits, the noise counts and the
            final fit (by weighted resampling if the estimator takes none).
        **fit_params : dict
            Parameters for the estimator's ``fit``; with metadata routing
            enabled, also ``groups`` and the like for the splitter.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        X = self._check_X(X, reset=True)
        y_encoded, classes = check_labels(y)
        check_consistent_length(X, y_encoded)
        if classes.shape[0] < 2:
            raise ValueError(
                "NoiseRobustClassifier needs samples of at least 2 classes; "
                f"y has only one class: {as_python_scalar(classes[0])!r}."
            )
        n_classes = classes.shape[0]
        if self.ensemble and self.strategy not in ("correct", "none"):
            raise ValueError(
                "ensemble=True predicts with the fold models, which are trained "
                "on the given labels: it needs strategy='correct' or 'none', got "
                f"strategy={self.strategy!r}. Use ensemble=False to refit."
            )
        # The known T and the estimator are checked before any fold is fitted.
        known_T = self._known_transition_matrix(n_classes)
        rng = check_random_state(self.random_state)
        estimator = seeded_clone(self._base_estimator(), rng, self.random_state)
        check_classifier(estimator)
        weights = check_weights(sample_weight, y_encoded.shape[0])
        self.classes_ = classes
        warn_if_rows_leak(X, self.cv)
        estimator_params, split_params = self._route(sample_weight, fit_params)
        splits = make_splits(
            self.cv, X, y_encoded, self.classes_, rng.randint(2**31 - 1), split_params
        )
        weight_params = weight_parameters(estimator)
        oof = partial(
            self._out_of_fold_proba,
            estimator,
            X,
            y_encoded,
            splits,
            weight_params=weight_params,
            fit_params=estimator_params,
            rng=rng,
        )
        self.calibrator_ = None
        self.fold_fit_times_ = []
        pred_proba, fold_models = oof(weights, keep_estimators=self.ensemble)
        if self.cleaning_rounds == 1:
            # The fold indices (cv x n_samples integers) are not needed again.
            oof = splits = None
        self.oof_pred_proba_ = pred_proba
        noise = fit_noise_model(
            y_encoded, pred_proba, weights, known_T, self.transition_method
        )
        self.transition_matrix_ = noise.transition_matrix
        self.noise_joint_ = noise.joint
        self.class_prior_ = noise.class_prior
        self.noise_rate_ = noise.noise_rate
        self.strategy_ = self._choose_strategy(noise, known_T is not None)
        # The clean posterior of every sample is costly (an optimisation per
        # row); only reweighting and the label audit need it, so it is solved
        # on first use. The flags only need the samples the model disputes.
        audit = LabelAudit(y_encoded, noise)
        issues = flag_disagreements_by_posterior(
            y_encoded,
            pred_proba,
            noise.audit_matrix,
            loose_posterior=noise.audit_clean_rows,
        )
        strategies = COMBINED.get(self.strategy_, (self.strategy_,))
        prunes = "prune" in strategies
        error = audit.error_proba() if prunes and self.cleaning_rounds == 1 else None
        # The estimate's prior (n x K) has served the flags: free it.
        noise.forget_clean_proba()
        for round_ in range(2, self.cleaning_rounds + 1):
            if self.strategy_ == "none":
                break
            # Fold models trained without the flagged samples estimate the
            # clean posterior directly; flag again with it.
            self._log(
                1,
                f"cleaning round {round_}: refitting the folds without "
                f"{int(issues.sum())} flagged samples",
            )
            kept_weights = prune_weights(
                y_encoded, noise.transition_matrix, issues, weights
            )
            round_proba, _ = oof(kept_weights)
            audit = LabelAudit(y_encoded, noise, round_proba)
            issues = flag_by_posterior(
                y_encoded, round_proba, round_proba, noise.audit_matrix
            )
        if prunes and self.cleaning_rounds > 1:
            error = audit.error_proba()  # through the last round's posterior
        self._set_label_audit(y_encoded, pred_proba, audit, issues, weights)
        pruned = self._pruned_samples(y_encoded, pred_proba, error, weights)
        plans = [
            plan_final_fit(
                strategy,
                y_encoded,
                pred_proba,
                audit.strategy_clean_proba,
                self.transition_matrix_,
                self.label_issues_,
                weights,
                pruned,
            )
            for strategy in strategies
        ]
        # The strategies' clean posteriors (n x K) are not needed any more:
        # free them before the final fits.
        noise.forget_clean_proba()
        self.sample_weight_ = sum(plan.sample_weight for plan in plans) / len(plans)
        self._log(
            1,
            f"strategy {self.strategy_!r}: {len(plans)} final fit(s) on "
            f"{int(np.count_nonzero(self.sample_weight_))} of "
            f"{y_encoded.shape[0]} samples "
            f"({int(self.label_issues_.sum())} flagged as label issues)",
        )
        if self.ensemble:
            self._log(
                1, f"no final fit: predicting with the {len(fold_models)} fold models"
            )
            self.estimator_ = FoldEnsemble(fold_models, n_classes)
            return self
        self.estimator_ = fit_final_models(
            estimator,
            X,
            plans,
            n_classes,
            weight_params=weight_params,
            rng=rng,
            fit_params=estimator_params,
            context=f"strategy {self.strategy_!r}",
            n_jobs=self.n_jobs,
        )
        return self

    def _out_of_fold_proba(
        self,
        estimator,
        X,
        y_encoded,
        splits,
        weights,
        *,
        weight_params,
        fit_params,
        rng,
        keep_estimators=False,
    ):
        """Out-of-fold probabilities of fold models fitted with ``weights``.

        Returns the probabilities and the fold models (if kept, else empty).
        """
        n_classes = self.classes_.shape[0]
        self._log(1, f"fitting {len(splits)} folds")
        started = time.perf_counter()
        scores, is_proba, fold_times, models = out_of_fold_scores(
            estimator,
            X,
            y_encoded,
            n_classes,
            splits,
            sample_weight=weights,
            weight_params=weight_params,
            seeds=rng.randint(2**31 - 1, size=len(splits)),
            fit_params=fit_params,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            keep_estimators=keep_estimators,
        )
        self.fold_fit_times_.extend(fold_times)
        self._log(
            1, f"out-of-fold probabilities in {time.perf_counter() - started:.2f}s"
        )
        if is_proba:
            # In place: at n x K, every copy counts against peak memory.
            proba = np.clip(scores, 0.0, None, out=scores)
            proba /= np.maximum(proba.sum(axis=1, keepdims=True), 1e-300)
            return proba, models
        if self.calibrator_ is None:
            self.calibrator_ = ScoreCalibrator(n_classes).fit(
                scores, y_encoded, weights
            )
        return self.calibrator_.predict_proba(scores), models

    def _noisy_proba(self, X):
        """Posterior over the given labels from the final model, in class order."""
        scores = method_output(self.estimator_, X)
        if self.calibrator_ is not None:
            return self.calibrator_.predict_proba(scores)
        return align_columns(
            scores, self.estimator_.classes_, self.classes_.shape[0], 0.0
        )

    def _check_predict_input(self, X):
        check_is_fitted(self)
        return self._check_X(X, reset=False)

    def predict_proba(self, X):
        """Class probabilities of X, in ``classes_`` order.

        With ``strategy="correct"`` the final model's noisy posterior is mapped
        back through T to the clean posterior.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._check_predict_input(X)
        proba = self._noisy_proba(X)
        if self.strategy_ == "correct":
            return clean_posterior(proba, self.transition_matrix_)
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predict class labels of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        X = self._check_predict_input(X)
        if self.strategy_ == "correct":
            noisy = self._noisy_proba(X)
            proba = clean_posterior(noisy, self.transition_matrix_)
            return self.classes_[corrected_argmax(noisy, proba)]
        return self.classes_[np.asarray(self.estimator_.predict(X), dtype=np.intp)]

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the final model, in ``classes_`` order.

        With ``strategy="correct"``, the log of the corrected probabilities
        (the log-odds of the second class for binary problems).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            1-D for binary problems, scoring ``classes_[1]``.
        """
        X = self._check_predict_input(X)
        n_classes = self.classes_.shape[0]
        if self.strategy_ == "correct":
            proba = clean_posterior(self._noisy_proba(X), self.transition_matrix_)
            with np.errstate(divide="ignore"):
                scores = np.log(proba)
        else:
            scores = self.estimator_.decision_function(X)
            if n_classes == 2:
                return scores
            scores = align_columns(scores, self.estimator_.classes_, n_classes, None)
        return scores[:, 1] - scores[:, 0] if n_classes == 2 else scores

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._base_estimator())
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.categorical = inner.input_tags.categorical
        tags.input_tags.string = inner.input_tags.string
        tags.input_tags.two_d_array = inner.input_tags.two_d_array
        tags.input_tags.pairwise = inner.input_tags.pairwise
        return tags

    def get_metadata_routing(self):
        """Routing of fit metadata to the estimator and the cv splitter.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` metadata goes to the estimator's ``fit`` and to the
            splitter's ``split`` (e.g. ``groups`` for ``GroupKFold``).
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                estimator=self._base_estimator(),
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                splitter=check_cv(self.cv, classifier=True),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )
