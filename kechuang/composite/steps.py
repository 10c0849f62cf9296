"""The arithmetic of each step on plain arrays (one indicator column, or the score vector).

NaN marks a missing value throughout; every function leaves NaN where it found it.
"""

from __future__ import annotations

import numpy as np


def outlier_bounds(column: np.ndarray, k: float) -> tuple[float, float, float, float]:
    """(mean, population SD, lower bound, upper bound) of the non-missing values, the bounds
    being mean ∓ k·SD."""
    observed = column[~np.isnan(column)]
    mean = float(observed.mean())
    sd = float(observed.std())
    return mean, sd, mean - k * sd, mean + k * sd


def winsorise(column: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Values strictly beyond a bound become the bound."""
    out = column.copy()
    observed = ~np.isnan(out)
    out[observed & (out > upper)] = upper
    out[observed & (out < lower)] = lower
    return out


def is_constant(column: np.ndarray) -> bool:
    observed = column[~np.isnan(column)]
    lo, hi = float(observed.min()), float(observed.max())
    return hi - lo <= 1e-12 * max(1.0, abs(lo), abs(hi))


def minmax(column: np.ndarray, direction: str) -> tuple[np.ndarray, float, float]:
    """0–100 scores: (x − min)/(max − min)·100, or (max − x)/(max − min)·100 for "lower"; a
    constant column scores 50. Returns (scores, min, max)."""
    lo, hi = float(np.nanmin(column)), float(np.nanmax(column))
    if is_constant(column):
        return np.where(np.isnan(column), np.nan, 50.0), lo, hi
    if direction == "lower":
        scores = (hi - column) / (hi - lo) * 100.0
    else:
        scores = (column - lo) / (hi - lo) * 100.0
    return scores, lo, hi


def zscore(column: np.ndarray, direction: str) -> tuple[np.ndarray, float, float]:
    """(x − mean)/SD with the population SD, sign reversed for "lower"; a constant column scores
    0. Returns (scores, mean, SD)."""
    mean, sd = float(np.nanmean(column)), float(np.nanstd(column))
    if is_constant(column):
        return np.where(np.isnan(column), np.nan, 0.0), mean, sd
    scores = (column - mean) / sd
    return (-scores if direction == "lower" else scores), mean, sd


def weighted_mean(values: np.ndarray, weights: np.ndarray, geometric: bool) -> np.ndarray:
    """Row-wise weighted mean of `values` (rows × columns) over each row's non-missing cells,
    the weights renormalised over those cells; NaN for a row with none. Geometric:
    exp(Σ w·ln x / Σ w), for positive values."""
    present = ~np.isnan(values)
    w = np.where(present, weights[None, :], 0.0)
    total = w.sum(axis=1)
    filled = np.where(present, values, 1.0 if geometric else 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if geometric:
            out = np.exp((w * np.log(filled)).sum(axis=1) / total)
        else:
            out = (w * filled).sum(axis=1) / total
    out[total <= 0] = np.nan
    return out


def competition_ranks(scores: np.ndarray, decimals: int = 6) -> np.ndarray:
    """Rank 1 for the highest score; scores equal to `decimals` decimals share a rank and the
    next one is skipped (1, 2, 2, 4). NaN scores get rank 0 (not ranked)."""
    rounded = np.round(scores, decimals)
    valid = ~np.isnan(rounded)
    ranks = np.zeros(len(scores), dtype=np.int64)
    ranked = rounded[valid]
    ranks[valid] = 1 + (ranked[None, :] > ranked[:, None]).sum(axis=1)
    return ranks
