"""A model's config.json from the local Hugging Face cache, by hub id: a file lookup, never a network call.

The cache layout (Hugging Face Hub documentation, page "Hub Local Cache", read 2026-12-02):
the cache directory is $HF_HUB_CACHE when set, else $HF_HOME/hub, else ~/.cache/huggingface/hub; a model repo
`org/name` lives in `models--org--name/`, `refs/<branch>` holds the commit a branch pointed at when it was
downloaded, and `snapshots/<commit>/` holds the files of that commit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

# A branch or tag name as refs/ stores it; anything else (a path) is refused rather than joined into a path.
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


class CacheMiss(LookupError):
    """The hub id has no cached config.json; the message says where it looked and what to do."""


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The hub cache directory: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub."""
    env = os.environ if env is None else env
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    return Path("~/.cache/huggingface/hub").expanduser()


def cached_config(model: str, env: Mapping[str, str] | None = None) -> Path:
    """The cached config.json of `org/name` or `org/name@revision` (a branch, tag or commit; default: main)."""
    hub_id, _, revision = model.removeprefix("hf://").partition("@")
    if not HUB_ID.match(hub_id) or (revision and not REF.match(revision)):
        raise CacheMiss(f"{model!r} is not a hub id (org/name, optionally @revision)")
    repo = cache_dir(env) / f"models--{hub_id.replace('/', '--')}"
    fix = (
        f"download it once (e.g. `hf download {hub_id} config.json`) or pass --model-config PATH; "
        "inferstack never fetches from the hub"
    )
    if not repo.is_dir():
        raise CacheMiss(f"{hub_id} is not in the Hugging Face cache ({repo}) — {fix}")
    snapshot = _snapshot(repo, revision or "main")
    config = repo / "snapshots" / snapshot / "config.json" if snapshot else None
    if config is None or not config.is_file():
        at = f" at {revision}" if revision else ""
        raise CacheMiss(f"{hub_id}{at} has no cached config.json under {repo / 'snapshots'} — {fix}")
    return config


def _snapshot(repo: Path, revision: str) -> str | None:
    ref = repo / "refs" / revision
    if ref.is_file():
        return ref.read_text(encoding="utf-8").strip()
    if (repo / "snapshots" / revision).is_dir():
        return revision  # a commit hash
    # No ref file (a cache copied by hand): a single snapshot is unambiguous; several are not.
    snapshots = sorted(p.name for p in (repo / "snapshots").glob("*") if p.is_dir())
    return snapshots[0] if revision == "main" and len(snapshots) == 1 else None
