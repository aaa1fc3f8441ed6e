"""Aggregation, markdown table and plot of the accuracy benchmark.

Cells are (dataset, noise, model) triples; a cell's numbers are means over
seeds. "Gap closed" pools over cells: ``sum(acc - baseline) / sum(oracle -
baseline)``, so cells where the noise barely hurt weigh little.
"""

import json
import math
import re
from collections import Counter, defaultdict

import numpy as np

# A method "harms" a cell when its accuracy is this far below the baseline.
HARM_THRESHOLD = 0.01
CELL_KEYS = ("dataset", "noise", "model")
ROBUST = ("baseline", "prune", "reweight", "relabel", "correct", "default")


def _mean(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def _ratio(numerator, denominator):
    return numerator / denominator if denominator > 0 else float("nan")


def _issue_scores(runs):
    """Precision, recall and F1 of the flags, from counts pooled over seeds."""
    runs = [r for r in runs if "n_flagged" in r]
    if not runs:
        return {"precision": float("nan"), "recall": float("nan"), "f1": float("nan")}
    tp = sum(r["true_positives"] for r in runs)
    precision = _ratio(tp, sum(r["n_flagged"] for r in runs))
    recall = _ratio(tp, sum(r["n_flipped"] for r in runs))
    if tp == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def _summarise_cell(key, runs, methods):
    """Per-method means over the seeds of one cell."""
    by_seed = defaultdict(dict)
    for run in runs:
        by_seed[run["seed"]][run["method"]] = run
    cell = dict(zip(CELL_KEYS, key, strict=True))
    cell["true_noise_rate"] = _mean(r.get("true_noise_rate") for r in runs)
    cell["methods"] = {}
    for method in methods:
        mine = [s[method] for s in by_seed.values() if method in s]
        ok = [r for r in mine if "accuracy" in r]
        # Gap closed uses the seeds where the method, baseline and oracle all ran.
        paired = [
            (s[method]["accuracy"], s["baseline"]["accuracy"], s["oracle"]["accuracy"])
            for s in by_seed.values()
            if all("accuracy" in s.get(m, {}) for m in (method, "baseline", "oracle"))
        ]
        stats = {
            "n_runs": len(ok),
            "n_errors": len(mine) - len(ok),
            "accuracy": _mean(r["accuracy"] for r in ok),
            "accuracy_std": float(np.std([r["accuracy"] for r in ok])) if ok else None,
            "fit_time": _mean(r["fit_time"] for r in ok),
            "T_mae": _mean(r.get("T_mae") for r in ok),
            "fallbacks": sum(
                r.get("strategy_") == "none" and method != "baseline" for r in ok
            ),
            "delta": _mean(a - b for a, b, _ in paired),
            "span": _mean(o - b for _, b, o in paired),
            **_issue_scores(ok),
        }
        stats["gap_closed"] = _ratio(stats["delta"], stats["span"])
        cell["methods"][method] = stats
    return cell


def _pooled_gap(cells, method):
    pairs = [
        (c["methods"][method]["delta"], c["methods"][method]["span"])
        for c in cells
        if not math.isnan(c["methods"][method]["delta"])
    ]
    if not pairs:
        return float("nan")
    return _ratio(sum(d for d, _ in pairs), sum(s for _, s in pairs))


def _aggregate(cells, method):
    stats = [c["methods"][method] for c in cells]
    valid = [s for s in stats if not math.isnan(s["delta"])]
    return {
        "n_cells": len(valid),
        "mean_accuracy": _mean(s["accuracy"] for s in stats),
        "gap_closed": _pooled_gap(cells, method),
        "cells_harmed": sum(s["delta"] < -HARM_THRESHOLD for s in valid),
        "cells_helped": sum(s["delta"] > HARM_THRESHOLD for s in valid),
        "mean_delta": _mean(s["delta"] for s in valid),
        "worst_delta": min((s["delta"] for s in valid), default=float("nan")),
        "T_mae": _mean(s["T_mae"] for s in stats),
        "precision": _mean(s["precision"] for s in stats),
        "recall": _mean(s["recall"] for s in stats),
        "f1": _mean(s["f1"] for s in stats),
        "fit_time": _mean(s["fit_time"] for s in stats),
        "fallbacks": sum(s["fallbacks"] for s in stats),
        "runs": sum(s["n_runs"] for s in stats),
        "errors": sum(s["n_errors"] for s in stats),
    }


def summarise(runs, methods):
    """Aggregate per-run records into cells, per-method totals and breakdowns.

    Parameters
    ----------
    runs : list of dict
        One record per (dataset, noise, model, seed, method), from
        ``run_task``.
    methods : list of str
        Methods in display order.

    Returns
    -------
    summary : dict
        ``cells`` (per-cell means), ``aggregate`` (per method), ``gap_by_noise``
        and ``gap_by_model`` (pooled gap closed), ``errors`` and ``warnings``
        (distinct messages with counts).
    """
    grouped = defaultdict(list)
    for run in runs:
        grouped[tuple(run[k] for k in CELL_KEYS)].append(run)
    cells = [_summarise_cell(key, grouped[key], methods) for key in sorted(grouped)]
    breakdowns = {}
    for field in ("noise", "model", "dataset"):
        values = list(dict.fromkeys(c[field] for c in cells))
        breakdowns[f"gap_by_{field}"] = {
            method: {
                value: _pooled_gap([c for c in cells if c[field] == value], method)
                for value in values
            }
            for method in methods
        }
    errors = Counter(
        f"{r['method']}: {r['error']}" for r in runs if "error" in r
    ).most_common()
    # Warnings differ only by the numbers they quote: group them by template.
    warning_runs = defaultdict(Counter)
    for run in runs:
        for message in run.get("warnings", ()):
            template = re.sub(r"-?\d+(\.\d+)?", "#", message)[:140]
            warning_runs[template][run["method"]] += 1
    warning_counts = [
        (f"{message} [{', '.join(f'{m}: {n}' for m, n in per_method.items())}]", total)
        for message, per_method in warning_runs.items()
        for total in [sum(per_method.values())]
    ]
    warning_counts.sort(key=lambda item: -item[1])
    return {
        "methods": list(methods),
        "cells": cells,
        "aggregate": {m: _aggregate(cells, m) for m in methods},
        **breakdowns,
        "selection": _summarise_selection(runs),
        "errors": errors,
        "warnings": warning_counts,
    }


def _summarise_selection(runs):
    """Choosing a strategy on noisy validation labels: plain vs noise-aware."""
    picks = [r for r in runs if r["method"] == "selection"]
    if not picks:
        return None
    by_cell = defaultdict(list)
    for run in picks:
        by_cell[tuple(run[k] for k in CELL_KEYS)].append(run)

    def cell_mean(field):
        return [_mean(r[field] for r in group) for group in by_cell.values()]

    plain = np.array(cell_mean("holdout_by_accuracy"))
    aware = np.array(cell_mean("holdout_by_noise_aware"))
    return {
        "n_runs": len(picks),
        "n_cells": len(by_cell),
        "mean_holdout": {
            "baseline": float(np.mean(cell_mean("holdout_baseline"))),
            "picked_by_accuracy": float(plain.mean()),
            "picked_by_noise_aware": float(aware.mean()),
            "best_possible": float(np.mean(cell_mean("holdout_best"))),
        },
        "cells_noise_aware_better": int(np.sum(aware > plain + 1e-9)),
        "cells_accuracy_better": int(np.sum(plain > aware + 1e-9)),
        "picks_by_accuracy": dict(Counter(r["picked_by_accuracy"] for r in picks)),
        "picks_by_noise_aware": dict(
            Counter(r["picked_by_noise_aware"] for r in picks)
        ),
    }


def _clean_for_json(value):
    if isinstance(value, dict):
        return {str(k): _clean_for_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_for_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_json(data, path):
    """Write ``data`` as JSON, NaN as ``null``.

    Parameters
    ----------
    data : dict
        Results.
    path : path-like
        Output file.
    """
    with open(path, "w") as handle:
        json.dump(_clean_for_json(data), handle, indent=1)


def _fmt(value, digits=3, percent=False):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if percent:
        return f"{100 * value:.{max(digits - 2, 0)}f}%"
    return f"{value:.{digits}f}"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return lines


def _cell_row(cell, method, methods):
    stats = cell["methods"]
    row = [
        cell["dataset"],
        cell["noise"],
        cell["model"],
        _fmt(cell["true_noise_rate"], 2),
    ]
    row += [_fmt(stats[m]["accuracy"]) for m in methods]
    row.append(_fmt(100 * stats[method]["delta"], 1))
    return row


def worst_cells(summary, method="default", n=8):
    """The cells where ``method`` falls furthest below the baseline.

    Parameters
    ----------
    summary : dict
        From :func:`summarise`.
    method : str, default="default"
        Method to rank.
    n : int, default=8
        Number of cells.

    Returns
    -------
    cells : list of dict
    """
    valid = [
        c for c in summary["cells"] if not math.isnan(c["methods"][method]["delta"])
    ]
    return sorted(valid, key=lambda c: c["methods"][method]["delta"])[:n]


def losses_to_peer(summary, method="default", peer="cleanlearning", n=8):
    """The cells where ``peer`` beats ``method`` by the widest margin.

    Parameters
    ----------
    summary : dict
        From :func:`summarise`.
    method, peer : str
        The two methods compared.
    n : int, default=8
        Number of cells.

    Returns
    -------
    cells : list of (float, dict)
        ``(peer accuracy - method accuracy, cell)``, positive margins only.
    """
    if peer not in summary["methods"]:
        return []
    margins = []
    for cell in summary["cells"]:
        gap = cell["methods"][peer]["accuracy"] - cell["methods"][method]["accuracy"]
        if not math.isnan(gap) and gap > 0:
            margins.append((gap, cell))
    return sorted(margins, key=lambda item: -item[0])[:n]


def _markdown(summary):
    methods = summary["methods"]
    config = summary.get("config", {})
    versions = summary.get("versions", {})
    lines = [
        "# Accuracy under label noise",
        "",
        f"Command: `{config.get('command', '')}` — {config.get('n_seeds')} seed(s), "
        f"{summary['aggregate']['baseline']['n_cells']} cells "
        f"(datasets: {', '.join(config.get('datasets', []))}; models: "
        f"{', '.join(config.get('models', []))}), default strategy "
        f"`{config.get('default_strategy')}`, "
        f"{summary.get('elapsed_seconds', float('nan')):.0f}s with "
        f"n_jobs={config.get('n_jobs')}.",
        "Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions.items() if k != "platform")
        + ".",
        "",
        "Gap closed = Σ(acc − baseline) / Σ(oracle − baseline) over cells (cell = "
        "dataset × noise × model, mean over seeds); harmed / helped = cells more "
        f"than {100 * HARM_THRESHOLD:.0f} point below / above the baseline; T MAE = "
        "mean |T̂ − T| over entries; P / R / F1 of the flagged samples vs the truly "
        "flipped ones (mean over cells); fit time per fit, seconds; fallbacks = "
        "runs where `strategy_` fell back to `none`.",
        "",
        "## Aggregate",
        "",
    ]
    header = ["method", "mean acc", "gap closed", "harmed", "helped", "worst Δ pts"]
    header += [
        "T MAE",
        "issue P",
        "issue R",
        "issue F1",
        "fit s",
        "fallbacks",
        "errors",
    ]
    rows = []
    for method in methods:
        agg = summary["aggregate"][method]
        rows.append(
            [
                method,
                _fmt(agg["mean_accuracy"]),
                _fmt(agg["gap_closed"], 3, percent=True),
                agg["cells_harmed"],
                agg["cells_helped"],
                _fmt(100 * agg["worst_delta"], 1),
                _fmt(agg["T_mae"], 4),
                _fmt(agg["precision"], 2),
                _fmt(agg["recall"], 2),
                _fmt(agg["f1"], 2),
                _fmt(agg["fit_time"], 2),
                agg["fallbacks"],
                agg["errors"],
            ]
        )
    lines += _table(header, rows)
    shown = [m for m in methods if m not in ("baseline", "oracle")]
    for field, title in (
        ("noise", "noise kind"),
        ("model", "model"),
        ("dataset", "dataset"),
    ):
        gaps = summary[f"gap_by_{field}"]
        values = list(gaps[methods[0]])
        lines += ["", f"## Gap closed per {title} (pooled)", ""]
        lines += _table(
            ["method", *values],
            [[m, *(_fmt(gaps[m][v], 3, percent=True) for v in values)] for m in shown],
        )
    compared = [m for m in ("baseline", "default", "oracle", "cleanlearning")]
    compared = [m for m in compared if m in methods]
    cell_header = ["dataset", "noise", "model", "flip rate", *compared]
    lines += ["", "## Worst cells for `default` (Δ = default − baseline, points)", ""]
    lines += _table(
        [*cell_header, "Δ pts"],
        [_cell_row(c, "default", compared) for c in worst_cells(summary)],
    )
    losses = losses_to_peer(summary)
    if losses:
        lines += ["", "## Largest losses of `default` to CleanLearning", ""]
        lines += _table(
            [*cell_header, "CL − default pts"],
            [
                [*_cell_row(c, "default", compared)[:-1], _fmt(100 * gap, 1)]
                for gap, c in losses
            ],
        )
    lines += _selection_lines(summary.get("selection"))
    lines += ["", "## All cells (accuracy, mean over seeds)", ""]
    all_header = ["dataset", "noise", "model", "flip rate", *methods]
    lines += _table(
        all_header,
        [_cell_row(c, "default", methods)[:-1] for c in summary["cells"]],
    )
    if summary["errors"]:
        lines += ["", "## Errors", ""]
        lines += [f"- {count} × {message}" for message, count in summary["errors"]]
    if summary["warnings"]:
        lines += ["", "## Warnings (numbers replaced by #; runs per method)", ""]
        lines += [f"- {count} × {message}" for message, count in summary["warnings"]]
    return "\n".join(lines) + "\n"


def _selection_lines(selection):
    if not selection:
        return []
    held = selection["mean_holdout"]
    return [
        "",
        "## Choosing a strategy from noisy validation labels",
        "",
        "Half of each test set gets labels corrupted by the training T; each "
        "strategy (and the baseline) is scored there by plain accuracy and by "
        "`noise_aware_accuracy_score` with the T estimated in training. The pick "
        "is then scored on the other half, with clean labels "
        f"({selection['n_runs']} runs, {selection['n_cells']} cells; means over "
        "cells).",
        "",
        *_table(
            ["chosen by", "clean accuracy of the pick"],
            [
                ["(baseline, no choice)", _fmt(held["baseline"])],
                ["plain accuracy", _fmt(held["picked_by_accuracy"])],
                ["noise-aware accuracy", _fmt(held["picked_by_noise_aware"])],
                ["(best strategy in hindsight)", _fmt(held["best_possible"])],
            ],
        ),
        "",
        f"Cells where the noise-aware pick is better: "
        f"{selection['cells_noise_aware_better']}; worse: "
        f"{selection['cells_accuracy_better']}. Picks by plain accuracy: "
        f"{selection['picks_by_accuracy']}; by noise-aware accuracy: "
        f"{selection['picks_by_noise_aware']}.",
    ]


def write_markdown(summary, path):
    """Write the markdown report: aggregate table, breakdowns, worst cells.

    Parameters
    ----------
    summary : dict
        From :func:`summarise`, with ``config`` and ``versions`` added.
    path : path-like
        Output file.
    """
    with open(path, "w") as handle:
        handle.write(_markdown(summary))


def write_plot(summary, path):
    """Bar chart of the pooled gap closed per method, by noise kind and model.

    Parameters
    ----------
    summary : dict
        From :func:`summarise`.
    path : path-like
        Output PNG file.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = [m for m in summary["methods"] if m not in ("baseline", "oracle")]
    panels = [("noise", "by noise kind"), ("model", "by model")]
    fig, axes = plt.subplots(1, len(panels), figsize=(13, 4.5), sharey=True)
    width = 0.8 / len(methods)
    for ax, (field, title) in zip(axes, panels, strict=True):
        gaps = summary[f"gap_by_{field}"]
        groups = [*gaps[methods[0]], "all"]
        for i, method in enumerate(methods):
            values = [gaps[method].get(g, float("nan")) for g in groups[:-1]]
            values.append(summary["aggregate"][method]["gap_closed"])
            positions = np.arange(len(groups)) + (i - (len(methods) - 1) / 2) * width
            ax.bar(positions, 100 * np.asarray(values), width, label=method)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.axhline(100, color="grey", linewidth=0.8, linestyle="--")
        ax.set_xticks(np.arange(len(groups)), groups, rotation=15)
        ax.set_title(f"Gap closed {title}")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("gap closed, % (0 = noisy baseline, 100 = oracle)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(methods), fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)
