"""A start-up estimate term by term, each with the catalog fact (and so the source) it comes from.

`size --cold-start` prints these for the default and the accelerated path; `--json` carries the full sources. The
seconds are the estimate's own (planning/startup.py), so the breakdown cannot drift from the probe it budgets.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from inferstack import catalog
from inferstack.catalog.schema import Factor
from inferstack.planning.startup import StartupEstimate

CITE_WIDTH = 70


@dataclass(frozen=True)
class Term:
    """One part of a replica's start: what it is, its seconds, and where the figure comes from."""

    name: str
    seconds: float
    source: str

    def to_dict(self) -> dict[str, object]:
        """Plain data for `--json`."""
        return {"name": self.name, "seconds": round(self.seconds), "source": self.source}


def cite(source: str) -> str:
    """A short form of a fact's source for a table cell: its lead-in (who measured it), or 'estimate; …'."""
    head, sep, rest = source.partition(": ")
    if head == "estimate":
        return textwrap.shorten(f"estimate; {rest}", CITE_WIDTH, placeholder=" …")
    return textwrap.shorten(head if sep and len(head) <= CITE_WIDTH else source, CITE_WIDTH, placeholder=" …")


def _joined(*facts: Factor) -> str:
    return " | ".join(fact.source for fact in facts)


def startup_terms(est: StartupEstimate, cloud: str | None) -> list[Term]:
    """Node boot, image, weights and each warm-up term of one estimate, the later replicas' compile included."""
    facts = catalog.efficiency().startup
    fast, warm = facts.accelerated, facts.warmup
    node = facts.node_ready_s.get(cloud) if cloud is not None else None
    fast_path = est.path == "accelerated"
    pull = [facts.image_gb, fast.nvme_image_pull_gbps if est.image_on_nvme else facts.image_pull_gbps]
    if est.image_lazy:
        pull.append(fast.lazy_image_fraction)
    if est.image_parallel:
        pull.append(fast.parallel_pull_time_share)
    load = fast.streamer_bucket_gbps if fast_path else facts.weight_load_gbps[est.store]
    terms = [
        Term("node boot (new node)", est.node_boot_s, node.source if node is not None else "no new node"),
        Term("image pull", est.image_pull_s, _joined(*pull)),
        Term(f"weight load ({est.stored_weights_gb:.1f} GB)", est.weight_load_s, load.source),
        Term("engine init", warm.engine_init_s.value, warm.engine_init_s.source),
        Term("torch.compile (first replica)", warm.compile_s.value, warm.compile_s.source),
        Term(
            f"CUDA graphs ({est.graphs.graphs}: max_num_seqs {est.graphs.max_num_seqs})",
            est.graphs.seconds,
            _joined(warm.piecewise_graph_s, warm.full_graph_s) + " | " + warm.cuda_graph_sizes.source,
        ),
        Term("profiling + KV cache", warm.profile_s.value, warm.profile_s.source),
        Term("API server ready", warm.server_ready_s.value, warm.server_ready_s.source),
    ]
    if est.compile_saved_s > 0:
        terms.append(Term("torch.compile (later, cached)", warm.compile_cached_s.value, warm.compile_cached_s.source))
    return terms
