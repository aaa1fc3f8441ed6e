"""Command line: ``python -m noisy_sklearn [demo | audit FILE --target COLUMN]``."""

import argparse
import sys


def build_parser():
    """The argument parser of the ``noisy-sklearn`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="noisy-sklearn",
        description="Learning with noisy labels for scikit-learn classifiers.",
    )
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser(
        "demo", help="digits with wrong labels: every strategy against doing nothing"
    )
    demo.add_argument("--noise-rate", type=float, default=0.3)
    demo.add_argument(
        "--kind", choices=["symmetric", "pair", "random"], default="symmetric"
    )
    demo.add_argument("--random-state", type=int, default=0)
    demo.add_argument("--n-jobs", type=int, default=None)
    audit = commands.add_parser(
        "audit", help="flag the suspicious labels of a CSV or Parquet table"
    )
    audit.add_argument("path", help="CSV or Parquet file")
    audit.add_argument("--target", required=True, help="name of the label column")
    audit.add_argument(
        "--model", choices=["logistic", "forest", "boosting"], default="logistic"
    )
    audit.add_argument(
        "--output",
        default=None,
        help="CSV of suspicious rows (default: <input>_label_issues.csv)",
    )
    audit.add_argument(
        "--drop",
        nargs="*",
        default=[],
        metavar="COLUMN",
        help="columns to leave out of the features",
    )
    audit.add_argument("--cv", type=int, default=5)
    audit.add_argument("--n-jobs", type=int, default=None)
    audit.add_argument("--random-state", type=int, default=0)
    return parser


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        Process exit status.
    """
    args = build_parser().parse_args(argv)
    if args.command == "audit":
        from ._audit import audit_main

        return audit_main(args)
    if args.command in (None, "demo"):
        from ._demo import run_demo

        run_demo(
            noise_rate=getattr(args, "noise_rate", 0.3),
            kind=getattr(args, "kind", "symmetric"),
            random_state=getattr(args, "random_state", 0),
            n_jobs=getattr(args, "n_jobs", None),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
