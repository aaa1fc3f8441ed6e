"""Helpers shared by the benchmark scripts."""

import os
import platform
import subprocess
from pathlib import Path

import joblib
import numpy as np
import sklearn

import noisy_sklearn


def git_revision():
    """Commit of the repository, ``+dirty`` if noisy_sklearn/ has local edits."""
    repo = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "noisy_sklearn"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if status else "")


def versions():
    versions = {
        "git": git_revision(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "noisy_sklearn": noisy_sklearn.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    try:
        import cleanlab

        versions["cleanlab"] = cleanlab.__version__
    except ImportError:
        versions["cleanlab"] = None
    return versions


def cleanlab_available():
    """Whether ``cleanlab.classification.CleanLearning`` can be imported.

    Returns
    -------
    available : bool
    """
    try:
        from cleanlab.classification import CleanLearning  # noqa: F401
    except ImportError:
        return False
    return True
