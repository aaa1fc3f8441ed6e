"""Command line: ``python -m noisy_sklearn [demo]``."""

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
