"""Detect: the calibrated spin score of a document and its suspicious spans.

:mod:`.detector` (the pipeline, :class:`~.detector.DetectConfig`, :func:`~.detector.detect`),
:mod:`.scan` (the rare-synonym scan per token), :mod:`.spans` (suspicious stretches and their
likely originals), :mod:`.model` (the model file and its logistic regressions).
"""
