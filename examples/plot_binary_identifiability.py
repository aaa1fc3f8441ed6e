"""
==================================================
When the noise cannot be estimated: binary labels
==================================================

With two classes and symmetric noise at rate ``r``, the noisy posterior is
``(1 - 2r) p + r``: as ``r`` approaches 0.5 the labels carry less and less
information, and the transition matrix estimated from them loses its
diagonal dominance. Acting on such an estimate could do harm, so
:class:`~noisy_sklearn.NoiseRobustClassifier` then warns and falls back to
``strategy="none"``, training on the labels as given. This example shows
where that happens on the breast cancer data set.
"""

# %%
# Fit at growing noise rates
# --------------------------
# ``strategy_`` records the strategy that was actually applied.
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from noisy_sklearn import (
    NoiseRobustClassifier,
    make_noisy_labels,
    make_transition_matrix,
)

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
noise_rates = [0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45]
rows = []
for rate in noise_rates:
    y_noisy = make_noisy_labels(
        y_train, make_transition_matrix(2, rate), random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        clf = NoiseRobustClassifier(model, random_state=0).fit(X_train, y_noisy)
    baseline = model.fit(X_train, y_noisy).score(X_test, y_test)
    T = clf.transition_matrix_
    rows.append(
        (
            rate,
            T[0, 0],
            T[1, 1],
            clf.strategy_,
            len(caught),
            baseline,
            clf.score(X_test, y_test),
        )
    )
    print(
        f"r={rate:.2f}  estimated diag(T)=({T[0, 0]:.2f}, {T[1, 1]:.2f})  "
        f"strategy_={clf.strategy_!r:8}  baseline {baseline:.3f}  "
        f"robust {clf.score(X_test, y_test):.3f}"
    )

# %%
# The estimated diagonal and the accuracy
# ---------------------------------------
# Left: the true and estimated probabilities that a label is kept, per
# class. Right: accuracy on clean test labels. Points where the classifier
# fell back to ``"none"`` are marked with a cross.
import matplotlib.pyplot as plt

rate, t00, t11, applied, _, baseline, robust = (
    np.array(c) for c in zip(*rows, strict=True)
)
fell_back = applied == "none"

fig, (ax_t, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
ax_t.plot(rate, 1 - rate, color="black", linestyle="--", label="true 1 - r")
ax_t.plot(rate, t00, marker="o", label="estimated T[0, 0]")
ax_t.plot(rate, t11, marker="o", label="estimated T[1, 1]")
ax_t.axhline(0.5, color="gray", linewidth=0.8)
ax_t.set(xlabel="Noise rate r", ylabel="P(label kept)", title="Diagonal of T")
ax_t.legend()

ax_acc.plot(rate, baseline, color="black", linestyle="--", label="baseline")
ax_acc.plot(rate, robust, marker="o", label="NoiseRobustClassifier")
ax_acc.scatter(
    rate[fell_back],
    robust[fell_back],
    marker="x",
    s=120,
    color="red",
    label="fell back to 'none'",
    zorder=3,
)
ax_acc.set(
    xlabel="Noise rate r",
    ylabel="Accuracy on clean test labels",
    title="Breast cancer, symmetric binary noise",
)
ax_acc.legend()
fig.tight_layout()
plt.show()

# %%
# What to do near the limit
# -------------------------
# If the noise rate is known from elsewhere, pass it as
# ``transition_matrix=make_transition_matrix(2, r)``: a given T is used as it
# is, without the fallback. Otherwise more data, a better-calibrated model or
# cleaner labels for part of the data set are the ways out; no method can
# recover a noise model that the data do not determine.
