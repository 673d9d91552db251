"""How the published report models engines other than the pinned vLLM (tests/bench/engines.py)."""

from __future__ import annotations

import pytest

from tests.bench.engines import sglang_memory_fraction


def _point(version: str, tp: int, gpu: str = "nvidia-h100-sxm") -> dict[str, object]:
    return {"engine": "sglang", "engine_version": version, "tp": tp, "gpu": gpu}


@pytest.mark.parametrize(
    ("version", "tp", "fraction"),
    [
        # Before 0.5, a table by TP degree (server_args.py); 0.3.0 kept 0.83 at TP8 where 0.4 has 0.81.
        ("0.3.0", 1, 0.88),
        ("0.3.0", 8, 0.83),
        ("0.4.0.x (unstated; lmsysorg/sglang:latest)", 4, 0.85),
        ("0.4.0.x (unstated; lmsysorg/sglang:latest)", 8, 0.81),
        # 0.5: 512 MiB + 1.5 x 8192 chunked-prefill tokens + 2 x 256 graph batch + 1/8 GiB out of 81559 MiB.
        ("0.5.5.post1", 1, round((81559 - (512 + 8192 * 1.5 + 256 * 2 + 128)) / 81559, 3)),
        # At TP8 the largest graph batch is 512 and the TP term a whole GiB.
        ("0.5.5.post1", 8, round((81559 - (512 + 8192 * 1.5 + 512 * 2 + 1024)) / 81559, 3)),
    ],
)
def test_sglang_static_memory_share_follows_its_release(version: str, tp: int, fraction: float) -> None:
    assert sglang_memory_fraction(_point(version, tp)) == fraction


def test_sglang_05_reserves_by_the_gpus_memory_tier() -> None:
    # An L4 (23034 MiB) is in the < 35 GiB tier: 2048 chunked-prefill tokens and a 24-sequence graph batch at TP1.
    l4 = sglang_memory_fraction(_point("0.5.3.post3", 1, "nvidia-l4"))
    assert l4 == round((23034 - (512 + 2048 * 1.5 + 24 * 2 + 128)) / 23034, 3)
