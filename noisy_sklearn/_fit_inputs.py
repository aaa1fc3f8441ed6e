"""Input handling of NoiseRobustClassifier: X, routed parameters, a known T."""

from sklearn.utils import Bunch, get_tags
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    check_array,
)

from ._validation import check_invertible, check_transition_matrix


class FitInputsMixin:
    """Input checks made before any model is touched, and progress messages.

    Expects ``_base_estimator()``, ``transition_matrix``, ``strategy`` and
    ``verbose`` on the estimator.
    """

    def _check_X(self, X, *, reset):
        """Check the shape of X and record its features; return X for the model.

        A dataframe is handed on as it is (a ColumnTransformer needs its
        columns); other array-likes are handed on as validated arrays.
        """
        _check_feature_names(self, X, reset=reset)
        tags = get_tags(self._base_estimator())
        if not tags.input_tags.two_d_array:
            return X
        X_checked = check_array(
            X,
            accept_sparse=["csr", "csc"],
            ensure_all_finite=False,
            dtype=None,
            estimator=self,
        )
        _check_n_features(self, X_checked, reset=reset)
        return X if hasattr(X, "columns") else X_checked

    def _route(self, sample_weight, fit_params):
        """Split the fit parameters between the estimator and the splitter."""
        if _routing_enabled():
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
        else:
            routed = Bunch(estimator=Bunch(fit=fit_params), splitter=Bunch(split={}))
        # Weights are ours to apply (they change per strategy), never forwarded.
        estimator_params = {
            key: value
            for key, value in routed.estimator.fit.items()
            if key != "sample_weight"
        }
        return estimator_params, routed.splitter.split

    def _known_transition_matrix(self, n_classes):
        if self.transition_matrix is None:
            return None
        T = check_transition_matrix(self.transition_matrix, n_classes)
        if self.strategy in ("reweight", "relabel", "correct"):
            check_invertible(T)
        return T

    def _log(self, level, message):
        if self.verbose >= level:
            print(f"[NoiseRobustClassifier] {message}")
