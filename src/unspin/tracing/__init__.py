"""Trace: a spin-robust source index, search over it, and the aligned evidence of a match."""
