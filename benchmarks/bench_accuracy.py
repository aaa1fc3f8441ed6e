"""Accuracy benchmark: NoiseRobustClassifier under simulated label noise.

Every cell is a (dataset, noise, model) triple. For each seed, the data are
split (stratified) into train and test, the training labels are corrupted
with :func:`noisy_sklearn.make_noisy_labels` (test labels stay clean), and
each method is fitted on the noisy training labels:

- ``baseline``: ``NoiseRobustClassifier(strategy="none")``, i.e. the model
  fitted on the noisy labels;
- every strategy of :class:`noisy_sklearn.NoiseRobustClassifier`;
- ``default``: ``NoiseRobustClassifier()`` with its default strategy;
- ``oracle``: the same model fitted on the clean training labels;
- ``cleanlearning``: ``cleanlab.classification.CleanLearning(clf=model)``
  with its defaults, when cleanlab is importable.

Reported per cell (averaged over seeds) and pooled over cells: clean test
accuracy, gap closed ``(acc - baseline) / (oracle - baseline)``, cells harmed
(more than one point below the baseline), mean absolute error of the estimated
transition matrix, precision / recall / F1 of the flagged label issues against
the truly flipped labels, and fit time.

Usage::

    python benchmarks/bench_accuracy.py [--quick] [--seeds N] [--n-jobs N]
                                        [--output-dir benchmarks/results]
    python benchmarks/bench_accuracy.py --report-only results/accuracy.json
"""

import argparse
import json
import sys
import time
from pathlib import Path

import joblib

from noisy_sklearn import NoiseRobustClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _accuracy_report import (  # noqa: E402
    summarise,
    write_json,
    write_markdown,
    write_plot,
)
from _accuracy_tasks import (  # noqa: E402
    DATASETS,
    MODELS,
    NOISES,
    QUICK_DATASETS,
    QUICK_MODELS,
    STRATEGIES,
    TEST_SIZE,
    make_model,
    run_task,
    task_cost,
)
from _common import cleanlab_available  # noqa: E402
from _common import versions as library_versions  # noqa: E402


def parse_args(argv=None):
    """Parse the command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; ``None`` reads ``sys.argv``.

    Returns
    -------
    args : argparse.Namespace
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 seed, logistic regression only (well under a minute); writes "
        "accuracy_quick.*",
    )
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel cells")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(__file__).resolve().parent / "results",
        help="where to write accuracy.{json,md,png}",
    )
    parser.add_argument("--datasets", default=None, help="comma-separated subset")
    parser.add_argument("--models", default=None, help="comma-separated subset")
    parser.add_argument(
        "--no-cleanlab", action="store_true", help="skip the CleanLearning peer"
    )
    parser.add_argument(
        "--report-only",
        type=Path,
        default=None,
        metavar="JSON",
        help="re-render the markdown and plot from a saved results JSON, "
        "next to it, without fitting anything",
    )
    return parser.parse_args(argv)


def rerender(path):
    """Rewrite the markdown and plot of a saved results JSON.

    Parameters
    ----------
    path : pathlib.Path
        An ``accuracy*.json`` written by this script; the ``.md`` and ``.png``
        go next to it.

    Returns
    -------
    summary : dict
        The aggregated results.
    """
    with open(path) as handle:
        saved = json.load(handle)
    summary = summarise(saved["runs"], saved["methods"])
    summary.update(
        {key: saved[key] for key in ("config", "versions", "elapsed_seconds")}
    )
    write_markdown(summary, path.with_suffix(".md"))
    write_plot(summary, path.with_suffix(".png"))
    print(f"wrote {path.with_suffix('.md')} and {path.with_suffix('.png')}")
    return summary


def _select(option, default, known, what):
    if option is None:
        return list(default)
    chosen = [name.strip() for name in option.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise SystemExit(f"unknown {what}: {unknown}; choose from {sorted(known)}")
    return chosen


def main(argv=None):
    """Run the benchmark and write its JSON, markdown and plot.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``None`` reads ``sys.argv``.

    Returns
    -------
    summary : dict
        The aggregated results (also written to the output directory).
    """
    args = parse_args(argv)
    if args.report_only is not None:
        return rerender(args.report_only)
    quick = args.quick
    n_seeds = args.seeds if args.seeds is not None else (1 if quick else 3)
    datasets = _select(
        args.datasets, QUICK_DATASETS if quick else DATASETS, DATASETS, "datasets"
    )
    models = _select(args.models, QUICK_MODELS if quick else MODELS, MODELS, "models")
    methods = [
        "baseline",
        *STRATEGIES,
        "correct_ensemble",
        "prune_cj",
        "default",
        "oracle",
    ]
    with_cleanlab = not args.no_cleanlab and cleanlab_available()
    if with_cleanlab:
        methods.append("cleanlearning")
    tasks = [
        (dataset, noise, model, seed)
        for dataset in datasets
        for model in models
        for noise in NOISES
        for seed in range(n_seeds)
    ]
    tasks.sort(key=lambda task: -task_cost(task[0], task[2]))
    print(
        f"{len(tasks)} tasks ({len(datasets)} datasets x {len(NOISES)} noises x "
        f"{len(models)} models x {n_seeds} seeds), methods: {', '.join(methods)}; "
        f"default strategy = {NoiseRobustClassifier().strategy!r}; "
        f"n_jobs={args.n_jobs}",
        flush=True,
    )
    versions = library_versions()
    print(f"noisy_sklearn at {versions['git']}", flush=True)
    started = time.perf_counter()
    runs = []
    results = joblib.Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        joblib.delayed(run_task)(*task, methods) for task in tasks
    )
    for done, records in enumerate(results, start=1):
        runs.extend(records)
        by_method = {r["method"]: r for r in records}
        first = records[0]
        scores = " ".join(
            f"{m}={by_method[m].get('accuracy', float('nan')):.3f}"
            for m in ("baseline", "default", "oracle", "cleanlearning")
            if m in by_method
        )
        n_errors = sum("error" in r for r in records)
        print(
            f"[{done:3d}/{len(tasks)}] {time.perf_counter() - started:6.0f}s "
            f"{first['dataset']}/{first['noise']}/{first['model']} "
            f"seed {first['seed']}: {scores}"
            + (f" ({n_errors} errors)" if n_errors else ""),
            flush=True,
        )
    elapsed = time.perf_counter() - started
    config = {
        "quick": quick,
        "n_seeds": n_seeds,
        "n_jobs": args.n_jobs,
        "datasets": datasets,
        "models": models,
        "noises": [list(noise) for noise in NOISES],
        "methods": methods,
        "default_strategy": NoiseRobustClassifier().strategy,
        "test_size": TEST_SIZE,
        "model_params": {name: repr(make_model(name, 0)) for name in models},
        "cleanlearning": "CleanLearning(clf=model, seed=seed), other defaults"
        if with_cleanlab
        else None,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }
    summary = summarise(runs, methods)
    summary.update(config=config, versions=versions, elapsed_seconds=elapsed)
    out = args.output_dir
    out.mkdir(parents=True, exist_ok=True)
    stem = "accuracy_quick" if quick else "accuracy"
    write_json({**summary, "runs": runs}, out / f"{stem}.json")
    write_markdown(summary, out / f"{stem}.md")
    write_plot(summary, out / f"{stem}.png")
    print(f"done in {elapsed:.0f}s; wrote {out / stem}.{{json,md,png}}")
    print((out / f"{stem}.md").read_text())
    return summary


if __name__ == "__main__":
    main()
