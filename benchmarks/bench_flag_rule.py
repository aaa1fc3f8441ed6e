"""Flag-rule ablation: the accuracy of pruning more, or fewer, samples.

Which samples should ``strategy="prune"`` drop? On the accuracy benchmark's
tasks (same datasets, noise, models, splits and seeds), this script fits
``NoiseRobustClassifier(strategy="prune")`` once, then refits the final model
as that strategy does (the same transition matrix, the same ``1 / T[k, k]``
weights of the kept samples, at least two samples kept per class) after
choosing the samples to drop by other rules, all read from the fitted
classifier's out-of-fold probabilities, flags and label-error probabilities
``1 - label_quality_``:

- ``prune``: what ``strategy="prune"`` drops: the flagged samples
  (``label_issues_``) and, in each given class, the most likely wrong up to
  the expected number of wrong labels (the sum of the label-error
  probabilities);
- ``flags``: the flagged samples alone (the model predicts another class and
  the label is more likely wrong than right; the rule before 0.1);
- ``bayes``: the label is more likely wrong than right, whatever the model
  predicts;
- ``disputed_0.4``, ``disputed_0.3``: the model predicts another class and
  the label is wrong with probability above 0.4 (0.3);
- ``expected_count``: the expected number of wrong labels of each class,
  most likely first, without the flags (CleanLearning likewise prunes an
  estimated count, with its own ranking).

Each rule is scored twice: alone (``"prune"``) and, as the default
``"prune_reweight"`` does, averaged with the model of
``NoiseRobustClassifier(strategy="reweight")`` (its probabilities).

Reported, for both: gap closed ``sum(acc - baseline) / sum(oracle - baseline)``
over the cells, cells harmed (mean over seeds more than one point below the
baseline), the change against ``prune`` with a 95 % bootstrap interval over
cells; and the share of the training samples each rule drops, with its
precision and recall against the truly flipped labels (pooled over runs).

Usage::

    python benchmarks/bench_flag_rule.py [--quick] [--seeds N] [--first-seed S]
                                         [--n-jobs N]
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from noisy_sklearn import NoiseRobustClassifier
from noisy_sklearn._issues import keep_minimum_per_class
from noisy_sklearn._label_audit import MIN_KEEP_PER_CLASS
from noisy_sklearn._oof import align_columns, fit_weighted, weight_parameters
from noisy_sklearn._strategies import most_likely_errors, prune_weights

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _accuracy_tasks import (  # noqa: E402
    DATASETS,
    MODELS,
    NOISES,
    QUICK_DATASETS,
    QUICK_MODELS,
    make_model,
    noisy_split,
    task_cost,
)
from _common import versions as library_versions  # noqa: E402

RULES = ("prune", "flags", "bayes", "disputed_0.4", "disputed_0.3", "expected_count")
REFERENCE = "prune"
HARM = 0.01
N_BOOTSTRAP = 5000


def flag(rule, flags, error, disputed, y_encoded):
    """The samples a rule other than ``prune`` drops (see the module docstring)."""
    if rule == "flags":
        return flags
    if rule == "bayes":
        return error > 0.5
    if rule.startswith("disputed_"):
        return disputed & (error > float(rule.split("_")[1]))
    if rule == "expected_count":
        return most_likely_errors(y_encoded, error, np.ones(y_encoded.shape[0]))
    raise ValueError(f"unknown rule {rule!r}")


def run_task(dataset, noise, model_name, seed):
    """Accuracy of the pruned refit under every rule, on one task."""
    X_train, X_test, y_train, y_test, _, y_noisy = noisy_split(dataset, noise, seed)
    model = make_model(model_name, seed)
    record = {
        "dataset": dataset,
        "noise": noise[0],
        "model": model_name,
        "seed": seed,
        "n_train": int(y_train.shape[0]),
    }
    with threadpool_limits(1), warnings.catch_warnings():
        # Fallbacks warn; they are counted in the report.
        warnings.simplefilter("ignore")
        record["baseline"] = clone(model).fit(X_train, y_noisy).score(X_test, y_test)
        record["oracle"] = clone(model).fit(X_train, y_train).score(X_test, y_test)
        clf = NoiseRobustClassifier(
            model, strategy="prune", n_jobs=1, random_state=seed
        ).fit(X_train, y_noisy)
        record["classifier"] = clf.score(X_test, y_test)
        record["fallback"] = clf.strategy_ == "none"
        reweighted = NoiseRobustClassifier(
            model, strategy="reweight", n_jobs=1, random_state=seed
        ).fit(X_train, y_noisy)
        reweight_proba = reweighted.predict_proba(X_test)
        n_classes = clf.classes_.shape[0]
        y_encoded = np.searchsorted(clf.classes_, y_noisy)
        proba = clf.oof_pred_proba_
        error = 1.0 - clf.label_quality_
        disputed = proba.argmax(axis=1) != y_encoded
        weights = np.ones(y_encoded.shape[0])
        flipped = y_noisy != y_train
        for rule in RULES:
            if rule == "prune":
                # The classifier's own choice, its minimum per class included.
                dropped = clf._pruned_samples(y_encoded, proba, error, weights)
            else:
                dropped = flag(rule, clf.label_issues_, error, disputed, y_encoded)
                dropped = keep_minimum_per_class(
                    dropped, y_encoded, proba, weights, MIN_KEEP_PER_CLASS
                )[0]
            if record["fallback"]:
                # Both fitted on every sample: every rule scores alike.
                accuracy = record["classifier"]
                combined = np.mean(clf.predict(X_test) == y_test)
            else:
                kept = prune_weights(
                    y_encoded, clf.transition_matrix_, dropped, weights
                )
                final = fit_weighted(
                    clone(model),
                    X_train,
                    y_encoded,
                    kept,
                    weight_params=weight_parameters(model),
                    seed=seed,
                    fit_params={},
                )
                accuracy = np.mean(clf.classes_[final.predict(X_test)] == y_test)
                test_proba = align_columns(
                    final.predict_proba(X_test), final.classes_, n_classes, 0.0
                )
                combined = np.mean(
                    clf.classes_[np.argmax(test_proba + reweight_proba, axis=1)]
                    == y_test
                )
            record[rule] = {
                "prune": float(accuracy),
                "default": float(combined),
                "dropped": int(dropped.sum()),
                "true_positives": int(np.sum(dropped & flipped)),
                "flipped": int(flipped.sum()),
            }
    return record


def _cells(runs, rule, score):
    """Per cell (dataset, noise, model): mean accuracy change and oracle gap."""
    cells = {}
    for run in runs:
        key = (run["dataset"], run["noise"], run["model"])
        cells.setdefault(key, []).append(
            (run[rule][score] - run["baseline"], run["oracle"] - run["baseline"])
        )
    keys = sorted(cells)
    gain = np.array([np.mean([g for g, _ in cells[k]]) for k in keys])
    room = np.array([np.mean([r for _, r in cells[k]]) for k in keys])
    return gain, room


def _score_summary(runs, rule, score, draws):
    """Gap closed, its change against the reference and the harm, for one score."""
    gain, room = _cells(runs, rule, score)
    delta = gain - _cells(runs, REFERENCE, score)[0]
    boot = 100 * delta[draws].sum(axis=1) / room[draws].sum(axis=1)
    return {
        "gap_closed": 100 * gain.sum() / room.sum(),
        "change": 100 * delta.sum() / room.sum(),
        "change_low": float(np.percentile(boot, 2.5)),
        "change_high": float(np.percentile(boot, 97.5)),
        "cells_better": int(np.sum(delta > 1e-12)),
        "cells_worse": int(np.sum(delta < -1e-12)),
        "harmed": int(np.sum(gain < -HARM)),
        "worst": 100 * float(gain.min()),
    }


def summarise(runs):
    """Aggregate rows of the report, one per rule."""
    n_cells = _cells(runs, REFERENCE, "prune")[1].shape[0]
    draws = np.random.RandomState(0).randint(0, n_cells, (N_BOOTSTRAP, n_cells))
    rows = []
    for rule in RULES:
        dropped = sum(run[rule]["dropped"] for run in runs)
        hits = sum(run[rule]["true_positives"] for run in runs)
        rows.append(
            {
                "rule": rule,
                "prune": _score_summary(runs, rule, "prune", draws),
                "default": _score_summary(runs, rule, "default", draws),
                "dropped_share": dropped / sum(run["n_train"] for run in runs),
                "precision": hits / dropped if dropped else float("nan"),
                "recall": hits / sum(run[rule]["flipped"] for run in runs),
            }
        )
    return rows


def _table(rows, score):
    lines = [
        "| rule | gap closed | change (95 % interval) | better / worse | "
        "harmed | worst Δ pts |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        cell = row[score]
        lines.append(
            f"| {row['rule']} | {cell['gap_closed']:.1f}% | {cell['change']:+.1f} "
            f"({cell['change_low']:+.1f} to {cell['change_high']:+.1f}) | "
            f"{cell['cells_better']} / {cell['cells_worse']} | {cell['harmed']} | "
            f"{cell['worst']:.1f} |"
        )
    return lines


def write_markdown(result, path):
    """Write the report tables."""
    runs, rows = result["runs"], result["summary"]
    mismatched = sum(
        abs(run[REFERENCE]["prune"] - run["classifier"]) > 1e-12 for run in runs
    )
    lines = [
        "# Flag rules: pruning more or less",
        "",
        f"Command: `{result['command']}` — {result['elapsed_seconds']:.0f}s. "
        f"Versions: git {result['versions']['git']}, scikit-learn "
        f"{result['versions']['scikit-learn']}.",
        "",
        f"{len(runs)} runs of the accuracy benchmark's tasks (seeds "
        f"{result['seeds'][0]} to {result['seeds'][-1]}); "
        f"{sum(run['fallback'] for run in runs)} fell back to `none` (nothing "
        "pruned, every rule alike). The refit with the `prune` rule reproduces "
        f'`strategy="prune"` in {len(runs) - mismatched} of {len(runs)} runs '
        "(it reads `1 - label_quality_`). "
        "Change = gap closed minus that of `prune`, with its 95 % bootstrap "
        "interval over cells; better / worse count cells.",
        "",
        '## Pruned fit alone (`strategy="prune"`)',
        "",
        *_table(rows, "prune"),
        "",
        '## Averaged with the reweighted fit (the default, `"prune_reweight"`)',
        "",
        *_table(rows, "default"),
        "",
        "## The dropped samples",
        "",
        "Share of the training samples each rule drops, and their precision and "
        "recall against the truly flipped labels (pooled over runs).",
        "",
        "| rule | dropped | precision | recall |",
        "|---|---|---|---|",
        *(
            f"| {row['rule']} | {100 * row['dropped_share']:.1f}% | "
            f"{row['precision']:.2f} | {row['recall']:.2f} |"
            for row in rows
        ),
    ]
    path.write_text("\n".join(lines) + "\n")


def main(argv=None):
    """Run the ablation and write ``flag_rule[_quick].{json,md}``.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``None`` reads ``sys.argv``.

    Returns
    -------
    result : dict
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, logreg only")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds")
    parser.add_argument("--first-seed", type=int, default=0, help="the first seed")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel tasks")
    parser.add_argument(
        "--output-dir", type=Path, default=Path(__file__).resolve().parent / "results"
    )
    args = parser.parse_args(argv)
    n_seeds = args.seeds if args.seeds is not None else (1 if args.quick else 3)
    datasets = QUICK_DATASETS if args.quick else DATASETS
    models = QUICK_MODELS if args.quick else MODELS
    tasks = [
        (dataset, noise, model, seed)
        for dataset in datasets
        for model in models
        for noise in NOISES
        for seed in range(args.first_seed, args.first_seed + n_seeds)
    ]
    tasks.sort(key=lambda task: -task_cost(task[0], task[2]))
    started = time.perf_counter()
    runs = joblib.Parallel(n_jobs=args.n_jobs)(
        joblib.delayed(run_task)(*task) for task in tasks
    )
    result = {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "versions": library_versions(),
        "elapsed_seconds": time.perf_counter() - started,
        "seeds": list(range(args.first_seed, args.first_seed + n_seeds)),
        "runs": runs,
    }
    result["summary"] = summarise(runs)
    out = args.output_dir
    out.mkdir(parents=True, exist_ok=True)
    stem = "flag_rule_quick" if args.quick else "flag_rule"
    (out / f"{stem}.json").write_text(json.dumps(result, indent=1, default=float))
    write_markdown(result, out / f"{stem}.md")
    print((out / f"{stem}.md").read_text())
    return result


if __name__ == "__main__":
    main()
