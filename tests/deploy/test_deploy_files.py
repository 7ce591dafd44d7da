"""deploy/ and docker-compose.yml agree with the code: entry point, settings, ports, Kafka.

No Docker engine runs here, so the files are parsed and checked against the code that reads
the same settings (services/kafka/settings.py) and the command they run.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from services.cli import build_parser
from services.kafka.settings import ENVIRONMENT, KafkaSettings
from services.streams.terms_files import TERMS_DIR, load_terms_files
from shared.terms import load_terms

ROOT = Path(__file__).resolve().parents[2]
KNOWN = set(ENVIRONMENT.values()) | {TERMS_DIR}


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
    settings = KafkaSettings.from_env({k: v for k, v in env.items() if k != TERMS_DIR})
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


# --- Operating it live (issue 12): Kafka's log on its volume, health, limits, terms mounted,
# probes that tell the truth, Pod Security "restricted", an example Secret, the docs.


def test_compose_kafka_writes_its_log_on_the_mounted_volume(compose: dict[str, Any]) -> None:
    # the apache/kafka image writes to /tmp/kraft-combined-logs unless KAFKA_LOG_DIRS says
    # otherwise: a volume elsewhere would keep nothing across `down` and `up`
    nodes = {name: s for name, s in compose["services"].items() if name.startswith("kafka-")}
    for name, node in nodes.items():
        targets = {v.split(":")[1] for v in node["volumes"]}
        assert set(node["environment"]["KAFKA_LOG_DIRS"].split(",")) <= targets, name
        volume = node["volumes"][0].split(":")[0]
        assert volume in compose["volumes"]


def test_compose_worker_has_a_healthcheck_and_resource_limits(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    assert worker["healthcheck"]["test"] == ["CMD", "warrantwatch", "health"]
    # `warrantwatch health` (GET /ready on the web port) is added by another change (i9b);
    # when it is there, the image's entry point must know it
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    if "health" not in commands:
        pytest.skip("`warrantwatch health` is not on this branch yet")
    assert build_parser().parse_args(["health"]).command == "health"


def test_compose_worker_limits(compose: dict[str, Any]) -> None:
    resources = compose["services"]["worker"]["deploy"]["resources"]
    assert float(resources["limits"]["cpus"]) >= float(resources["reservations"]["cpus"]) > 0
    assert resources["limits"]["memory"].endswith("G")
    assert resources["reservations"]["memory"].endswith("M")


def test_compose_mounts_the_terms_directory_the_worker_reads(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    [volume] = [v for v in worker["volumes"] if v["target"] == worker["environment"][TERMS_DIR]]
    assert volume["read_only"] is True
    default = re.fullmatch(r"\$\{WARRANTWATCH_TERMS_HOST_DIR:-(.+)\}", volume["source"])
    assert default, volume["source"]
    # as shipped, the directory holds the bundled W-F-05 terms, byte for byte
    folder = ROOT / default[1]
    assert (folder / "glowpoint-w-f-05.toml").read_bytes() == (
        ROOT / "shared" / "terms_data" / "glowpoint-w-f-05.toml").read_bytes()
    assert load_terms_files(None, folder) == [load_terms()]


def pod_spec(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = manifests["Deployment/warrantwatch-worker"]["spec"]["template"]["spec"]
    return spec


def test_kubernetes_pod_passes_pod_security_restricted(
        manifests: dict[str, dict[str, Any]]) -> None:
    # https://kubernetes.io/docs/concepts/security/pod-security-standards/ "Restricted"
    spec = pod_spec(manifests)
    pod = spec.get("securityContext", {})
    assert pod.get("runAsNonRoot") is True and pod.get("runAsUser", 1) != 0
    for container in spec["containers"] + spec.get("initContainers", []):
        ctx = container.get("securityContext", {})
        assert ctx.get("allowPrivilegeEscalation") is False
        assert ctx.get("privileged", False) is False
        assert ctx.get("capabilities", {}).get("drop") == ["ALL"]
        assert set(ctx.get("capabilities", {}).get("add", [])) <= {"NET_BIND_SERVICE"}
        assert ctx.get("runAsNonRoot", pod.get("runAsNonRoot")) is True
        seccomp = ctx.get("seccompProfile", pod.get("seccompProfile", {}))
        assert seccomp.get("type") in {"RuntimeDefault", "Localhost"}
        assert "hostPort" not in str(container.get("ports", []))
    # restricted volume types only
    allowed = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
               "persistentVolumeClaim", "projected", "secret"}
    for volume in spec["volumes"]:
        assert set(volume) - {"name"} <= allowed, volume
    assert not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC")


def test_kubernetes_probes_ask_the_worker_views(manifests: dict[str, dict[str, Any]]) -> None:
    [container] = pod_spec(manifests)["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "web"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/live", "port": "web"}
    assert "web" in {p["name"] for p in container["ports"]}


def test_kubernetes_mounts_the_terms_config_map_where_the_worker_reads(
        manifests: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    settings = manifests["ConfigMap/warrantwatch-settings"]["data"]
    spec = pod_spec(manifests)
    [container] = spec["containers"]
    [mount] = [m for m in container["volumeMounts"] if m["mountPath"] == settings[TERMS_DIR]]
    assert mount["readOnly"] is True
    [volume] = [v for v in spec["volumes"] if v["name"] == mount["name"]]
    terms = manifests[f"ConfigMap/{volume['configMap']['name']}"]
    # each key becomes a file of the mounted directory: load them as the worker will
    for name, text in terms["data"].items():
        (tmp_path / name).write_text(text)
    assert load_terms_files(None, tmp_path) == [load_terms()]
    kustomization = yaml.safe_load((ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text())
    assert "terms-configmap.yaml" in kustomization["resources"]
    for resource in kustomization["resources"]:
        assert (ROOT / "deploy" / "k8s" / resource).is_file()


def test_example_secret_is_placeholders_outside_the_kustomization(
        manifests: dict[str, dict[str, Any]]) -> None:
    kustomization = yaml.safe_load((ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text())
    assert "secret.example.yaml" not in kustomization["resources"]
    examples = {f"{d['kind']}/{d['metadata']['name']}": d for d in load_yaml_documents(
        ROOT / "deploy" / "k8s" / "secret.example.yaml")}
    spec = pod_spec(manifests)
    [container] = spec["containers"]
    referenced = {e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"]}
    referenced |= {v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
    assert {f"Secret/{name}" for name in referenced} == set(examples)
    for secret in examples.values():
        assert all("REPLACE-ME" in value for value in secret["stringData"].values())
    for entry in container["env"]:
        ref = entry["valueFrom"]["secretKeyRef"]
        assert ref["key"] in examples[f"Secret/{ref['name']}"]["stringData"]


def test_docs_and_worker_help_say_at_least_once_where_deploys_are_described() -> None:
    text = (ROOT / "docs" / "operations.md").read_text()
    deploying = text[text.index("## Deploying"):]
    deploying = deploying[:deploying.index("\n## ", 1)]
    assert "at_least_once" in deploying
    assert "with\n  `exactly_once`" not in deploying and "with `exactly_once`" not in deploying
    assert "(set in docker-compose.yml and deploy/k8s)" not in text
    help_text = " ".join(_worker_help().split())
    assert "WARNING: exactly_once is not verified" in help_text


def _worker_help() -> str:
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices["worker"]  # type: ignore[union-attr]
    return str(sub.format_help())


# --- The files against their schemas, offline (issue 12, item 7): the Compose Specification
# (tests/resources/deploy/compose-spec.json, provenance in its README.md) and the Kubernetes
# API (the schemas of the `kubernetes-validate` wheel, strict: unknown fields are errors).
# Each check is also shown to fail on a planted error, so a pass means something.

COMPOSE_SCHEMA = ROOT / "tests" / "resources" / "deploy" / "compose-spec.json"
# the oldest Kubernetes minor release the manifests are held to, and the newest one known
K8S_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())


def compose_errors(doc: dict[str, Any]) -> list[str]:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)]


def k8s_errors(doc: dict[str, Any]) -> list[str]:
    errors = []
    for version in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(map(str, exc.path))
            errors.append(f"{doc['kind']} ({version}) {path}: {exc.message}")
    return errors


def api_objects() -> list[dict[str, Any]]:
    """Every document of deploy/k8s but the kustomization (a kustomize file, no API object)."""
    docs = [d for f in sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
            for d in load_yaml_documents(f)]
    return [d for d in docs if not d["apiVersion"].startswith("kustomize.config.k8s.io/")]


def test_compose_file_is_valid_against_the_compose_specification(
        compose: dict[str, Any]) -> None:
    assert compose_errors(compose) == []
    # planted errors are found: a misspelt key, a wrong type
    planted = copy.deepcopy(compose)
    planted["services"]["worker"]["restart_polcy"] = "always"
    planted["services"]["worker"]["healthcheck"]["retries"] = [3]
    errors = compose_errors(planted)
    assert any("restart_polcy" in e for e in errors), errors
    assert any(e.startswith("services/worker/healthcheck/retries") for e in errors), errors


def test_kubernetes_manifests_are_valid_against_the_kubernetes_api() -> None:
    objects = api_objects()
    kinds = sorted(d["kind"] for d in objects)
    assert kinds == ["ConfigMap", "ConfigMap", "Deployment", "PodDisruptionBudget", "Secret",
                     "Secret"], kinds
    for doc in objects:
        assert k8s_errors(doc) == [], doc["kind"]
    # planted errors are found: a misspelt field of the container, a wrong type
    [deployment] = [d for d in objects if d["kind"] == "Deployment"]
    planted = copy.deepcopy(deployment)
    [container] = planted["spec"]["template"]["spec"]["containers"]
    container["readinessProbe"]["initalDelaySeconds"] = 5
    assert k8s_errors(planted), "a misspelt field passed"
    planted = copy.deepcopy(deployment)
    planted["spec"]["replicas"] = "two"
    errors = k8s_errors(planted)
    assert errors and all("replicas" in e for e in errors), errors
