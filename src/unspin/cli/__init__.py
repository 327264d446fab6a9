"""The ``unspin`` command line (argparse only): each capability's subcommands live in a module
of this package and call the library; :func:`main` maps errors to exit codes."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
