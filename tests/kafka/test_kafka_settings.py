"""Settings from the environment, the partitioner, and terms handed to worker processes."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from services.kafka.partitioning import partition_of
from services.kafka.profiles import EMBEDDED, KAFKA, profile_for
from services.kafka.settings import ENVIRONMENT, KafkaSettings
from services.kafka.topics import SEQUENCED, SNAPSHOTS, topic_specs
from services.streams.app import build_streams
from services.streams.terms_files import load_terms_files, write_terms_json
from shared.errors import BrokerError, SettingsError, TermsError
from shared.events.inputs import INPUT_TOPICS
from shared.events.outputs import OUTPUT_TOPICS
from shared.terms import load_terms, terms_from_mapping, terms_to_mapping

RESOURCES = Path(__file__).parent.parent / "resources" / "kafka"


def test_settings_read_every_variable_and_write_them_back() -> None:
    env = {
        "WARRANTWATCH_BROKER": "kafka://a:9092,b:9092",
        "WARRANTWATCH_PARTITIONS": "12",
        "WARRANTWATCH_REPLICATION_FACTOR": "3",
        "WARRANTWATCH_PROCESSING_GUARANTEE": "exactly_once",
        "WARRANTWATCH_WEB_PORT": "0",
        "WARRANTWATCH_SECURITY_PROTOCOL": "SASL_SSL",
        "WARRANTWATCH_SASL_MECHANISM": "SCRAM-SHA-512",
        "WARRANTWATCH_SASL_USERNAME": "ww",
        "WARRANTWATCH_SASL_PASSWORD": "pw",
    }
    s = KafkaSettings.from_env(env)
    assert (s.broker, s.partitions, s.replication_factor) == ("kafka://a:9092,b:9092", 12, 3)
    assert s.bootstrap_servers == "a:9092,b:9092"
    assert s.profile_name == "kafka"
    assert KafkaSettings.from_env(s.environment()) == s
    assert set(s.environment()) <= set(ENVIRONMENT.values())


def test_flags_override_the_environment() -> None:
    s = KafkaSettings.from_env({"WARRANTWATCH_PARTITIONS": "12"}, partitions=2, broker=None)
    assert s.partitions == 2
    assert s.broker == "embedded" and s.profile_name == "embedded"


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("WARRANTWATCH_PARTITIONS", "four", "WARRANTWATCH_PARTITIONS: not a whole number"),
    ("WARRANTWATCH_PARTITIONS", "0", "partitions must be at least 1"),
    ("WARRANTWATCH_PROCESSING_GUARANTEE", "twice", "processing guarantee 'twice'"),
    ("WARRANTWATCH_BROKER_PROFILE", "tansu", "broker profile 'tansu'"),
    ("WARRANTWATCH_WEB_PORT", "70000", "web port 70000"),
])
def test_bad_settings_are_refused_with_the_reason(variable: str, value: str,
                                                   message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        KafkaSettings.from_env({variable: value})
    assert caught.value.setting == variable  # the variable to fix, not only in the text
    assert isinstance(caught.value, BrokerError)  # a command stops at start with it


def test_tansu_work_arounds_stay_in_the_embedded_profile() -> None:
    # pitfall 3: seconds-long group joins on Tansu need short session timeouts; real Kafka
    # keeps values that survive network pauses
    assert EMBEDDED.session_timeout < 3 < KAFKA.session_timeout
    assert profile_for(KafkaSettings(broker="kafka://k:9092")) is KAFKA
    assert profile_for(KafkaSettings(broker="embedded")) is EMBEDDED
    assert profile_for(KafkaSettings(broker="kafka://k:9092", profile="embedded")) is EMBEDDED
    # Tansu's fetches wait out their whole wait: short ones on Tansu, the clients' on Kafka
    assert EMBEDDED.fetch_max_wait_ms is not None and EMBEDDED.fetch_max_wait_ms <= 100
    assert KAFKA.fetch_max_wait_ms is None


@pytest.mark.parametrize(("profile", "wait_ms"), [("embedded", 100), ("kafka", 1500)])
async def test_the_worker_consumer_waits_for_fetches_as_its_profile_says(
        tmp_path: Path, profile: str, wait_ms: int) -> None:
    settings = KafkaSettings(broker="kafka://127.0.0.1:9", profile=profile, web_port=0)
    app = build_streams(settings, [load_terms()], data_dir=tmp_path).app
    consumer = app.consumer._new_consumer_thread()._create_worker_consumer(app.transport)
    # the value aiokafka hands its fetcher when the consumer starts (1500: Faust's own)
    assert consumer._fetch_max_wait_ms == wait_ms


def test_partition_of_places_keys_as_the_java_client_does() -> None:
    with (RESOURCES / "murmur2-kafka-utilstest.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6
    for row in rows:
        positive = int(row["murmur2"]) & 0x7FFFFFFF
        for partitions in (1, 4, 12, 50):
            for _ in range(2):  # computed, then from the table of known keys
                assert partition_of(row["key"].encode(), partitions) == positive % partitions


def test_the_partition_table_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from aiokafka.partitioner import murmur2

    from services.kafka import partitioning

    monkeypatch.setattr(partitioning, "CACHE_ENTRIES", 10)
    monkeypatch.setattr(partitioning, "_cache", {})
    for n in range(35):
        key = f"SYM{n}".encode()
        assert partition_of(key, 7) == (murmur2(key) & 0x7FFFFFFF) % 7
        assert len(partitioning._cache) <= 10
    long_key = b"k" * (partitioning.CACHE_KEY_BYTES + 1)
    assert partition_of(long_key, 7) == (murmur2(long_key) & 0x7FFFFFFF) % 7
    assert (long_key, 7) not in partitioning._cache
    with pytest.raises(ValueError, match="at least one partition"):
        partition_of(b"SYM1", 0)


def test_every_topic_is_created_once_with_the_same_partition_count() -> None:
    s = KafkaSettings(broker="kafka://k:9092", partitions=6, replication_factor=3)
    specs = topic_specs(s)
    names = [spec.name for spec in specs]
    assert len(names) == len(set(names))
    assert set(names) == {s.topic(n) for n in [*INPUT_TOPICS, *OUTPUT_TOPICS, SEQUENCED,
                                                SNAPSHOTS]}
    assert {spec.partitions for spec in specs} == {6}
    sequenced = next(spec for spec in specs if spec.logical == SEQUENCED)
    # the state is rebuilt from this log: by default it never expires
    assert ("retention.ms", "-1") in sequenced.config
    assert all(("min.insync.replicas", "2") in spec.config for spec in specs)


def test_terms_travel_to_workers_unchanged(tmp_path: Path) -> None:
    glow = load_terms()
    other = replace(glow, symbol="GLOWD")
    assert terms_from_mapping(terms_to_mapping(glow)) == glow
    path = tmp_path / "terms.json"
    write_terms_json([glow, other], path)
    assert load_terms_files([str(path)]) == [glow, other]


def test_a_broken_terms_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "terms.json"
    path.write_text('{"warrant": {}}')
    with pytest.raises(TermsError, match="JSON list"):
        load_terms_files([str(path)])
