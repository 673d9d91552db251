"""Where the Pulumi CLI finds the policy pack, and the virtualenv it runs it in.

The shipped `PulumiPolicy.yaml` names `../.venv`: right in a source checkout (the project's `.venv` made by
`.ci/setup`), wrong when inferstack is installed from a wheel (it would point inside site-packages). In that case a
copy of the pack's entry point is written under the project's `.inferstack/` folder, naming the virtualenv of the
interpreter that runs inferstack now, which is the one that holds inferstack and pulumi-policy.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

import inferstack.policies

SHIPPED_PACK_DIR = Path(inferstack.policies.__file__).resolve().parent
MANIFEST = "PulumiPolicy.yaml"
ENTRY_POINT = "__main__.py"
GENERATED_DIR = Path(".inferstack") / "policy-pack"


def _manifest(pack_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((pack_dir / MANIFEST).read_text())


def named_virtualenv(pack_dir: Path, manifest: dict[str, Any] | None = None) -> Path | None:
    """The virtualenv a pack's manifest names, resolved against the pack folder (None: it names none)."""
    manifest = manifest if manifest is not None else _manifest(pack_dir)
    venv = ((manifest.get("runtime") or {}).get("options") or {}).get("virtualenv")
    return (pack_dir / venv).resolve() if venv else None


def running_virtualenv() -> Path | None:
    """The virtualenv of this interpreter (None: a system Python, where Pulumi uses `python3` from PATH)."""
    return Path(sys.prefix) if sys.prefix != sys.base_prefix else None


def usable_pack_dir(work_dir: Path, *, shipped: Path = SHIPPED_PACK_DIR, venv: Path | None = None) -> Path:
    """The shipped pack when the virtualenv it names exists; else a generated copy under `work_dir/.inferstack/`."""
    manifest = _manifest(shipped)
    named = named_virtualenv(shipped, manifest)
    if named is not None and (named / "pyvenv.cfg").is_file():
        return shipped
    target = work_dir / GENERATED_DIR
    target.mkdir(parents=True, exist_ok=True)
    # The generated folder is a build product: keep it out of the team's repository.
    (target.parent / ".gitignore").write_text("*\n")
    shutil.copyfile(shipped / ENTRY_POINT, target / ENTRY_POINT)
    options = manifest.setdefault("runtime", {}).setdefault("options", {})
    options.pop("virtualenv", None)
    chosen = venv if venv is not None else running_virtualenv()
    if chosen is not None:
        options["virtualenv"] = str(chosen)
    (target / MANIFEST).write_text(yaml.safe_dump(manifest, sort_keys=False))
    return target
