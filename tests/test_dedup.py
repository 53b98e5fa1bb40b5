import numpy as np

from skillwarden.core.mining.dedup import best_matches, clusters, exact_cosines, project, similar_pairs, tfidf_vectors

FIX = (
    "Use when the task is to fix failing test. Procedure: run pytest, read the .py file, edit the .py file, run pytest."
)
FIX_AGAIN = (
    "Use when the task is to fix a failing test. Procedure: run pytest, read the .py file, edit the .py file, "
    "run pytest"
)
RELEASE = "Use when the task is to release version. Procedure: edit CHANGELOG.md, edit pyproject.toml, run git tag."


def dense_cosines(texts):
    vectors = tfidf_vectors(texts)
    dense = np.zeros((len(texts), 1 << 20), dtype=np.float32)
    dense[vectors.row_ids(), vectors.features] = vectors.weights
    return dense @ dense.T


def test_vectors_are_l2_normalized_tfidf():
    vectors = tfidf_vectors([FIX, RELEASE, ""])
    norms = np.sqrt(np.bincount(vectors.row_ids(), weights=vectors.weights.astype(np.float64) ** 2, minlength=3))
    assert np.allclose(norms[:2], 1.0, atol=1e-5) and norms[2] == 0


def test_exact_cosines_match_a_dense_product():
    texts = [FIX, FIX_AGAIN, RELEASE, "something else entirely"]
    expected = dense_cosines(texts)
    pairs = np.array([(i, j) for i in range(4) for j in range(4) if i != j])
    got = exact_cosines(tfidf_vectors(texts), pairs)
    assert np.allclose(got, [expected[i, j] for i, j in pairs], atol=1e-5)


def test_projection_keeps_cosines_close():
    texts = [FIX, FIX_AGAIN, RELEASE]
    projected = project(tfidf_vectors(texts))
    assert np.allclose(projected @ projected.T, dense_cosines(texts), atol=0.12)


def test_near_duplicates_merge_and_distinct_texts_do_not():
    pairs = similar_pairs([FIX, RELEASE, FIX_AGAIN], threshold=0.85)
    assert [(i, j) for i, j, _ in pairs] == [(0, 2)]
    assert clusters(3, pairs) == [[0, 2], [1]]
    assert similar_pairs([FIX, FIX_AGAIN], threshold=0.999) == []


def test_the_threshold_is_exact_across_blocks(monkeypatch):
    import skillwarden.core.mining.dedup

    monkeypatch.setattr(skillwarden.core.mining.dedup, "BLOCK_ROWS", 2)
    texts = [RELEASE, FIX, "x", "y", FIX_AGAIN, RELEASE + " "]
    assert [(i, j) for i, j, _ in similar_pairs(texts)] == [(0, 5), (1, 4)]


def test_best_matches_against_a_library():
    assert best_matches([RELEASE, FIX, "nothing like it"], [FIX_AGAIN, RELEASE]) == [1, 0, None]
    assert best_matches([FIX], []) == [None]
