"""Outputs are written atomically: the old output or the complete new one, and a clear message for a bad path."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from inferstack.infra import files
from inferstack.infra.files import MARKER, OutputError, replace_folder, write_file


def test_a_file_is_replaced_whole_and_keeps_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")
    write_file(target, "new")
    assert target.read_text() == "new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["plan.json"]


def test_a_new_file_gets_the_mode_of_a_plain_write(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    write_file(target, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("folder", "--json {p}: is a folder — give the path of a file to write"),
        ("missing/plan.json", "--json {p}: the folder {parent} does not exist — create it first"),
    ],
)
def test_a_bad_file_path_is_named(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "folder").mkdir()
    target = tmp_path / name
    with pytest.raises(OutputError) as caught:
        write_file(target, "x")
    assert str(caught.value) == message.format(p=target, parent=target.parent)


@pytest.mark.parametrize(
    ("code", "hint"),
    [(errno.ENOSPC, "free some space"), (errno.EACCES, "choose a folder you can write to")],
)
def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, hint: str
) -> None:
    # The disk and the permissions are the operating system's: simulated at the one call that meets them.
    target = tmp_path / "plan.json"
    target.write_text("old")

    def refuse(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(OutputError) as caught:
        write_file(target, "new")
    assert str(caught.value) == (
        f"--json {target}: cannot be written ({os.strerror(code)}); the previous output is unchanged — {hint}"
    )
    assert target.read_text() == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["plan.json"]


def test_a_folder_is_replaced_whole_stale_files_gone(tmp_path: Path) -> None:
    target = tmp_path / "m"
    replace_folder(target, {"a.yaml": "a", "helm/b.yaml": "b"})
    written = replace_folder(target, {"c.yaml": "c"})
    assert written == [target / "c.yaml"]
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == [MARKER, "c.yaml"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["m"], "no staging folder is left behind"


def test_an_empty_existing_folder_is_used(tmp_path: Path) -> None:
    target = tmp_path / "m"
    target.mkdir()
    replace_folder(target, {"a.yaml": "a"})
    assert (target / "a.yaml").read_text() == "a"


def test_a_folder_someone_else_filled_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "src"
    target.mkdir()
    (target / "main.py").write_text("keep me")
    with pytest.raises(OutputError) as caught:
        replace_folder(target, {"a.yaml": "a"})
    assert str(caught.value) == (
        f"--out {target}: is a non-empty folder inferstack did not write, and --out replaces the whole folder — "
        "give an empty or a new folder"
    )
    assert sorted(path.name for path in target.iterdir()) == ["main.py"]


def test_a_file_given_as_the_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "m"
    target.write_text("x")
    with pytest.raises(OutputError, match=r"is not a folder — give a folder path \(it is created if missing\)"):
        replace_folder(target, {"a.yaml": "a"})


def test_a_failed_folder_write_leaves_the_old_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "m"
    replace_folder(target, {"a.yaml": "old"})

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_swap", full)
    with pytest.raises(OutputError, match="the previous output is unchanged — free some space"):
        replace_folder(target, {"a.yaml": "new", "b.yaml": "new"})
    assert (target / "a.yaml").read_text() == "old" and not (target / "b.yaml").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["m"]


def test_the_two_rename_fallback_swaps_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Where the kernel has no RENAME_EXCHANGE (macOS, old kernels), two renames do the same job.
    monkeypatch.setattr(files, "_exchange", lambda staging, target: False)
    target = tmp_path / "m"
    replace_folder(target, {"a.yaml": "old"})
    replace_folder(target, {"b.yaml": "new"})
    assert sorted(path.name for path in target.iterdir()) == [MARKER, "b.yaml"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["m"]


def test_a_file_name_cannot_leave_its_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="would leave its folder"):
        replace_folder(tmp_path / "m", {"../escape.yaml": "x"})
    assert sorted(path.name for path in tmp_path.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_the_kernel_exchanges_two_folders_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").touch()
    assert files._exchange(tmp_path / "a", tmp_path / "b") is True
    assert [path.name for path in (tmp_path / "b").iterdir()] == ["from-a"]
    assert list((tmp_path / "a").iterdir()) == []
