"""
=========================================
Labels with a known rate of uniform noise
=========================================

Sometimes the noise process is known: an annotation vendor reports that
about 30% of its labels are wrong, with no preference for any wrong class,
or the labels come from a process whose error rate was measured on a
checked sample. Then there is no need to estimate the noise: pass the
transition matrix to :class:`~noisy_sklearn.NoiseRobustClassifier` and every
strategy uses it as it is.

This example compares each strategy with an estimated and with the known
transition matrix, on the digits data set with 30% of the training labels
replaced by a wrong digit drawn uniformly.
"""

# %%
# The noise model
# ---------------
# "30% of the labels are wrong, uniformly over the other classes" is the
# symmetric transition matrix ``T = 0.7`` on the diagonal and ``0.3 / (K - 1)``
# elsewhere, which :func:`~noisy_sklearn.make_transition_matrix` builds.
#
# .. note::
#    Read the description of the noise carefully. "30% of the labels were
#    replaced by a random label" is *not* the same thing when the random
#    label may be the right one by chance: then only ``0.3 * (K - 1) / K`` of
#    the labels are wrong, and that is the rate to pass.
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from noisy_sklearn import make_noisy_labels, make_transition_matrix

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
n_classes = len(np.unique(y))
T_known = make_transition_matrix(n_classes, 0.3)
print(np.round(T_known[:3, :5], 3))

# %%
# Estimated against known noise, for every strategy
# -------------------------------------------------
# Each configuration is fitted on three independent draws of the noise, to
# show how much the result varies with the draw. Accuracy is measured on the
# clean test labels.
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from noisy_sklearn import NoiseRobustClassifier

strategies = ["none", "prune_reweight", "prune", "reweight", "relabel", "correct"]
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
accuracy = {"estimated T": [], "known T": []}
flagged = {"estimated T": [], "known T": []}
for strategy in strategies:
    for source, transition_matrix in [("estimated T", None), ("known T", T_known)]:
        scores = []
        for seed in range(3):
            y_noisy = make_noisy_labels(y_train, T_known, random_state=seed)
            clf = NoiseRobustClassifier(
                model,
                strategy=strategy,
                transition_matrix=transition_matrix,
                random_state=seed,
            ).fit(X_train, y_noisy)
            scores.append(clf.score(X_test, y_test))
            if strategy == "prune":
                truly_wrong = y_noisy != y_train
                flagged[source].append(
                    (clf.noise_rate_, clf.label_issues_[truly_wrong].mean())
                )
        accuracy[source].append((np.mean(scores), np.std(scores)))

for source, results in accuracy.items():
    means = ", ".join(
        f"{strategy} {mean:.3f}"
        for strategy, (mean, _) in zip(strategies, results, strict=True)
    )
    print(f"{source}: {means}")
for source, values in flagged.items():
    noise_rate, recall = np.mean(values, axis=0)
    print(
        f"{source}: noise rate used {noise_rate:.2f}, wrong labels flagged {recall:.0%}"
    )

# %%
# Plot the results
# ----------------
# ``"none"`` is the baseline: the wrapped classifier trained on the noisy
# labels, whatever the transition matrix.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 4.5))
positions = np.arange(len(strategies))
width = 0.38
for offset, (source, results) in zip(
    [-width / 2, width / 2], accuracy.items(), strict=True
):
    means, stds = np.array(results).T
    bars = ax.bar(positions + offset, means, width, yerr=stds, capsize=3, label=source)
    ax.bar_label(bars, fmt="%.3f", padding=3, fontsize=8)
ax.set(
    xticks=positions,
    xticklabels=strategies,
    ylim=(0.8, 1.0),
    ylabel="Accuracy on clean test labels",
    title="Digits, 30% uniformly wrong training labels",
)
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %%
# What to read in the results
# ---------------------------
# The known transition matrix is not automatically the better one. With
# ``"none"`` it plays no part, and with ``"correct"`` under symmetric noise it
# cannot change a prediction: the most probable noisy class is also the most
# probable clean one, so only the probabilities get sharper.
#
# For pruning, T sets *how many* samples of each pair of classes are dropped;
# *which* ones come from the out-of-fold probabilities. The printed lines
# above show that the confident joint estimates more noise than there is here,
# so it drops more samples and catches a larger share of the wrong labels. A
# linear model loses little by losing a few good samples and a lot by keeping
# bad ones, which is why the estimate can do as well as the truth or better.
#
# A known T is worth most where the estimate is weak: few samples per class,
# many classes, a poorly calibrated classifier, or noise close to the limit
# where it can no longer be told apart from the signal (see the user guide).
