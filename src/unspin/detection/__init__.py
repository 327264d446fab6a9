"""Detect: the calibrated spin score of a document and its suspicious spans."""
