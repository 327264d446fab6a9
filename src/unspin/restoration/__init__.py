"""Restore: candidate originals, the noisy-channel decoder and the configured pipeline."""
