"""test_run_bench.py — the arithmetic behind make bench's scaling verdict.

run_bench.py judges the size exponent on paired rounds (1x then 100x, each
round its own b) and classifies each round by the memory probes around it.
These tests pin that arithmetic with hand-computed cases; the timings
themselves are the machine's and are not judged by make test.
"""
import math
import os
import sys

import pytest

sys.dont_write_bytecode = True  # no __pycache__ left in tests/bench
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench as rb  # noqa: E402


def probe(ns16, ns4=12.0):
    return {"chase_kib_4096_ns": ns4, "chase_kib_16384_ns": ns16}


def test_median_odd_even_and_empty():
    assert rb.median([3, 1, 2]) == 2
    assert rb.median([4, 1, 3, 2]) == 2.5
    with pytest.raises(ValueError):
        rb.median([])


def test_size_exponent_is_log_ratio():
    # 100x the size at 1.585x the time per event: b = 1 + log(1.585)/log(100)
    assert rb.size_exponent(1.0, 100.0, 100) == pytest.approx(1.0)
    assert rb.size_exponent(0.0129, 0.0129 * 158.5, 100) == pytest.approx(1 + math.log(1.585) / math.log(100))
    assert rb.size_exponent(2.0, 2.0, 100) == pytest.approx(0.0)


def test_l3_held_is_within_twice_the_4_mib_read():
    assert rb.l3_held(probe(14.0))
    assert rb.l3_held(probe(24.0))       # exactly 2 x 12
    assert not rb.l3_held(probe(24.1))
    assert not rb.l3_held(probe(140.0))


def rnd(b_cli, b_model, quiet):
    # times per replication that give the wanted exponents
    return {"cli_1": 0.013, "cli_k": 0.013 * 100 ** b_cli, "model_1": 0.004, "model_k": 0.004 * 100 ** b_model,
            "quiet": quiet}


def test_paired_scaling_takes_each_rounds_own_pair():
    # A round whose 1x and 100x are both slow (a busy spell over the whole
    # round) has the same b as a fast one: the pair moves together.
    fast = {"cli_1": 0.010, "cli_k": 0.010 * 100 ** 1.08, "model_1": 0.004, "model_k": 0.004 * 100 ** 1.06,
            "quiet": True}
    slow = {k: (v * 1.3 if k != "quiet" else v) for k, v in fast.items()}
    ps = rb.paired_scaling([fast, slow, fast])
    for b in ps["cli"]["each"]:
        assert b == pytest.approx(1.08)
    assert ps["model"]["median"] == pytest.approx(1.06)


def test_paired_scaling_median_over_all_rounds_and_quiet_apart():
    rounds = [rnd(1.09, 1.07, True), rnd(1.15, 1.13, False), rnd(1.12, 1.11, False), rnd(1.08, 1.06, True),
              rnd(1.11, 1.09, False)]
    ps = rb.paired_scaling(rounds)
    # the verdict's figure is the median of all five, busy rounds included
    assert ps["cli"]["median"] == pytest.approx(1.11)
    assert ps["model"]["median"] == pytest.approx(1.09)
    # the quiet rounds' median is given beside it, not instead of it
    assert ps["cli"]["quiet_rounds"] == 2
    assert ps["cli"]["quiet_median"] == pytest.approx(1.085)
    assert ps["model"]["quiet_median"] == pytest.approx(1.065)


def test_paired_scaling_without_quiet_rounds():
    ps = rb.paired_scaling([rnd(1.12, 1.10, False)])
    assert ps["cli"]["quiet_median"] is None
    assert ps["cli"]["quiet_rounds"] == 0
    assert ps["cli"]["median"] == pytest.approx(1.12)
