"""
===========
Quick start
===========

Train a classifier on labels of which about one in five is wrong, and compare
it with the same classifier trained naively. Then look at what
:class:`~noisy_sklearn.NoiseRobustClassifier` learnt about the noise: the
transition matrix and the samples it flagged.
"""

# %%
# Corrupt the labels of the digits data set
# -----------------------------------------
# :func:`~noisy_sklearn.make_transition_matrix` builds the noise model
# ``T[i, j] = P(given label j | true label i)``; here a wrong label is equally
# likely to be any other digit. Only the training labels are corrupted: the
# test labels stay clean so that we can measure real accuracy.
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from noisy_sklearn import make_noisy_labels, make_transition_matrix

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
T_true = make_transition_matrix(10, 0.2)
y_noisy = make_noisy_labels(y_train, T_true, random_state=0)
print(f"Fraction of wrong training labels: {(y_noisy != y_train).mean():.2f}")

# %%
# Fit a baseline and a noise-robust classifier
# --------------------------------------------
# :class:`~noisy_sklearn.NoiseRobustClassifier` wraps any scikit-learn
# classifier. It estimates the noise from out-of-fold probabilities, then
# (with the default ``strategy="prune_reweight"``) refits the wrapped
# classifier twice, once without the samples it believes are mislabelled
# and once on every sample with importance weights, and averages the two.
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from noisy_sklearn import NoiseRobustClassifier

model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
baseline = model.fit(X_train, y_noisy)
robust = NoiseRobustClassifier(model, random_state=0).fit(X_train, y_noisy)

print(
    f"Baseline accuracy on clean test labels:     {baseline.score(X_test, y_test):.3f}"
)
print(f"Noise-robust accuracy on clean test labels: {robust.score(X_test, y_test):.3f}")

# %%
# What the classifier learnt about the noise
# ------------------------------------------
# ``transition_matrix_`` is the estimated noise model, in the same convention
# as the one we used to corrupt the labels: rows are the true digits, columns
# the given ones. ``noise_rate_`` is the estimated fraction of wrong labels.
print(f"Estimated noise rate: {robust.noise_rate_:.2f}")

import matplotlib.pyplot as plt

from noisy_sklearn import LabelQualityDisplay, TransitionMatrixDisplay

fig, (ax_matrix, ax_quality) = plt.subplots(1, 2, figsize=(12, 5))
TransitionMatrixDisplay.from_estimator(
    robust, ax=ax_matrix, values_format=".1f", title="Estimated transition matrix"
)
LabelQualityDisplay.from_estimator(
    robust, ax=ax_quality, title="Label quality of the training samples"
)
fig.tight_layout()
plt.show()

# %%
# How good are the flags?
# -----------------------
# Because we corrupted the labels ourselves, we know which ones are wrong and
# can score the flags in ``label_issues_``: precision is the fraction of
# flagged samples that really were mislabelled, recall the fraction of
# mislabelled samples that were flagged.
from sklearn.metrics import precision_score, recall_score

truly_wrong = y_noisy != y_train
print(f"Flagged samples: {robust.label_issues_.sum()} of {len(y_noisy)}")
print(f"Precision: {precision_score(truly_wrong, robust.label_issues_):.2f}")
print(f"Recall:    {recall_score(truly_wrong, robust.label_issues_):.2f}")
