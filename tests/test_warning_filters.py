"""The suite fails on deprecations met in noisy_sklearn's own code.

setup.cfg turns DeprecationWarning and FutureWarning into errors when Python
attributes them to a ``noisy_sklearn`` module, which is where numpy, pandas,
scipy and the standard library point their deprecations (``stacklevel=2``:
the line that called the deprecated API).
"""

import warnings

import numpy as np
import pytest
from conftest import record_user_warnings

import noisy_sklearn._fit_inputs
from noisy_sklearn import NoiseRobustClassifier

X = np.r_[np.zeros((6, 1)), np.ones((6, 1))]
Y = np.r_[np.zeros(6), np.ones(6)]


def _deprecated_for_the_caller(function, category):
    """``function``, warning like a dependency's deprecated API does."""

    def deprecated(*args, **kwargs):
        warnings.warn("this API is deprecated", category, stacklevel=2)
        return function(*args, **kwargs)

    return deprecated


@pytest.mark.parametrize("category", [DeprecationWarning, FutureWarning])
def test_a_deprecation_met_in_package_code_fails_the_test(monkeypatch, category):
    # check_array is scikit-learn's; NoiseRobustClassifier.fit calls it (in
    # the input checks of _fit_inputs).
    deprecated = _deprecated_for_the_caller(
        noisy_sklearn._fit_inputs.check_array, category
    )
    monkeypatch.setattr(noisy_sklearn._fit_inputs, "check_array", deprecated)
    with pytest.raises(category, match="this API is deprecated"):
        NoiseRobustClassifier(cv=3).fit(X, Y)


def test_recording_user_warnings_keeps_deprecations_as_errors(monkeypatch):
    # pytest.warns would record the deprecation instead (it sets "always").
    deprecated = _deprecated_for_the_caller(
        noisy_sklearn._fit_inputs.check_array, DeprecationWarning
    )
    monkeypatch.setattr(noisy_sklearn._fit_inputs, "check_array", deprecated)
    with pytest.raises(DeprecationWarning):
        record_user_warnings(lambda: NoiseRobustClassifier(cv=3).fit(X, Y))
