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


def test_quick_harness_writes_the_paired_verdict(tmp_path):
    """make bench-quick's path end to end (bench-check sets BENCH_BUILD): the
    harness runs every benchmark at reduced sizes and writes bench.json with
    one paired round, its probes and the verdict rows. Only the shape is
    checked; the numbers are the machine's."""
    build = os.environ.get("BENCH_BUILD")
    if not build:
        pytest.skip("BENCH_BUILD not set (make bench-check sets it)")
    import json
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = subprocess.run([sys.executable, "tests/bench/run_bench.py", "--quick", "--build", build, "--out",
                        str(tmp_path)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 0, p.stderr[-2000:]
    raw = json.loads((tmp_path / "bench.json").read_text())
    assert len(raw["scale_rounds"]) == 1
    assert len(raw["host_memory"]["each"]) == 2
    for what in ("cli", "model"):
        ps = raw["scale_paired"][what]
        assert len(ps["each"]) == 1 and ps["median"] == ps["each"][0]
        assert 0.5 < ps["median"] < 2.0
    metrics = [r["metric"] for r in raw["rows"]]
    assert any(m.startswith("exponent b, 1x to 100x: CLI") for m in metrics)
    assert any(m.startswith("exponent b, 1x to 100x: model alone") for m in metrics)
    assert any(m.startswith("  round 1: b CLI / model") for m in metrics)
    assert (tmp_path / "bench.txt").read_text().count("exponent b") == 2
