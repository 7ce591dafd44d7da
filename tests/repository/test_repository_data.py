"""A clone is the whole project: the data it reads is in it, and no file names a machine's path.

data/PROVENANCE.md lists every file of data/ with its SHA-256 (copied unchanged from the
source it names); this checks the list against the files, both ways.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SKIP_DIRS = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
             ".hypothesis", ".benchmarks", "build", "dist", "out"}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".csv", ".json", ".jsonl", ".xml", ".txt", ".yaml",
                 ".yml", ".sh", ".cfg", ".ini", ".nc", ""}


def _listed_checksums() -> dict[str, str]:
    text = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    return {m.group(2): m.group(1)
            for m in re.finditer(r"^([0-9a-f]{64})  (\S+)$", text, flags=re.MULTILINE)}


def _data_files() -> set[str]:
    return {p.relative_to(DATA).as_posix() for p in DATA.rglob("*")
            if p.is_file() and p.name != "PROVENANCE.md"}


def test_every_data_file_is_in_the_provenance_list_and_every_listed_file_exists() -> None:
    listed = _listed_checksums()
    assert len(listed) >= 11
    assert _data_files() == set(listed)


def test_every_data_file_is_the_copy_the_provenance_file_names() -> None:
    for name, digest in _listed_checksums().items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


def _tracked_text_files() -> list[Path]:
    out = []
    for path in REPO.rglob("*"):
        parts = set(path.relative_to(REPO).parts)
        if parts & SKIP_DIRS or any(p.endswith(".egg-info") for p in parts):
            continue
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            out.append(path)
    return out


def test_no_file_names_an_absolute_path_of_a_machine() -> None:
    # Built from pieces so that this file does not name them itself.
    roots = ["/" + "work/", "/" + "tmp/pytest", "/" + "home/", "/" + "Users/"]
    found = []
    for path in _tracked_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(REPO)}: {root}" for root in roots if root in text]
    assert found == []
    assert len(_tracked_text_files()) > 100  # the walk did see the tree


def test_no_file_points_outside_the_repository() -> None:
    # The handed-over documents once lived in a folder beside the project.
    needle = ".." + "/shared/"
    found = [str(p.relative_to(REPO)) for p in _tracked_text_files()
             if needle in p.read_text(encoding="utf-8", errors="replace")]
    assert found == []
