"""The file edge of a replay through Kafka: what to publish, stamped, and publishing it.

- `plan_lines` checks replay file lines as the in-process replay does: a line that is not a
  valid record in a known input topic never reaches Kafka (it has no topic to be published
  on); its dead letter is made here, exactly as in-process. `plan_pairs` takes raw messages.
- `stamp` gives each input its place in file order within every partition of the sequenced
  topic it will reach (`ww-seq`, with the routing intake uses), its index (`ww-index`) and,
  for a file line, the line itself (`ww-source`, the raw of a dead letter the engine makes).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer

from services.kafka.client import producer_kwargs
from services.kafka.partitioning import partition_of
from services.kafka.settings import KafkaSettings
from services.streams.envelope import INDEX, SEQ, SOURCE, Place, format_input_sequences
from services.streams.limits import MAX_INPUT_MESSAGE_BYTES
from services.streams.routing import route
from shared.engine.replay import checked_lines
from shared.errors import RecordError
from shared.events.codec import dead_letter, decode, encode, topic_of
from shared.events.inputs import INPUT_TOPICS


@dataclass(frozen=True, slots=True)
class Submission:
    """One input to publish: `index` orders its outputs in the result."""

    index: int
    topic: str
    value: bytes
    key: bytes
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Output:
    topic: str  # logical output topic
    text: str  # the record's canonical JSON
    worker: str = ""
    timestamp_ms: int = 0  # when the worker sent it (Kafka CreateTime)
    partition: int = -1  # of the output topic; -1 for a dead letter made at the file edge


@dataclass(slots=True)
class Plan:
    """What to publish, and the outputs made at the file edge: (index, part, place) -> Output."""

    submissions: list[Submission] = field(default_factory=list)
    local: dict[tuple[int, int, int], Output] = field(default_factory=dict)


def _symbol_key(raw: str) -> bytes:
    """The Kafka key a producer gives a message: its symbol, or empty if it has none."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return b""
    symbol = obj.get("symbol") if isinstance(obj, dict) else None
    return symbol.encode() if isinstance(symbol, str) else b""


def plan_pairs(pairs: Sequence[tuple[str, str]]) -> Plan:
    """Inputs as `(logical topic, raw JSON)`: each published as it is, poison included."""
    plan = Plan()
    for index, (topic, raw) in enumerate(pairs):
        if topic not in INPUT_TOPICS:
            try:
                decode(topic, raw)
            except RecordError as exc:
                letter = dead_letter(topic, raw, str(exc))
                plan.local[(index, 0, 0)] = Output(topic_of(letter), encode(letter))
            continue
        plan.submissions.append(Submission(index, topic, raw.encode("utf-8"), _symbol_key(raw)))
    return plan


def plan_lines(lines: Sequence[str | bytes]) -> Plan:
    """Lines of a replay file, checked as `shared.engine.replay.replay_lines` checks them."""
    plan = Plan()
    for line in checked_lines(lines):
        if line.record is None:
            assert line.letter is not None
            plan.local[(line.number, 0, 0)] = Output(topic_of(line.letter), encode(line.letter))
            continue
        value = encode(line.record).encode("utf-8")
        source = line.text.encode("utf-8", errors="surrogatepass")
        if len(value) + len(source) > MAX_INPUT_MESSAGE_BYTES:
            # the record and its line (`ww-source`) would not fit one message; only a record
            # whose canonical form is itself near the record limit gets here
            letter = dead_letter(line.topic, line.text,
                                 f"line {line.number}: the record and its line together "
                                 f"exceed the {MAX_INPUT_MESSAGE_BYTES}-byte message limit",
                                 line.record.symbol)
            plan.local[(line.number, 0, 0)] = Output(topic_of(letter), encode(letter))
            continue
        plan.submissions.append(Submission(line.number, line.topic, value,
                                           line.record.symbol.encode(), source=line.text))
    return plan


@dataclass(frozen=True, slots=True)
class Stamped:
    submission: Submission
    partition: int  # of the input topic
    headers: list[tuple[str, bytes]]


def stamp(submissions: Sequence[Submission], partitions: int) -> tuple[list[Stamped], set[int]]:
    """Headers for each submission, and the sequenced partitions that get any record."""
    routes = [route(s.topic, s.value, s.key, partitions) for s in submissions]
    totals = Counter(p for r in routes for p in r.partitions)
    seen: dict[int, int] = defaultdict(int)
    out = []
    for s, r in zip(submissions, routes, strict=True):
        places = {}
        for p in r.partitions:
            seen[p] += 1
            places[p] = Place(seen[p], totals[p])
        headers = [(SEQ, format_input_sequences(places)), (INDEX, str(s.index).encode())]
        if s.source is not None:
            headers.append((SOURCE, s.source.encode("utf-8", errors="surrogatepass")))
        out.append(Stamped(s, partition_of(s.key, partitions), headers))
    return out, set(totals)


async def publish(settings: KafkaSettings, stamped: Sequence[Stamped]) -> None:
    producer = AIOKafkaProducer(**producer_kwargs(settings))
    await producer.start()
    try:
        for item in stamped:
            s = item.submission
            await producer.send(settings.topic(s.topic), s.value, key=s.key,
                                partition=item.partition, headers=item.headers)
        await producer.flush()
    finally:
        await producer.stop()



def output_line(out: Output) -> str:
    """A replay output line, as `shared.engine.replay.output_line` writes it."""
    return f'{{"topic": {json.dumps(out.topic, ensure_ascii=False)}, "value": {out.text}}}'
