"""`warrantwatch calendar ...` through services.cli.main, as a user would type it."""

from __future__ import annotations

import pytest

from services.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["calendar", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_over_thanksgiving_week(capsys: pytest.CaptureFixture[str]) -> None:
    # trading_days_after.csv, thanksgiving_2008.
    assert run(capsys, "add", "2008-11-25", "3", "--venue", "NASDAQ") == (0, "2008-12-01\n", "")


def test_add_under_the_proviso(capsys: pytest.CaptureFixture[str]) -> None:
    # trading_days_after.csv, election_veterans_proviso.
    assert run(capsys, "add", "2023-11-03", "5", "--venue", "NONE") == (0, "2023-11-13\n", "")


def test_add_defaults_to_the_terms_initial_venue(capsys: pytest.CaptureFixture[str]) -> None:
    # The bundled W-F-05 terms start on NASDAQ: Good Friday 2024 is closed.
    assert run(capsys, "add", "2024-03-28", "1") == (0, "2024-04-01\n", "")


@pytest.mark.parametrize(
    ("date", "venue", "expected"),
    [
        ("2023-10-09", "NYSE", "true"),  # Columbus Day: markets open
        ("2023-10-09", "NONE", "false"),  # banks closed
        ("2024-03-29", "NASDAQ", "false"),  # Good Friday
        ("2024-03-29", "pink_unreported", "true"),  # venue names are case-insensitive
        ("2025-01-09", "AMEX", "false"),  # Carter day of mourning
    ],
)
def test_is_trading_day(
    capsys: pytest.CaptureFixture[str], date: str, venue: str, expected: str
) -> None:
    assert run(capsys, "is-trading-day", date, "--venue", venue) == (0, expected + "\n", "")


def test_close(capsys: pytest.CaptureFixture[str]) -> None:
    # nyse_closes.csv: the day after Thanksgiving 2008 closed at 1:00 p.m. EST.
    assert run(capsys, "close", "2008-11-28", "--venue", "NYSE") == (
        0, "2008-11-28T13:00:00-05:00\n", ""
    )
    assert run(capsys, "close", "2023-11-08", "--venue", "NONE") == (
        0, "2023-11-08T17:00:00-05:00\n", ""
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "2008-13-01", "3", "--venue", "NASDAQ"], "not a date YYYY-MM-DD: '2008-13-01'"),
        (["add", "2008-11-25", "three"], "N must be a whole number of Trading Days"),
        (["add", "2008-11-25", "-1"], "N must be 0 or more, got -1"),
        (["is-trading-day", "2008-11-25", "--venue", "LSE"], "unknown venue 'LSE'"),
        (["is-trading-day", "1990-01-02"], "1990-01-02 is outside the Trading Day tables"),
        (["add", "2035-12-28", "5"], "runs past 2035-12-31"),
        (["close", "2025-01-09", "--venue", "NYSE"], "2025-01-09 is not a Trading Day on NYSE"),
        (["add", "2008-11-25", "1", "--terms", "/nonexistent/terms.toml"], "cannot read"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("warrantwatch: ") and message in err
