"""Every file the CLI writes, written atomically: the old output or the complete new one, never a mix.

A file is written beside its target and renamed over it; a folder (`plan --out`) is staged beside its target
and swapped in with one rename (Linux `renameat2(RENAME_EXCHANGE)`), so a run killed at any instant leaves
the previous folder whole. A folder inferstack wrote carries a marker file; a non-empty folder without it is
refused rather than replaced, since replacing it would delete files someone else put there.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

MARKER = ".inferstack-out"
MARKER_TEXT = "Written by `inferstack plan --out`: the next run replaces this whole folder.\n"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class OutputError(ValueError):
    """An output path that cannot be written; the message names the path and what to do."""


def write_file(path: Path, text: str, option: str = "--json") -> None:
    """Write text to a file atomically (a temporary file beside it, then a rename)."""
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder — give the path of a file to write")
    _check_parent(path, option)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _cannot(option, path, error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates the file private (0600); the output gets the mode a plain write would give it.
        os.chmod(temporary, _mode_of(path))
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _cannot(option, path, error) from None


def replace_folder(target: Path, files: Mapping[str, str], option: str = "--out") -> list[Path]:
    """Make `target` hold exactly `files` (relative path -> text), swapping the whole folder in at once."""
    _check_parent(target, option)
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OutputError(f"{option} {target}: is not a folder — give a folder path (it is created if missing)")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise OutputError(
                f"{option} {target}: is a non-empty folder inferstack did not write, and --out replaces the whole "
                "folder — give an empty or a new folder"
            )
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as error:
        raise _cannot(option, target, error) from None
    try:
        written = [_stage(staging, relative, text) for relative, text in files.items()]
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        if target.is_dir():
            _swap(staging, target)
        else:
            staging.rename(target)
    except OSError as error:
        raise _cannot(option, target, error) from None
    finally:
        # After a swap the staging folder holds the previous output; after a failure, the partial new one.
        shutil.rmtree(staging, ignore_errors=True)
    return [target / path.relative_to(staging) for path in written]


def _stage(staging: Path, relative: str, text: str) -> Path:
    path = staging / relative
    if not path.resolve().is_relative_to(staging.resolve()):
        raise ValueError(f"output file {relative!r} would leave its folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _swap(staging: Path, target: Path) -> None:
    """Exchange two folders in one step where the kernel can; else two renames (a moment with no target)."""
    if _exchange(staging, target):
        return
    previous = staging.with_name(staging.name + ".old")
    target.rename(previous)
    staging.rename(target)
    previous.rename(staging)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False where that call does not exist."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a file system or kernel without the flag
    raise OSError(code, os.strerror(code), str(second))


def _check_parent(path: Path, option: str) -> None:
    if not path.parent.is_dir():
        raise OutputError(f"{option} {path}: the folder {path.parent} does not exist — create it first")


def _cannot(option: str, path: Path, error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    writable = "choose a folder you can write to"
    hints = {errno.ENOSPC: "free some space", errno.EACCES: writable, errno.EPERM: writable, errno.EROFS: writable}
    hint = hints.get(error.errno or 0, "check the path")
    return OutputError(f"{option} {path}: cannot be written ({reason}); the previous output is unchanged — {hint}")


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # The only way to read the umask is to set it; it is set straight back.
    current = os.umask(0)
    os.umask(current)
    return current
