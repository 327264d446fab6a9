"""Figures and diagnostics: where quality is lost, target rows, evaluation harnesses."""
