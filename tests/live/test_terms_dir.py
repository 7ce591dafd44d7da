"""Terms from a directory: `--terms-dir`, `WARRANTWATCH_TERMS_DIR`, the bundled W-F-05 last."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.cli import build_parser, main
from services.live.terms_flags import terms_from_args
from services.streams.terms_files import TERMS_DIR, load_terms_files, terms_dir_of
from shared.errors import TermsError
from shared.terms import load_terms

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "shared" / "terms_data" / "glowpoint-w-f-05.toml"
OTHER = ROOT / "services" / "scenarios" / "glow-2011.toml"


def other_symbol(tmp: Path, symbol: str) -> Path:
    """The W-F-05 terms for another symbol (a second warrant of the family)."""
    path = tmp / f"{symbol.lower()}.toml"
    path.write_text(BUNDLED.read_text().replace('symbol = "GLOW"', f'symbol = "{symbol}"'))
    return path


def test_a_directory_gives_every_terms_file_in_name_order(tmp_path: Path) -> None:
    shutil.copy(BUNDLED, tmp_path / "b-glow.toml")
    other_symbol(tmp_path, "ACME").rename(tmp_path / "a-acme.toml")
    (tmp_path / "README.md").write_text("not terms")
    (tmp_path / "..data").mkdir()  # a Kubernetes ConfigMap mount's own links
    (tmp_path / ".hidden.toml").write_text("not = [valid")
    terms = load_terms_files(None, tmp_path)
    assert [t.symbol for t in terms] == ["ACME", "GLOW"]
    assert terms[1] == load_terms()


def test_nothing_given_is_the_bundled_w_f_05_and_an_empty_directory_an_error(
        tmp_path: Path) -> None:
    assert load_terms_files(None) == [load_terms()]
    with pytest.raises(TermsError, match="holds no terms file"):
        load_terms_files(None, tmp_path)
    with pytest.raises(TermsError, match="is not a directory"):
        load_terms_files(None, tmp_path / "missing")


def test_two_terms_for_one_symbol_are_refused(tmp_path: Path) -> None:
    shutil.copy(BUNDLED, tmp_path / "one.toml")
    shutil.copy(BUNDLED, tmp_path / "two.toml")  # the same symbol and series
    with pytest.raises(TermsError, match="two terms files for symbol GLOW and series W-F-05"):
        load_terms_files(None, tmp_path)


def test_two_series_that_differ_in_a_symbol_wide_key_are_refused(tmp_path: Path) -> None:
    """OTHER is GLOW too, another series (its family), listed elsewhere at the start: one
    stock has one listing timeline (docs/terms-format.md "Several series")."""
    shutil.copy(BUNDLED, tmp_path / "one.toml")
    shutil.copy(OTHER, tmp_path / "two.toml")
    with pytest.raises(TermsError) as caught:
        load_terms_files(None, tmp_path)
    assert caught.value.field == "warrant.initial_venue"
    assert "one.toml" in str(caught.value) and "two.toml" in str(caught.value)


def test_the_environment_names_the_directory_only_without_terms_flags(tmp_path: Path) -> None:
    env = {TERMS_DIR: str(tmp_path)}
    assert terms_dir_of(None, env) == str(tmp_path)
    assert terms_dir_of(None, env, files=["x.toml"]) is None  # --terms wins
    assert terms_dir_of("flag", env) == "flag"
    assert terms_dir_of(None, {TERMS_DIR: ""}) is None


def test_worker_replay_and_clock_take_the_flag(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    other_symbol(tmp_path, "ACME")
    monkeypatch.delenv(TERMS_DIR, raising=False)
    for command in ("worker", "replay IN", "clock"):
        args = build_parser().parse_args([*command.split(), "--terms-dir", str(tmp_path)])
        assert [t.symbol for t in terms_from_args(args)] == ["ACME"], command
    monkeypatch.setenv(TERMS_DIR, str(tmp_path))
    args = build_parser().parse_args(["worker"])
    assert [t.symbol for t in terms_from_args(args)] == ["ACME"]
    args = build_parser().parse_args(["worker", "--terms", str(BUNDLED)])
    assert [t.symbol for t in terms_from_args(args)] == ["GLOW"]


def test_replay_with_a_terms_dir_equals_replay_with_the_files(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    scenario = ROOT / "services" / "scenarios" / "wf05-life.jsonl"
    folder = tmp_path / "terms"
    folder.mkdir()
    shutil.copy(BUNDLED, folder / "glowpoint-w-f-05.toml")
    assert main(["replay", str(scenario), "--terms", str(BUNDLED)]) == 0
    with_file = capsys.readouterr().out
    assert main(["replay", str(scenario), "--terms-dir", str(folder)]) == 0
    with_dir = capsys.readouterr().out
    assert with_dir == with_file and with_dir.count("\n") == 55
