"""Near-duplicate candidates as numpy vectors: hashed character n-grams, TF-IDF weighted, L2-normalized.

Two candidates whose cosine similarity reaches the threshold are one candidate seen twice. Comparing
every pair exactly would need the full sparse vectors side by side, so pairs are found in two passes,
neither quadratic in memory:

1. every vector is projected to `PROJECTION_DIM` dimensions with a fixed random Gaussian matrix
   (Johnson-Lindenstrauss: cosines survive with a standard error of about (1 - cos²)/√dim), and the
   projections are compared in blocks of `BLOCK_ROWS` rows, keeping pairs within `MARGIN` of the
   threshold (a pair at the threshold would need an error of several standard errors to be missed);
2. those pairs get their exact cosine from the sparse vectors.

A few texts (up to `EXACT_PAIRS` pairs) skip the projection: every pair gets its exact cosine.

Memory is O(candidates × (n-grams + dim) + BLOCK_ROWS × candidates + PROJECTION_ROWS × 2**FOLD_BITS);
time is quadratic, but in BLAS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 0.85
NGRAM_SIZES = (3, 4, 5)
FEATURE_BITS = 20
PROJECTION_DIM = 128
FOLD_BITS = 12  # features fold onto 2**12 dense columns before the projection
PROJECTION_ROWS = 256
TEXT_CHUNK = 4096
BLOCK_ROWS = 512
MARGIN = 0.12
# Up to this many pairs, every pair gets its exact cosine at once: quicker than a projection (a few
# candidates is the common case), and no pair can be missed.
EXACT_PAIRS = 256
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_SEED = 20251121


@dataclass
class SparseVectors:
    """Row i's features are `features[offsets[i]:offsets[i+1]]` (sorted, unique) with `weights` alike."""

    features: np.ndarray  # int64
    weights: np.ndarray  # float32, each row L2-normalized
    offsets: np.ndarray  # int64, len = rows + 1

    @property
    def rows(self) -> int:
        return len(self.offsets) - 1

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.rows, dtype=np.int64), np.diff(self.offsets))


def ngram_features(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, feature hash) of every character n-gram of every text (lower-cased, whitespace collapsed),
    with repeats, computed over all texts at once."""
    encoded = [" ".join(text.lower().split()).encode("utf-8") for text in texts]
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint64)
    row_of_byte = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    rows, features = [], []
    for size in NGRAM_SIZES:
        if len(data) < size:
            continue
        count = len(data) - size + 1
        inside = row_of_byte[:count] == row_of_byte[size - 1 :]  # no n-gram spans two texts
        value = np.full(count, np.uint64(size), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for column in range(size):
                value = (value * _MULTIPLIER) ^ data[column : column + count]
            value = value * _MULTIPLIER
        rows.append(row_of_byte[:count][inside])
        features.append((value[inside] >> np.uint64(64 - FEATURE_BITS)).astype(np.int64))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(features)


def tfidf_vectors(texts: list[str]) -> SparseVectors:
    """Sub-linear TF times smoothed IDF, rows L2-normalized. Texts are counted `TEXT_CHUNK` at a time, so
    the raw n-gram arrays never exist for all texts at once."""
    row_parts, feature_parts, count_parts = [], [], []
    for start in range(0, len(texts), TEXT_CHUNK):
        rows, features = ngram_features(texts[start : start + TEXT_CHUNK])
        keys, counts = np.unique(rows << FEATURE_BITS | features, return_counts=True)  # by row, then feature
        row_parts.append((keys >> FEATURE_BITS) + start)
        feature_parts.append(keys & ((1 << FEATURE_BITS) - 1))
        count_parts.append(counts.astype(np.float32))
    empty = [np.zeros(0, dtype=np.int64)]
    row_ids = np.concatenate(row_parts or empty)
    feature_ids = np.concatenate(feature_parts or empty)
    tf = 1.0 + np.log(np.concatenate(count_parts or empty).astype(np.float32))
    df = np.bincount(feature_ids, minlength=1 << FEATURE_BITS)
    weights = tf * (np.log((1 + len(texts)) / (1 + df[feature_ids])) + 1.0).astype(np.float32)
    norms = np.sqrt(np.bincount(row_ids, weights=weights * weights, minlength=len(texts)))
    weights /= np.where(norms > 0, norms, 1.0).astype(np.float32)[row_ids]
    offsets = np.concatenate(([0], np.cumsum(np.bincount(row_ids, minlength=len(texts))))).astype(np.int64)
    return SparseVectors(feature_ids, weights.astype(np.float32), offsets)


def project(vectors: SparseVectors, dim: int = PROJECTION_DIM) -> np.ndarray:
    """Dense `rows x dim` random projections, L2-normalized: a slice of rows at a time is folded onto
    2**FOLD_BITS dense columns (collisions only add similarity, so no pair is lost) and multiplied by a
    fixed Gaussian matrix in BLAS."""
    matrix = np.random.default_rng(_SEED).standard_normal((1 << FOLD_BITS, dim), dtype=np.float32)
    out = np.zeros((vectors.rows, dim), dtype=np.float32)
    row_ids = vectors.row_ids()
    for start in range(0, vectors.rows, PROJECTION_ROWS):
        stop = min(vectors.rows, start + PROJECTION_ROWS)
        lo, hi = vectors.offsets[start], vectors.offsets[stop]
        cells = (row_ids[lo:hi] - start) << FOLD_BITS | (vectors.features[lo:hi] & ((1 << FOLD_BITS) - 1))
        dense = np.bincount(cells, weights=vectors.weights[lo:hi], minlength=(stop - start) << FOLD_BITS)
        out[start:stop] = dense.reshape(stop - start, -1).astype(np.float32) @ matrix
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def exact_cosines(vectors: SparseVectors, pairs: np.ndarray) -> np.ndarray:
    """Exact cosine of each (i, j) pair, by looking up i's features among j's (sorted keys)."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.float32)
    keys = vectors.row_ids() << FEATURE_BITS | vectors.features  # sorted: rows ascend, features sorted
    result = np.zeros(len(pairs), dtype=np.float64)
    chunk = 20000
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        lengths = np.diff(vectors.offsets)[part[:, 0]]
        pair_index = np.repeat(np.arange(len(part)), lengths)
        starts = np.repeat(vectors.offsets[part[:, 0]], lengths)
        within = np.arange(len(pair_index)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        positions = starts + within
        wanted = np.repeat(part[:, 1], lengths) << FEATURE_BITS | vectors.features[positions]
        found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        hit = keys[found] == wanted
        products = np.where(hit, vectors.weights[positions] * vectors.weights[found], 0.0)
        result[start : start + len(part)] = np.bincount(pair_index, weights=products, minlength=len(part))
    return result.astype(np.float32)


def similar_pairs(texts: list[str], threshold: float = DEFAULT_THRESHOLD) -> list[tuple[int, int, float]]:
    """Pairs (i < j) of texts whose TF-IDF cosine is at least `threshold`, with that cosine."""
    if len(texts) < 2:
        return []
    vectors = tfidf_vectors(texts)
    if len(texts) * (len(texts) - 1) // 2 <= EXACT_PAIRS:
        every = np.array([(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))], dtype=np.int64)
        return pairs_at_threshold(vectors, every, threshold)
    projected = project(vectors)
    found = []
    for start in range(0, len(texts), BLOCK_ROWS):
        block = projected[start : start + BLOCK_ROWS] @ projected[start:].T
        rows, columns = np.nonzero(block >= threshold - MARGIN)
        rows, columns = rows + start, columns + start
        keep = columns > rows
        found.append(np.stack([rows[keep], columns[keep]], axis=1))
    return pairs_at_threshold(vectors, np.concatenate(found).astype(np.int64), threshold)


def pairs_at_threshold(vectors: SparseVectors, pairs: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    cosines = exact_cosines(vectors, pairs)
    keep = cosines >= threshold - 1e-6
    return [(int(i), int(j), float(c)) for (i, j), c in zip(pairs[keep], cosines[keep], strict=True)]


def clusters(count: int, pairs: list[tuple[int, int, float]]) -> list[list[int]]:
    """Connected groups of indices (union-find), each sorted, ordered by their first index."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in pairs:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def best_matches(queries: list[str], library: list[str], threshold: float = DEFAULT_THRESHOLD) -> list[int | None]:
    """For each query text, the index of the most similar library text at or above the threshold."""
    if not queries or not library:
        return [None] * len(queries)
    pairs = similar_pairs(queries + library, threshold)
    best: dict[int, tuple[float, int]] = {}
    for i, j, cosine in pairs:
        if i < len(queries) <= j:
            current = best.get(i)
            if current is None or cosine > current[0]:
                best[i] = (cosine, j - len(queries))
    return [best[i][1] if i in best else None for i in range(len(queries))]
