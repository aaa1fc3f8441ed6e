"""Markdown page of the speed benchmark (see bench_speed.py)."""

import os

import numpy as np
from _speed_tasks import CV, FIT_ROUNDS, N_FEATURES, REPEAT_BELOW_SECONDS


def _pct(part, whole):
    return f"{100 * part / whole:.1f}%"


def write_markdown(result, path):
    """Render the results as the markdown page the docs include."""
    lines = [
        "# Speed",
        "",
        f"Command: `{result['command']}` — {result['elapsed_seconds']:.0f}s in all.",
        "Versions: "
        + ", ".join(f"{k} {v}" for k, v in result["versions"].items() if v),
        "",
        f"Synthetic data: {N_FEATURES} features, 20 % symmetric label noise; "
        f"{CV} folds; BLAS and OpenMP on one thread.",
        "Models: " + "; ".join(f"`{k}` = `{v}`" for k, v in result["models"].items()),
        "",
        "## Fit time (n_jobs=1)",
        "",
        '`strategy="prune"` (CleanLearning\'s work: the folds and one fit '
        "of the pruned data): model = time inside the model's own fit and "
        "predict_proba calls; overhead = everything else. The default "
        '(`"prune_reweight"`) adds a second final fit; its total and '
        'overhead are in the last columns. "Ours, confident-joint T" is '
        '`strategy="prune"` with `transition_method="confident_joint"`: '
        "CleanLearning's own estimator of T instead of our default "
        "maximum-likelihood one. Ours, ours with the confident-joint T and "
        f"CleanLearning run in rounds (up to {FIT_ROUNDS}, another while a "
        f"round takes under {REPEAT_BELOW_SECONDS:.0f}s; the order alternates); "
        "each keeps its fastest run, and a ratio to CleanLearning is the "
        "median of the ratios within a round (this machine's speed drifts "
        "by up to 1.6x within minutes). The default is timed once. Every "
        "run's total is in the JSON.",
        "",
    ]
    has_cl = any("cleanlearning" in row for row in result["fits"])
    header = "| model | n | K | total s | model s | overhead s | overhead % |"
    rule = "|---|---|---|---|---|---|---|"
    if has_cl:
        header += " CleanLearning s | its overhead s | ours / CleanLearning |"
        rule += "---|---|---|"
    has_cj = any("ours_cj" in row for row in result["fits"])
    if has_cj:
        header += " ours, confident-joint T: total s | overhead s |"
        rule += "---|---|"
        if has_cl:
            header += " / CleanLearning |"
            rule += "---|"
    header += " default total s | default overhead % |"
    rule += "---|---|"
    lines += [header, rule]
    for row in result["fits"]:
        ours = row["ours"]
        cells = [
            row["model"],
            f"{row['n_samples']:,}",
            str(row["n_classes"]),
            f"{ours['total']:.2f}",
            f"{ours['inner_fit'] + ours['inner_predict']:.2f}",
            f"{ours['overhead']:.3f}",
            _pct(ours["overhead"], ours["total"]),
        ]
        if has_cl:
            cl = row.get("cleanlearning")
            cells += (
                [
                    f"{cl['total']:.2f}",
                    f"{cl['overhead']:.3f}",
                    f"{row['ours_per_cleanlearning']:.2f}",
                ]
                if cl
                else ["-", "-", "-"]
            )
        if has_cj:
            cj = row.get("ours_cj")
            cells += (
                [f"{cj['total']:.2f}", f"{cj['overhead']:.3f}"] if cj else ["-", "-"]
            )
            if has_cl:
                cl = row.get("cleanlearning")
                cells.append(
                    f"{row['ours_cj_per_cleanlearning']:.2f}" if cj and cl else "-"
                )
        default = row.get("default")
        cells += (
            [f"{default['total']:.2f}", _pct(default["overhead"], default["total"])]
            if default
            else ["-", "-"]
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines += _same_folds_lines(result["fits"])
    lines += _parallel_lines(result.get("parallel"))
    weighted = result.get("weights")
    if weighted:
        lines += [
            "",
            "## What sample weights cost the model",
            "",
            "Fits without and with per-class sample weights, the fastest of "
            "three each (CleanLearning weights its final fit this way; our "
            '`"reweight"` half of the default passes per-sample weights), and '
            "with one weight for every sample (0.5 or 2): what the scale of the "
            "weights alone costs.",
            "",
            "| model | n | K | unweighted s | class-weighted s | all weights "
            "0.5 s | all weights 2 s |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {row['model']} | {row['n_samples']:,} | {row['n_classes']} | "
            f"{row['unweighted']:.2f} | {row['class_weighted']:.2f} | "
            + " | ".join(
                f"{row[key]:.2f}" if key in row else "-"
                for key in ("uniform_0.5", "uniform_2")
            )
            + " |"
            for row in weighted
        ]
    mem = result.get("memory")
    if mem:
        lines += [
            "",
            "## Peak memory",
            "",
            f"SGD, n = {mem['n_samples']:,}, K = {mem['n_classes']}: X is "
            f"{mem['X_bytes'] / 2**20:.0f} MiB; the fit's peak traced memory "
            f"beyond it is {mem['peak_bytes'] / 2**20:.0f} MiB = "
            f"**{mem['ratio']:.2f} x X**.",
        ]
    funcs = result.get("functions")
    if funcs:
        lines += [
            "",
            "## Array functions (one core)",
            "",
            f"n = {funcs['n_samples']:,}, K = {funcs['n_classes']}, synthetic "
            "probabilities (standard normal logits, +3 on the label).",
            "",
            "| function | seconds |",
            "|---|---|",
        ]
        lines += [f"| `{k}` | {v:.2f} |" for k, v in funcs["seconds"].items()]
    path.write_text("\n".join(lines) + "\n")


def _span(values):
    """``lowest-highest`` of a list of ratios, ``-`` when absent."""
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{min(values):.3f}-{max(values):.3f}"


def _same_folds_lines(fits):
    rows = [row for row in fits if "same_folds" in row]
    if not rows:
        return []
    lines = [
        "",
        "### Where ours and CleanLearning differ",
        "",
        '`strategy="prune"` against CleanLearning, split into what both do '
        "alike and what differs. Both fit the same folds with the same model "
        "and seed, so the fold fits are the same computations; they count "
        "once here, at the median over every run of both (their spread is "
        "this machine's drift). The final fits differ in the samples they "
        "see (each method chooses its own samples to drop) and in their "
        "per-class weights; the overhead is our estimation and flagging "
        "against its own. Medians over the rounds; the last column is the "
        "same ratio within each round (one run of each), lowest to highest.",
        "",
        "| model | n | K | fold fits s | final fit rows: ours / CL | final fit "
        "s: ours / CL | overhead s: ours / CL | ours / CleanLearning, fold "
        "fits once | per round |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        same = row["same_folds"]
        lines.append(
            f"| {row['model']} | {row['n_samples']:,} | {row['n_classes']} | "
            f"{same['fold_fits']:.2f} | {same['ours_final_rows']:,} / "
            f"{same['cl_final_rows']:,} | {same['ours_final_fit']:.2f} / "
            f"{same['cl_final_fit']:.2f} | {same['ours_overhead']:.3f} / "
            f"{same['cl_overhead']:.3f} | {same['ratio']:.3f} | "
            f"{_span(same.get('round_ratios'))} |"
        )
    return lines


def _pair_span(pair):
    """Lowest and highest n_jobs=1 / n_jobs=2 ratio over the pairs."""
    ratios = np.divide(pair["n_jobs=1"], pair["n_jobs=2"])
    return f"x{ratios.min():.2f}-x{ratios.max():.2f}"


def _parallel_lines(workloads):
    """The parallel section: one paragraph and one table per workload."""
    if not workloads:
        return []
    rounds = -(-CV // 2)
    lines = [
        "",
        "## Parallel folds",
        "",
        "SGD (single-threaded). Fold phase = the wall time of the out-of-fold "
        "step (dispatch, fold fits and predictions, gathering), "
        '`strategy="prune"`. Pairs of back-to-back runs with n_jobs=1 and '
        "n_jobs=2 (worker processes already running; which goes first "
        "alternates), and the median of the pairs' ratios, with their lowest "
        "and highest in brackets "
        f"(cpu_count {os.cpu_count()}). With {CV} folds on 2 workers the "
        f"ceiling is x{CV / rounds:.2f} ({rounds} rounds of fits); with 4, x2.",
    ]
    for par in workloads:
        speedups = {
            name: f"x{value:.2f} ({_pair_span(par['runs'][name])})"
            for name, value in par["speedups"].items()
        }
        lines += [
            "",
            f"### n = {par['n_samples']:,}, K = {par['n_classes']}",
            "",
            f"- our fold phase, cv={CV}: **{speedups[f'ours_cv{CV}']}**;",
            f"- the same {CV} fold fits alone through joblib (nothing else): "
            f"{speedups[f'raw_cv{CV}']}: what this machine gives;",
            f"- our fold phase, cv=4: {speedups['ours_cv4']};",
            "- the whole default fit (its two final fits in parallel too): "
            f"{speedups['default_fit']}.",
            "",
            f"A first call, which also starts the workers: fold phase "
            f"{par['folds_n_jobs=2_cold']:.2f}s against "
            f"{par['runs'][f'ours_cv{CV}']['n_jobs=1'][0]:.2f}s with n_jobs=1 "
            f"(x{par['speedup_cold']:.2f}).",
            "",
            "| pair | "
            + " | ".join(f"{name} n_jobs=1 / 2 s" for name in par["runs"])
            + " |",
            "|---|" + "---|" * len(par["runs"]),
        ]
        lines += [
            f"| {i + 1} | "
            + " | ".join(
                f"{pair['n_jobs=1'][i]:.2f} / {pair['n_jobs=2'][i]:.2f}"
                for pair in par["runs"].values()
            )
            + " |"
            for i in range(par["pairs"])
        ]
    return lines
