"""Every error the domain core raises, each named for what went wrong (style: one error module)."""

from __future__ import annotations

from decimal import Decimal


class WarrantWatchError(Exception):
    """Base of every error raised by the domain core."""


class TermsError(WarrantWatchError):
    """A terms file is malformed (shared/terms.py, docs/terms-format.md).

    `field` is `section.key` (a list item as `section.key[i]`), a section name, or "file" /
    "directory" for what is wrong with the file itself; `section` and `key` are its two parts
    (`key` is "" for a section or the file); `source` the file (or `FILE[i]` of a JSON list)
    when it is known, `problem` what is wrong. The text is
    `terms: [SOURCE: ]section.key: problem`."""

    def __init__(self, field: str, problem: str, *, source: str | None = None) -> None:
        where = f"{source}: " if source else ""
        super().__init__(f"terms: {where}{field}: {problem}")
        self.field = field
        self.section, _, self.key = field.partition(".")
        self.problem = problem
        self.source = source

    def at(self, source: str | None) -> TermsError:
        """This error naming `source` (unchanged when it already names one, or none given)."""
        if source is None or self.source is not None:
            return self
        return TermsError(self.field, self.problem, source=source)


class RecordError(WarrantWatchError):
    """An input record failed validation; becomes a `dead_letter` with this reason."""


class NotDecidedFast(WarrantWatchError):
    """The fast quote decoder leaves a message to the rules models (shared/events/quote.py);
    it never leaves the decoder."""


class EngineFault(WarrantWatchError):
    """A record the engine began to apply and could not finish: the state is put back as it
    was before the record (shared.engine.engine) and the record becomes a dead letter."""


class CalendarRangeError(WarrantWatchError):
    """A date outside the range for which the Trading Day tables are built."""


class UnknownVenueError(WarrantWatchError):
    """A venue name that is not one of the Section 8 tiers' venues."""


class MarketValueUnavailable(WarrantWatchError):
    """No Per Share Market Value can be determined for a date (Section 8)."""


class AdjustmentNotApplicable(WarrantWatchError):
    """A corporate action that cannot be applied as the contract reads (e.g. 4(c) value >= PSMV).

    `section` is the clause that cannot be applied ("4" when no one clause is at fault); the
    engine publishes it as an `adjustment_rejected` record (shared.events.outputs) of that
    section, without reading the message."""

    def __init__(self, message: str, *, section: str) -> None:
        super().__init__(message)
        self.section = section


class QueryError(WarrantWatchError):
    """A query names something the engine does not hold (shared/engine/queries.py)."""


class NotATradingDayError(WarrantWatchError):
    """A query that needs a Trading Day (its market close, say) got a day that is not one."""


class CalendarQueryError(WarrantWatchError):
    """A Trading Day query with a bad argument: a negative count, a date that does not parse."""


class BenchError(WarrantWatchError):
    """A benchmark run cannot go on: an unknown suite, an output file that cannot be written."""


class ContractInputError(WarrantWatchError):
    """A figure given to the contract math is outside its domain: names the figure.

    For example a negative share count, a time without a UTC offset, or a holding larger
    than the shares outstanding (Section 7 cannot be judged on such figures).
    """


class ExerciseRefusal(WarrantWatchError):
    """An exercise the contract does not allow (Sections 1, 2, 6, 7).

    `reason` is a `shared.events.outputs.RefusalReason` value (kept as text here so that this
    module imports nothing), `detail` states the figures, `max_shares` the largest exercise
    that would pass when there is one.
    """

    def __init__(self, reason: str, detail: str, max_shares: Decimal | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.max_shares = max_shares


class CashlessOutOfMoney(ExerciseRefusal):
    """Section 2(c): B <= A, so X = Y - (A x Y) / B gives no shares."""


class FeedUnavailable(WarrantWatchError):
    """A market-data source gave no usable answer (network, HTTP error, empty answer)."""


class RateLimited(FeedUnavailable):
    """A market-data source refused the request for its rate limit (HTTP 429)."""


class BrokerError(WarrantWatchError):
    """The Kafka edge cannot do its job: the embedded broker did not start, a topic has the
    wrong partition count, a worker died, or a replay did not finish in time."""


class SettingsError(BrokerError, ValueError):
    """A Kafka setting (services/kafka/settings.py) that cannot be used: `setting` is the
    environment variable that sets it (each also a flag), `problem` the whole sentence, which
    is the text. A `BrokerError`, so a command stops at start with it; a `ValueError` too,
    for callers that validate settings as values."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(problem)
        self.setting = setting
        self.problem = problem


class ScenarioError(WarrantWatchError):
    """A replay scenario cannot be read (no such bundled scenario, unreadable or not UTF-8)."""


class SnapshotError(WarrantWatchError):
    """An engine snapshot that cannot be loaded: another format version, terms other than the
    engine's, or bytes that do not decode (shared/engine/snapshot.py). Nothing was loaded."""
