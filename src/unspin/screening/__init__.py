"""Corpus-scale screening: JSONL/Parquet corpora annotated through :mod:`unspin.annotate`,
on one machine (:func:`screen`, resumable) or on Ray (:func:`ray_screen`). See docs/screen.md."""

from .local import ScreenJob, screen

__all__ = ["ScreenJob", "screen", "ray_screen", "RayAnnotator"]


def __getattr__(name):
    # Ray is an optional extra: imported only when its API is asked for.
    if name in ("ray_screen", "RayAnnotator", "ray_screen_files"):
        from . import ray_engine

        return getattr(ray_engine, name)
    raise AttributeError(name)
