"""Placeholder while the decoder is written (replaced in the next commit)."""
from __future__ import annotations
from dataclasses import dataclass
from .results import Restoration


@dataclass(frozen=True)
class RestoreConfig:
    fingerprints: bool = True
    backend: str = "ngram"


def restore(text: str, config: RestoreConfig | None = None, **options) -> Restoration:
    return Restoration(input=text, text=text, edits=[])


def restore_many(texts, config: RestoreConfig | None = None):
    for t in texts:
        yield restore(t, config)
