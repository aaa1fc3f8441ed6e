"""
=========================================
Choosing a strategy with cross-validation
=========================================

:class:`~noisy_sklearn.NoiseRobustClassifier` is an ordinary scikit-learn
estimator, so its ``strategy`` and the hyperparameters of the classifier it
wraps can be tuned together by :class:`~sklearn.model_selection.GridSearchCV`,
inside a :class:`~sklearn.pipeline.Pipeline` with preprocessing.
"""

# %%
# Data with 25% wrong labels
# --------------------------
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from noisy_sklearn import make_noisy_labels, make_transition_matrix

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
y_noisy = make_noisy_labels(y_train, make_transition_matrix(10, 0.25), random_state=0)

# %%
# A pipeline and a grid
# ---------------------
# :func:`~sklearn.pipeline.make_pipeline` names the step after its class, so
# the parameters of the noise-robust step are reached with the prefix
# ``noiserobustclassifier__`` and those of the classifier it wraps with
# ``noiserobustclassifier__estimator__``.
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from noisy_sklearn import NoiseRobustClassifier

pipeline = make_pipeline(
    StandardScaler(),
    NoiseRobustClassifier(LogisticRegression(max_iter=1000), cv=3, random_state=0),
)
param_grid = {
    "noiserobustclassifier__strategy": [
        "none",
        "prune_reweight",
        "prune",
        "reweight",
        "relabel",
        "correct",
    ],
    "noiserobustclassifier__estimator__C": [0.01, 0.1, 1.0],
}
search = GridSearchCV(pipeline, param_grid, cv=3).fit(X_train, y_noisy)
print("Best parameters:", search.best_params_)
print(
    f"Accuracy of the best pipeline on clean test labels: "
    f"{search.score(X_test, y_test):.3f}"
)

# %%
# The scores of the whole grid
# ----------------------------
# The validation folds of the search carry the same noisy labels as the
# training folds, so ``mean_test_score`` is an accuracy against noisy labels:
# its level is lower than the clean accuracy.
import matplotlib.pyplot as plt
import pandas as pd

results = pd.DataFrame(search.cv_results_)
table = results.pivot(
    index="param_noiserobustclassifier__strategy",
    columns="param_noiserobustclassifier__estimator__C",
    values="mean_test_score",
)

fig, ax = plt.subplots(figsize=(7, 4))
for strategy, scores in table.iterrows():
    ax.plot(table.columns, scores, marker="o", label=strategy)
ax.set(
    xscale="log",
    xlabel="C of the logistic regression",
    ylabel="Mean accuracy on noisy validation labels",
    title="Grid search over strategy and regularisation",
)
ax.legend(title="strategy")
fig.tight_layout()
plt.show()

# %%
# Is accuracy on noisy labels a fair judge?
# -----------------------------------------
# Under *symmetric* noise at rate ``r`` with ``K`` classes, a classifier of
# clean accuracy ``a`` is expected to score
# ``(1 - r) a + r (1 - a) / (K - 1)`` against the noisy labels. That is an
# increasing function of ``a`` as long as ``r < (K - 1) / K``, so the ranking
# of the candidates is preserved in expectation, which is what model
# selection needs. Under uneven, class-dependent noise this no longer holds
# and noisy accuracy can prefer a model that fits the noise.
#
# :func:`noisy_sklearn.metrics.make_noise_aware_scorer` estimates the clean
# accuracy instead, by undoing the noise in the validation confusion matrix
# with each candidate's estimated T.
from noisy_sklearn.metrics import make_noise_aware_scorer

aware_search = GridSearchCV(
    pipeline, param_grid, cv=3, scoring=make_noise_aware_scorer()
).fit(X_train, y_noisy)
print("chosen with noisy accuracy:     ", search.best_params_)
print("chosen with noise-aware scoring:", aware_search.best_params_)
print(
    f"clean test accuracy: {search.score(X_test, y_test):.3f} (noisy accuracy), "
    f"{aware_search.score(X_test, y_test):.3f} (noise-aware)"
)
