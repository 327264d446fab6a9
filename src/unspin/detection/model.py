"""The detector's model file (``data/detector.json``) and its logistic regressions.

:class:`Model` is the shipped detector's parameters: the token model, the two document models
(with and without restoration's features), smoothing priors and pseudo-counts, span thresholds
and the weight of a fingerprint hit. :func:`fit_logreg` fits them (``tools/fit/fit_detector.py``).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..errors import UnspinError


@dataclass
class LogReg:
    """One logistic regression of the model file, over standardised features."""

    names: list[str]
    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def from_dict(cls, d: dict) -> "LogReg":
        return cls(list(d["features"]), np.asarray(d["coef"], float), float(d["intercept"]),
                   np.asarray(d["mean"], float), np.asarray(d["scale"], float))

    def to_dict(self) -> dict:
        return {"features": self.names, "coef": [round(float(x), 6) for x in self.coef],
                "intercept": round(float(self.intercept), 6),
                "mean": [round(float(x), 6) for x in self.mean], "scale": [round(float(x), 6) for x in self.scale]}

    def logit(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale) @ self.coef + self.intercept

    def prob(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logit(X), -30, 30)))


def fit_logreg(X: np.ndarray, y: np.ndarray, names: Sequence[str], l2: float = 1.0,
               weights: np.ndarray | None = None, iters: int = 50) -> LogReg:
    """L2-regularised logistic regression by Newton's method on standardised features."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, float)
    mean = X.mean(0)
    scale = X.std(0)
    scale[scale < 1e-9] = 1.0
    Z = np.hstack([(X - mean) / scale, np.ones((len(y), 1))])
    beta = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ beta, -30, 30)))
        g = Z.T @ (w * (p - y)) + reg * beta
        H = (Z * (w * p * (1 - p))[:, None]).T @ Z + np.diag(reg) + 1e-9 * np.eye(Z.shape[1])
        step = np.linalg.solve(H, g)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return LogReg(list(names), beta[:-1], float(beta[-1]), mean, scale)


TOKEN_FEATURES = ["gain", "gain_over_4", "gain_over_8", "lse_gain", "lse_over_4", "freq_gain", "gain_x_freq",
                  "rarity", "surprisal", "moby_head", "wordnet", "no_candidate", "capital"]
DOC_FEATURES = ["glr_low", "glr_high", "tok_mean", "strong_rate", "rare_rate", "nocand_rate", "rarity_mean",
                "better_rate", "phrase_rate", "phrase_gain"]
# The denominator of each smoothed rate of the document model (a key of Detector.raw_rates).
RATE_OF = {"tok_mean": "n", "strong_rate": "n", "rare_rate": "n", "nocand_rate": "n", "rarity_mean": "n",
           "better_rate": "cand_n", "phrase_rate": "words", "phrase_gain": "words"}
RESTORE_FEATURES = ["edit_rate", "edit_conf"]
# Substitution rates of the two likelihood-ratio sums (light and heavy spinning).
GLR_RATES = {"glr_low": 0.05, "glr_high": 0.2}



@dataclass
class Model:
    """The shipped detector: token model, document model, smoothing, and the weight of a
    fingerprint hit (``fp_llr``: log-likelihood ratio per hit, spun vs clean, added to the
    document log-odds; fitted from hit rates, not by the regression)."""

    token: LogReg
    doc: LogReg
    priors: dict[str, float]
    pseudo: dict[str, float]
    span_threshold: float
    fp_llr: float
    info: dict
    doc_restore: LogReg | None = None  # document model with the restoration features (restore=True)
    span_low: float | None = None  # hysteresis: neighbours of a suspicious token join it from this probability
    span_gap: int = 0              # function words a span may bridge (see build_spans)
    # Learned spinner swaps per 100 words at which the cascade restores a document the scan
    # scores under 0.5: the 99th percentile on clean training prose (Detector.learned_swaps).
    swap_rate: float | None = None
    # Share of the phrases that make spans (spans.PHRASE_SPAN_GAIN) a spinner wrote, in the spun
    # training text: such a phrase's span probability. None: phrases make no spans.
    phrase_p: float | None = None

    @classmethod
    def load(cls, path=None) -> "Model":
        if path is None:
            path = resources.files("unspin") / "data" / "detector.json"
        try:
            raw = path.read_text(encoding="utf-8") if hasattr(path, "read_text") else open(path, encoding="utf-8").read()
        except FileNotFoundError:
            raise UnspinError(f"detector model not found: {path} (run tools/fit/fit_detector.py)") from None
        except (OSError, UnicodeDecodeError) as e:
            raise UnspinError(f"cannot read the detector model {path}: {e}") from None
        try:
            d = json.loads(raw)
            dr = d.get("doc_restore")
            return cls(LogReg.from_dict(d["token"]), LogReg.from_dict(d["doc"]), d["priors"], d["pseudo"],
                       float(d["span_threshold"]), float(d["fp_llr"]), d.get("info", {}),
                       LogReg.from_dict(dr) if dr else None,
                       float(d["span_low"]) if d.get("span_low") is not None else None, int(d.get("span_gap", 0)),
                       float(d["swap_rate"]) if d.get("swap_rate") is not None else None,
                       float(d["phrase_p"]) if d.get("phrase_p") is not None else None)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            # A hand-given file (eval detect --model) may be anything: one line, never a traceback.
            raise UnspinError(f"{path}: not a detector model ({type(e).__name__}: {e})") from None

    def to_dict(self) -> dict:
        return {"format": "unspin-detector/3", "token": self.token.to_dict(), "doc": self.doc.to_dict(),
                "priors": self.priors, "pseudo": self.pseudo, "span_threshold": self.span_threshold,
                "span_low": self.span_low, "span_gap": self.span_gap, "swap_rate": self.swap_rate,
                "phrase_p": self.phrase_p,
                "fp_llr": self.fp_llr, "doc_restore": self.doc_restore.to_dict() if self.doc_restore else None,
                "info": self.info}


@functools.lru_cache(maxsize=1)
def shipped_model() -> Model:
    return Model.load()


def sigmoid(z: float) -> float:
    """1 / (1 + e^-z), without overflow."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-min(z, 50.0)))
    e = math.exp(max(z, -50.0))
    return e / (1.0 + e)


def logit(p: float) -> float:
    """ln(p / (1 - p)), ``p`` clipped to [1e-6, 1 - 1e-6]."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
