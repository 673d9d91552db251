"""Replicas for an open-loop request rate: the fewest whose share of the rate meets the objectives, queue stable.

Holds `rate_performance`, the model the published request-rate points are checked with
(tests/bench/published_report.py): by Little's law a replica at rate r holds r × its own latency requests at once.
Pure arithmetic, no catalog. Units: seconds, requests/s.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from inferstack.planning.sizing import Accelerator, Efficiency, Precision, Shape
from inferstack.planning.throughput import Objectives, Performance, performance

Cap = Literal["max_num_seqs", "KV cache"]


def rate_performance(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    rate: float,
    max_running: int | None = None,
    limit: int = 4096,
) -> Performance | None:
    """Steady state of an open-loop request `rate` (requests/s, e.g. Poisson arrivals): None when it is never met.

    By Little's law the engine holds rate × (TTFT + output × TPOT) requests at once; `performance` at n clients serves
    n / that latency, so the steady state is the smallest n whose request rate reaches `rate`. Every arrival's prefill
    then interrupts the decode of the others (the part `Efficiency.prefill_stall` does not hide).
    """

    def at(clients: int) -> Performance:
        return performance(
            shape, acc, prec, eff, prompt=prompt, output=output, concurrency=clients, max_running=max_running
        )

    low, high = 1, limit
    if at(high).requests_per_s < rate:
        return None
    # Requests/s grows with the clients (each cycle serves more of them): bisect for the first n that keeps up.
    while low < high:
        mid = (low + high) // 2
        if at(mid).requests_per_s >= rate:
            high = mid
        else:
            low = mid + 1
    steady = at(low)
    slots = min(limit, max_running) if max_running is not None else limit
    busy = rate * (steady.ttft_s + output * steady.tpot_s)
    if busy >= slots:
        return None  # every slot is always busy: Poisson arrivals build a queue without bound
    # Random (Poisson) arrivals find every slot taken now and then, long before the mean load fills them:
    # Erlang C gives how long they wait for one (near zero far from the cap, unbounded as it fills).
    wait = erlang_c(slots, busy) * (busy / rate) / (slots - busy)
    return dataclasses.replace(steady, ttft_s=steady.ttft_s + wait, queue_s=steady.queue_s + wait)


def erlang_c(servers: int, offered: float) -> float:
    """Probability that a Poisson arrival waits, with `servers` slots and `offered` (< servers) busy on average."""
    blocked = 1.0
    # Erlang B by its recurrence (stable for thousands of servers), then C from B.
    for k in range(1, servers + 1):
        blocked = offered * blocked / (k + offered * blocked)
    return servers * blocked / (servers - offered * (1 - blocked))


@dataclass(frozen=True)
class LoadSizing:
    """The fewest replicas for an open-loop rate and what each does at its share of it."""

    requests_per_s: float
    replicas: int
    # One replica's steady state at requests_per_s / replicas (its latencies are the ones the objectives see).
    per_replica: Performance
    # The share of the rate over what one replica serves at most (its running cap full): < 1 keeps the queue finite.
    utilization: float
    saturation_requests_per_s: float
    # Most sequences a replica runs at once, and what sets that number.
    running_cap: int
    capped_by: Cap

    @property
    def at_cap(self) -> bool:
        """True when a replica runs as many requests as it can hold: further arrivals wait for a slot."""
        return self.per_replica.running >= self.running_cap

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        return {**asdict(self), "at_cap": self.at_cap}

    def describe(self) -> str:
        """One line for `inferstack size`: replicas, each one's share, latency, utilisation and the running cap."""
        each = self.per_replica
        line = (
            f"replicas for {self.requests_per_s:g} req/s (open loop): {self.replicas} — "
            f"{self.requests_per_s / self.replicas:.2f} req/s each, {each.running} running of {self.running_cap} "
            f"({self.capped_by}), TTFT {each.ttft_s * 1000:,.1f} ms, TPOT {each.tpot_s * 1000:,.1f} ms, "
            f"utilisation {self.utilization:.0%}"
        )
        if each.queue_s >= 0.0005:
            full = "full" if self.at_cap else "full at times"
            wait = f"{each.queue_s * 1000:,.0f} ms"
            line += f"; the {self.capped_by} is {full}: arrivals wait {wait} on average (in TTFT)"
        return line


def size_load(
    shape: Shape,
    acc: Accelerator,
    prec: Precision,
    eff: Efficiency,
    *,
    prompt: int,
    output: int,
    requests_per_s: float,
    objectives: Objectives,
    engine_cap: int,
    kv_sequences: int,
) -> LoadSizing | None:
    """The fewest replicas whose share of `requests_per_s` meets the objectives below saturation; None if none can.

    With no TTFT objective, a replica's mean queue wait may be at most its TTFT without the wait.

    `engine_cap` is the engine's max_num_seqs and `kv_sequences` what the KV cache holds at this request length.
    """
    cap = max(1, min(engine_cap, kv_sequences))
    capped_by: Cap = "max_num_seqs" if engine_cap <= kv_sequences else "KV cache"

    def closed(clients: int) -> Performance:
        return performance(shape, acc, prec, eff, prompt=prompt, output=output, concurrency=clients, max_running=cap)

    def steady(replicas: int) -> Performance | None:
        share = requests_per_s / replicas
        # At or over saturation the queue grows without bound: no steady state however long it runs.
        if share >= saturation:
            return None
        found = rate_performance(
            shape, acc, prec, eff, prompt=prompt, output=output, rate=share, max_running=cap, limit=cap
        )
        if found is None or not objectives.met_by(found):
            return None
        # Without a TTFT objective nothing else bounds the queue, and the fewest replicas would sit just under
        # saturation with waits of minutes; a queue wait at most the replica's own TTFT keeps the first token
        # within twice what an idle replica gives.
        if objectives.ttft_s is None and found.queue_s > found.ttft_s - found.queue_s:
            return None
        return found

    saturation = closed(cap).requests_per_s
    single = closed(1)
    # The lowest latency a replica has is one request at a time; if that misses an objective, no count helps.
    if not objectives.met_by(single):
        return None
    # Latency grows with each replica's share, so the predicate is monotone in the count: bisect. At a share of
    # one client's rate (or less) a replica runs one request at a time, which meets the objectives.
    low = max(1, math.floor(requests_per_s / saturation))
    high = max(low, math.ceil(requests_per_s / single.requests_per_s) + 1)
    while low < high:
        mid = (low + high) // 2
        if steady(mid) is not None:
            high = mid
        else:
            low = mid + 1
    per_replica = steady(low)
    assert per_replica is not None, "a share of one client's rate meets the objectives"
    return LoadSizing(
        requests_per_s=requests_per_s,
        replicas=low,
        per_replica=per_replica,
        utilization=requests_per_s / low / saturation,
        saturation_requests_per_s=saturation,
        running_cap=cap,
        capped_by=capped_by,
    )
