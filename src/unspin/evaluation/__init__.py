"""Quality measurement behind ``unspin eval``: data loading, metrics and per-capability runs."""
