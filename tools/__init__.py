"""Development tools, grouped by job; run from the repository root as modules,
e.g. ``python -m tools.build.build_lexicon``."""
