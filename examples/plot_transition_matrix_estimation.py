"""
=========================================================
Estimated against true transition matrix
=========================================================

How close does the estimated noise model come to the real one? This example
corrupts the digits labels with uneven, class-dependent noise, computes
out-of-fold probabilities once, estimates the transition matrix
``T[i, j] = P(given label j | true label i)`` with both available methods,
and draws the estimates next to the truth with
:class:`~noisy_sklearn.TransitionMatrixDisplay`.
"""

# %%
# Uneven, class-dependent noise
# -----------------------------
# ``kind="random"`` gives every class its own flip rate (around the mean of
# 0.3) and sends its wrong labels to a random subset of the other classes.
from sklearn.datasets import load_digits

from noisy_sklearn import make_noisy_labels, make_transition_matrix

X, y = load_digits(return_X_y=True)
T_true = make_transition_matrix(10, 0.3, kind="random", random_state=0)
y_noisy = make_noisy_labels(y, T_true, random_state=0)

# %%
# Out-of-fold probabilities
# -------------------------
# The estimate must use probabilities of samples the model did not train on:
# in-sample probabilities have partly memorised the wrong labels and make the
# noise look smaller than it is.
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
cv = StratifiedKFold(5, shuffle=True, random_state=0)
pred_proba = cross_val_predict(model, X, y_noisy, cv=cv, method="predict_proba")

# %%
# Truth and two estimates, side by side
# -------------------------------------
# :meth:`~noisy_sklearn.TransitionMatrixDisplay.from_predictions` estimates T
# and draws it. All three panels share the colour scale [0, 1].
import matplotlib.pyplot as plt
import numpy as np

from noisy_sklearn import TransitionMatrixDisplay, estimate_transition_matrix

fig, axes = plt.subplots(1, 3, figsize=(15, 5.2), layout="constrained")
TransitionMatrixDisplay(T_true).plot(
    ax=axes[0], values_format=".1f", colorbar=False, title="True T"
)
estimates = {}
for ax, method in zip(axes[1:], ["confident_joint", "anchor"], strict=True):
    display = TransitionMatrixDisplay.from_predictions(
        y_noisy,
        pred_proba,
        method=method,
        ax=ax,
        values_format=".1f",
        colorbar=False,
        title=f"Estimated, method={method!r}",
    )
    estimates[method] = display.transition_matrix
fig.colorbar(display.im_, ax=axes, shrink=0.9, label="P(given | true)")
plt.show()

# %%
# Entry by entry
# --------------
# Each point is one cell of T: its true value against its estimate. Points on
# the dashed line are exact. The printed mean absolute error summarises the
# distance between each estimate and the truth.
for method, T_hat in estimates.items():
    error = np.abs(T_hat - T_true).mean()
    flip_error = np.abs(np.diag(T_hat) - np.diag(T_true)).mean()
    print(f"{method:>15}: mean |error| {error:.3f}, on the diagonal {flip_error:.3f}")

fig, ax = plt.subplots(figsize=(5.5, 5))
for method, T_hat in estimates.items():
    ax.scatter(T_true.ravel(), T_hat.ravel(), s=14, alpha=0.7, label=method)
ax.plot([0, 1], [0, 1], linestyle="--", color="gray")
ax.set(
    xlabel="True T[i, j]",
    ylabel="Estimated T[i, j]",
    title="Every cell of T",
    aspect="equal",
)
ax.legend()
plt.show()

# %%
# The same estimate inside the classifier
# ---------------------------------------
# :class:`~noisy_sklearn.NoiseRobustClassifier` makes this estimate during
# ``fit`` (``transition_method`` chooses the method) and exposes it as
# ``transition_matrix_``. Given the same folds, it finds the same matrix as
# :func:`~noisy_sklearn.estimate_transition_matrix`, which returns the array
# without drawing it.
from noisy_sklearn import NoiseRobustClassifier

clf = NoiseRobustClassifier(model, cv=cv).fit(X, y_noisy)
T_hat = estimate_transition_matrix(y_noisy, pred_proba)
print("Same matrix:", np.allclose(clf.transition_matrix_, T_hat))
