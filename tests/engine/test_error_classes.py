"""The domain core's errors live in one module and carry their context (shared/errors.py;
docs/style.md "one error module"; issue 10 item 7)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import shared
from shared import errors
from shared.events import outputs


def _shared_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(shared.__path__, "shared."))


def test_every_exception_of_the_core_is_defined_in_errors() -> None:
    elsewhere = []
    for name in _shared_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if (name != errors.__name__ and cls.__module__ == name
                    and issubclass(cls, BaseException)):
                elsewhere.append(f"{name}.{cls_name}")
    assert elsewhere == []
    assert len(_shared_modules()) > 20  # the walk saw the package


def test_no_error_shares_a_name_with_an_output_record() -> None:
    error_names = {n for n, c in inspect.getmembers(errors, inspect.isclass)
                   if c.__module__ == errors.__name__}
    output_names = {n for n, c in inspect.getmembers(outputs, inspect.isclass)
                    if c.__module__ == outputs.__name__}
    assert "AdjustmentRejected" in output_names and "AdjustmentNotApplicable" in error_names
    assert error_names & output_names == set()


def test_every_core_error_is_a_warrantwatch_error() -> None:
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if cls.__module__ == errors.__name__:
            assert issubclass(cls, errors.WarrantWatchError), name


def test_errors_carry_their_fields() -> None:
    terms = errors.TermsError("cap.ownership_cap", "must be a fraction below 1", source="a.toml")
    assert (terms.source, terms.section, terms.key, terms.problem) == (
        "a.toml", "cap", "ownership_cap", "must be a fraction below 1")
    assert str(terms) == "terms: a.toml: cap.ownership_cap: must be a fraction below 1"
    assert terms.at("b.toml") is terms  # the first file named stays
    unplaced = errors.TermsError("warrant.symbol", "missing").at("c.toml")
    assert unplaced.source == "c.toml" and str(unplaced) == "terms: c.toml: warrant.symbol: missing"
    setting = errors.SettingsError("WARRANTWATCH_PARTITIONS", "partitions must be at least 1")
    assert isinstance(setting, errors.BrokerError) and isinstance(setting, ValueError)
    assert setting.setting == "WARRANTWATCH_PARTITIONS"
    rejected = errors.AdjustmentNotApplicable("value >= PSMV", section="4(c)")
    assert rejected.section == "4(c)"
