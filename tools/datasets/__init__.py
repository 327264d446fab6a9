"""Make evaluation and training data sets (written under build/ or /tmp, never shipped)."""
