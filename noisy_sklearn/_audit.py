"""The ``audit`` command: find the suspicious labels of a CSV or Parquet table."""

import sys
import warnings
from pathlib import Path

import numpy as np

from ._classifier import NoiseRobustClassifier
from ._report import label_issues_table

# A text column with more distinct values than this is not one-hot encoded:
# it is free text or an identifier, and must be dropped or encoded by the user.
MAX_CATEGORIES = 50
MODELS = ("logistic", "forest", "boosting")


class AuditError(Exception):
    """A problem with the audit's input that the user can fix."""


def read_table(path):
    """Read a CSV or Parquet file into a DataFrame.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (or ``.csv.gz``, ``.tsv``) or ``.parquet`` file.

    Returns
    -------
    frame : pandas.DataFrame
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise AuditError(
            "audit needs pandas: pip install noisy_sklearn[pandas]"
        ) from exc
    path = Path(path)
    if not path.is_file():
        raise AuditError(f"no such file: {path}")
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith((".parquet", ".pq")):
        try:
            return pd.read_parquet(path)
        except ImportError as exc:
            raise AuditError(
                "reading Parquet needs pyarrow: pip install noisy_sklearn[pandas]"
            ) from exc
    separator = "\t" if ".tsv" in suffixes else ","
    return pd.read_csv(path, sep=separator)


def build_model(name, frame):
    """A pipeline that encodes the table's columns and fits the chosen model.

    Parameters
    ----------
    name : {"logistic", "forest", "boosting"}
        The classifier.
    frame : pandas.DataFrame
        The feature columns (the target removed).

    Returns
    -------
    model : Pipeline
    """
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = frame.select_dtypes(include=["number", "bool"]).columns.tolist()
    other = [column for column in frame.columns if column not in numeric]
    for column in other:
        n_values = frame[column].nunique()
        if n_values > MAX_CATEGORIES:
            raise AuditError(
                f"column {column!r} is not numeric and has {n_values} distinct "
                f"values (more than {MAX_CATEGORIES}), so it cannot be one-hot "
                f"encoded: drop it with --drop {column!r} or encode it first."
            )
    encoder = make_column_transformer(
        (
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            numeric,
        ),
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            other,
        ),
    )
    classifier = {
        "logistic": LogisticRegression(max_iter=1000),
        "forest": RandomForestClassifier(n_estimators=200, min_samples_leaf=3),
        "boosting": HistGradientBoostingClassifier(),
    }[name]
    return make_pipeline(encoder, classifier)


def run_audit(
    path,
    target,
    *,
    model="logistic",
    output=None,
    drop=(),
    cv=5,
    n_jobs=None,
    random_state=0,
    out=print,
):
    """Audit a table's labels and write the suspicious rows and T to files.

    Parameters
    ----------
    path : str or Path
        The CSV or Parquet file.
    target : str
        Name of the label column.
    model : {"logistic", "forest", "boosting"}, default="logistic"
        The classifier whose out-of-fold probabilities judge the labels.
    output : str or Path, default=None
        CSV of suspicious rows (index, given label, suggested label, quality
        score); ``None`` writes ``<input stem>_label_issues.csv`` beside the
        input. The estimated T goes to ``<output stem>_transition_matrix.csv``.
    drop : sequence of str, default=()
        Columns to leave out of the features.
    cv : int, default=5
        Number of folds.
    n_jobs : int, default=None
        Folds fitted in parallel.
    random_state : int, default=0
        Seed of the folds and the model.
    out : callable, default=print
        Where progress and the summary go.

    Returns
    -------
    table : pandas.DataFrame
        The suspicious rows, most suspicious first.
    """
    frame = read_table(path)
    if target not in frame.columns:
        raise AuditError(
            f"no column {target!r} in {path}; columns are {frame.columns.tolist()}"
        )
    missing = [column for column in drop if column not in frame.columns]
    if missing:
        raise AuditError(f"--drop names columns not in {path}: {missing}")
    frame = frame[frame[target].notna()]
    y = frame[target]
    n_classes = y.nunique()
    if n_classes < 2:
        raise AuditError(
            f"target {target!r} has {n_classes} class(es); auditing labels needs "
            "at least 2."
        )
    X = frame.drop(columns=[target, *drop])
    if X.shape[1] == 0:
        raise AuditError("no feature columns are left after removing the target.")
    estimator = NoiseRobustClassifier(
        build_model(model, X),
        cv=cv,
        n_jobs=n_jobs,
        random_state=random_state,
        verbose=2,
    )
    out(
        f"auditing {len(frame)} rows, {n_classes} classes, {X.shape[1]} features "
        f"with {model} over {cv} folds"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        estimator.fit(X, y)
    for warning in caught:
        out(f"warning: {warning.message}")
    table = label_issues_table(estimator, y)
    output = (
        Path(output)
        if output
        else Path(path).with_name(Path(path).name.split(".")[0] + "_label_issues.csv")
    )
    table.to_csv(output)
    transition_path = output.with_name(output.stem + "_transition_matrix.csv")
    transition = _transition_frame(estimator)
    transition.to_csv(transition_path)
    out(
        f"{len(table)} suspicious labels ({len(table) / len(frame):.1%}); "
        f"estimated noise rate {estimator.noise_rate_:.1%}"
    )
    out(f"wrote {output} and {transition_path}")
    return table


def _transition_frame(estimator):
    import pandas as pd

    names = [str(label) for label in estimator.classes_]
    return pd.DataFrame(
        np.round(estimator.transition_matrix_, 6),
        index=pd.Index(names, name="true \\ given"),
        columns=names,
    )


def audit_main(args):
    """Run ``audit`` from parsed arguments; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed command-line arguments.

    Returns
    -------
    status : int
        0 on success, 2 on a problem with the input.
    """
    try:
        run_audit(
            args.path,
            args.target,
            model=args.model,
            output=args.output,
            drop=args.drop,
            cv=args.cv,
            n_jobs=args.n_jobs,
            random_state=args.random_state,
        )
    except (AuditError, ValueError) as exc:
        print(f"noisy-sklearn audit: error: {exc}", file=sys.stderr)
        return 2
    return 0
