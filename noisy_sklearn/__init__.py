"""Learning from noisy labels with any scikit-learn classifier.

Estimate how labels are corrupted (the noise transition matrix
``T[i, j] = P(given label j | true label i)``) from out-of-fold
probabilities, then prune, reweight, relabel or correct.
"""

from ._classifier import NoiseRobustClassifier
from ._display import LabelQualityDisplay, TransitionMatrixDisplay
from ._issues import find_label_issues, label_quality_scores
from ._report import label_issues_table
from ._simulation import make_noisy_labels, make_transition_matrix
from ._transition import estimate_transition_matrix

__version__ = "0.1.0.dev0"

__all__ = [
    "LabelQualityDisplay",
    "NoiseRobustClassifier",
    "TransitionMatrixDisplay",
    "estimate_transition_matrix",
    "find_label_issues",
    "label_issues_table",
    "label_quality_scores",
    "make_noisy_labels",
    "make_transition_matrix",
]
