"""search.grouping computes datasketch's MinHash values and LSH parameters
itself (the reindex does not import datasketch): the same permutations and
signatures as datasketch's own MinHash for the same shingles, so signatures
stored in earlier generations' groups.npz stay comparable, and the same bands
and rows as its MinHashLSH for a threshold."""

import random

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from search import grouping
from search.analysis.analyzer import KoreanAnalyzer


def datasketch_signature(found: set[bytes]) -> np.ndarray:
    minhash = MinHash(num_perm=grouping.NUM_PERM, seed=grouping.SEED)
    minhash.update_batch(list(found))
    return minhash.hashvalues.astype(np.uint32)


def test_the_signature_of_analysed_text_is_datasketchs():
    analyzer = KoreanAnalyzer()
    body = ("삼성전자가 반도체 공장을 세우기로 했다고 9일 밝혔다. 정부는 인공지능 데이터센터 협력을 "
            "약속했고, 文 대통령은 수출 180조원 목표를 말했다. 카카오와 네이버의 클라우드도 나섰다.")
    tokens = {"body": analyzer.token_tuples(body), "subtitles": analyzer.token_tuples("반도체 수출 협력")}
    found = grouping.shingles(tokens)
    assert len(found) >= grouping.MIN_SHINGLES
    ours = grouping.signature(tokens)
    assert ours.dtype == np.uint32 and ours.shape == (grouping.NUM_PERM,)
    assert np.array_equal(ours, datasketch_signature(found))


def test_signatures_of_random_shingle_sets_are_datasketchs(monkeypatch):
    rng = random.Random(13)
    for size in (grouping.MIN_SHINGLES, 9, 50, 400, 3000):
        found = {rng.randbytes(rng.randint(0, 24)) for _ in range(size)}
        monkeypatch.setattr(grouping, "shingles", lambda tokens, found=found: found)
        assert np.array_equal(grouping.signature({}), datasketch_signature(found)), size


def test_the_modulus_by_shifts_agrees_with_numpys_at_the_edges():
    # Products wrap at 2**64 before the modulus (as in datasketch); the folded
    # modulus must match numpy's % for values at and around multiples of p.
    p = (1 << 61) - 1
    edges = [0, 1, p - 1, p, p + 1, 2 * p, 2 * p + 1, (1 << 61), (1 << 62), (1 << 64) - 1, (1 << 64) - 2,
             7 * p, 8 * p - 1, 8 * p, (1 << 63) + 12345]
    x = np.array(edges + [random.Random(5).getrandbits(64) for _ in range(10_000)], dtype=np.uint64)
    assert grouping._mod_mersenne_61(x).tolist() == (x % np.uint64(p)).tolist()


def test_the_permutations_are_datasketchs():
    a, b = MinHash(num_perm=grouping.NUM_PERM, seed=grouping.SEED).permutations
    ours_a, ours_b = grouping._permutations()
    assert np.array_equal(ours_a, a) and np.array_equal(ours_b, b)


def test_bands_and_rows_are_those_datasketchs_lsh_chooses():
    thresholds = [grouping.EVENT_THRESHOLD, grouping.NEAR_COPY_THRESHOLD] + [round(0.05 * k, 2) for k in range(1, 20)]
    for threshold in thresholds:
        # MinHashLSH weighs false positives and negatives equally by default.
        assert grouping.lsh_parameters(threshold) == _optimal_param(threshold, grouping.NUM_PERM, 0.5, 0.5), threshold
