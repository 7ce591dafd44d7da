"""deploy/ and docker-compose.yml agree with the code: entry point, settings, ports, Kafka.

No Docker engine runs here, so the files are parsed and checked against the code that reads
the same settings (services/kafka/settings.py) and the command they run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.cli import build_parser
from services.kafka.settings import ENVIRONMENT, KafkaSettings

ROOT = Path(__file__).resolve().parents[2]
KNOWN = set(ENVIRONMENT.values())


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return doc


@pytest.fixture(scope="module")
def manifests() -> dict[str, dict[str, Any]]:
    docs = [d for f in sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
            for d in load_yaml_documents(f)]
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs if "metadata" in d}


def dockerfile() -> str:
    return (ROOT / "deploy" / "Dockerfile").read_text()


def test_image_runs_the_worker_command_of_the_package() -> None:
    text = dockerfile()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    entry = re.search(r'^ENTRYPOINT \["([^"]+)"\]', text, re.M)
    cmd = re.search(r'^CMD \["([^"]+)"\]', text, re.M)
    assert entry and cmd
    assert project["scripts"][entry.group(1)] == "services.cli:main"
    assert build_parser().parse_args([cmd.group(1)]).command == "worker"
    python = re.search(r"^FROM python:(\d+)\.(\d+)", text, re.M)
    assert python and project["requires-python"] == f">={python.group(1)}.{python.group(2)}"
    # every path the image copies exists, so the build context is complete
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for name in source.split():
            assert (ROOT / name).exists(), name


def test_compose_worker_settings_are_settings_of_the_code(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    env = worker["environment"]
    assert set(env) <= KNOWN, set(env) - KNOWN
    settings = KafkaSettings.from_env(env)  # every value parses
    assert settings.profile_name == "kafka"
    assert worker["command"] == ["worker"]
    assert worker["build"]["dockerfile"] == "deploy/Dockerfile"
    assert str(settings.web_port) in [str(p) for p in worker["expose"]]
    # the worker names exactly the Kafka nodes of this file, on their advertised listener
    nodes = {name: s for name, s in compose["services"].items() if name.startswith("kafka-")}
    advertised = {re.search(r"PLAINTEXT://([^,]+)", n["environment"]["KAFKA_ADVERTISED_LISTENERS"])
                  .group(1) for n in nodes.values()}  # type: ignore[union-attr]
    assert set(settings.bootstrap_servers.split(",")) == advertised
    assert set(worker["depends_on"]) == set(nodes)


def test_compose_kafka_is_kraft_with_room_for_the_replication_asked(
        compose: dict[str, Any]) -> None:
    nodes = [s for name, s in compose["services"].items() if name.startswith("kafka-")]
    settings = KafkaSettings.from_env(compose["services"]["worker"]["environment"])
    voters = nodes[0]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
    assert len(voters) == len(nodes) >= settings.replication_factor
    for node in nodes:
        env = node["environment"]
        assert "controller" in env["KAFKA_PROCESS_ROLES"]  # KRaft: no ZooKeeper
        assert env["KAFKA_NODE_ID"] in {v.split("@")[0] for v in voters}
        assert int(env["KAFKA_MIN_INSYNC_REPLICAS"]) < settings.replication_factor
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"  # workers create them
        if settings.processing_guarantee == "exactly_once":
            assert int(env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"]) <= len(nodes)
    assert len({n["environment"]["CLUSTER_ID"] for n in nodes}) == 1


def _with_secrets(data: dict[str, str], manifests: dict[str, dict[str, Any]]
                  ) -> dict[str, str]:
    """The config map's settings and, as placeholders, the variables the Deployment takes
    from its Secret (SASL needs both: services/kafka/settings.py)."""
    [container] = manifests["Deployment/warrantwatch-worker"]["spec"]["template"]["spec"][
        "containers"]
    return {**data, **{e["name"]: "from-the-secret" for e in container.get("env", [])
                       if "valueFrom" in e}}


def test_kubernetes_config_map_holds_settings_of_the_code(
        manifests: dict[str, dict[str, Any]]) -> None:
    data = manifests["ConfigMap/warrantwatch-settings"]["data"]
    assert set(data) <= KNOWN, set(data) - KNOWN
    settings = KafkaSettings.from_env(_with_secrets(data, manifests))
    assert settings.broker.startswith("kafka://") and settings.profile_name == "kafka"
    # credentials are secrets, never plain config
    assert "WARRANTWATCH_SASL_PASSWORD" not in data


def test_kubernetes_deployment_runs_workers_with_that_config(
        manifests: dict[str, dict[str, Any]]) -> None:
    config = manifests["ConfigMap/warrantwatch-settings"]
    deployment = manifests["Deployment/warrantwatch-worker"]
    settings = KafkaSettings.from_env(_with_secrets(config["data"], manifests))
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["worker"]
    assert {"configMapRef": {"name": config["metadata"]["name"]}} in container["envFrom"]
    secret_env = {e["name"] for e in container.get("env", [])}
    assert secret_env <= KNOWN
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["web"] == settings.web_port
    assert f"EXPOSE {settings.web_port}" in dockerfile()
    # more pods than partitions would sit idle
    assert deployment["spec"]["replicas"] <= settings.partitions
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    budget = manifests["PodDisruptionBudget/warrantwatch-worker"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
