"""``unspin`` command line: restore, detect, trace, index, eval.

Exit codes: 0 ok, 1 error (bad input, missing file), 2 usage, 3 ``detect --fail-above`` hit.
Each capability registers its own subcommands (``unspin.cli.<name>.register``); this module
only builds the parser and maps errors to exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import UnspinError, UsageError

# Modules that add subcommands; each has register(subparsers, eval_subparsers).
_COMMAND_MODULES = ("restore", "detect", "trace")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unspin",
        description="Detect machine-spun text, restore its original wording, and trace it to its source.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"unspin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    eval_parser = sub.add_parser("eval", help="measure quality on labelled data")
    eval_sub = eval_parser.add_subparsers(dest="eval_command", metavar="WHAT")
    eval_sub.required = True
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"unspin.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"unspin.cli.{name}":
                raise
            continue
        module.register(sub, eval_sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as e:
        parser.print_usage(sys.stderr)
        print(f"unspin: error: {e}", file=sys.stderr)
        return 2
    except UnspinError as e:
        print(f"unspin: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `unspin ... | head`: the reader went away; not an error of ours.
        try:
            sys.stdout = None  # type: ignore[assignment]
        finally:
            return 0


if __name__ == "__main__":
    sys.exit(main())
