"""
=======================================
How each strategy copes with more noise
=======================================

Train the same classifier through every strategy of
:class:`~noisy_sklearn.NoiseRobustClassifier` while the fraction of wrong
training labels grows from none to more than half, and measure accuracy on
clean test labels. ``strategy="none"`` is the wrapped classifier trained on
the noisy labels as they are.
"""

# %%
# The experiment
# --------------
# Symmetric noise on the digits data set (10 classes), two independent noise
# draws per noise rate. A wrong label is equally likely to be any other digit,
# so even at 60% noise the right digit remains the single most frequent label
# of its class and the noise stays identifiable.
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from noisy_sklearn import (
    NoiseRobustClassifier,
    make_noisy_labels,
    make_transition_matrix,
)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
strategies = ["none", "prune_reweight", "prune", "reweight", "relabel", "correct"]
noise_rates = [0.0, 0.15, 0.3, 0.45, 0.6]
n_draws = 2

accuracy = np.zeros((len(strategies), len(noise_rates), n_draws))
fallbacks = 0
for j, rate in enumerate(noise_rates):
    T = make_transition_matrix(10, rate)
    for seed in range(n_draws):
        y_noisy = make_noisy_labels(y_train, T, random_state=seed)
        for i, strategy in enumerate(strategies):
            with warnings.catch_warnings():
                # A fallback to "none" is counted below rather than printed.
                warnings.simplefilter("ignore", UserWarning)
                clf = NoiseRobustClassifier(
                    model, strategy=strategy, random_state=seed
                ).fit(X_train, y_noisy)
            fallbacks += clf.strategy_ != strategy
            accuracy[i, j, seed] = clf.score(X_test, y_test)
print(f"Fits that fell back to strategy='none': {fallbacks}")

# %%
# Accuracy against noise rate
# ---------------------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 5))
for i, strategy in enumerate(strategies):
    mean = accuracy[i].mean(axis=1)
    style = {"color": "black", "linestyle": "--"} if strategy == "none" else {}
    ax.plot(noise_rates, mean, marker="o", label=strategy, **style)
ax.set(
    xlabel="Fraction of wrong training labels",
    ylabel="Accuracy on clean test labels",
    title="Digits, symmetric noise, logistic regression",
)
ax.legend(title="strategy")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# The gain over the baseline
# --------------------------
# The difference with ``"none"`` at each noise rate, averaged over the draws.
gain = accuracy.mean(axis=2) - accuracy[0].mean(axis=1)
header = "strategy  " + "".join(f"{rate:>7.2f}" for rate in noise_rates)
print(header)
for strategy, row in zip(strategies[1:], gain[1:], strict=True):
    print(f"{strategy:<10}" + "".join(f"{value:>+7.3f}" for value in row))

# %%
# Without noise, the strategies cost little or nothing: the few correct but
# atypical samples they flag or down-weight hardly matter. As the noise grows,
# pruning gains the most, re-weighting levels off, and ``"correct"`` barely
# moves: under symmetric noise the most probable noisy class is also the most
# probable clean one, so mapping probabilities back through T can change a
# prediction only through the small asymmetries of the *estimated* T.
#
# These curves are for one data set, one model and one kind of noise; the
# benchmarks page compares the strategies more widely.
