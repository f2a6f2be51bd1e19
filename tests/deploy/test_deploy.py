"""deploy/ and the Procfile cover every queue of events/topology.py, and the manifests are valid.

Offline: the Kubernetes schemas come with the kubernetes-validate package, KEDA's kinds are checked
against the JSON Schemas under deploy/schemas/, and the compose file is checked for its structure
(there is no container engine to run it here).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from deploy import render
from deploy.sources import worker_groups
from events.topology import BULK_LANES, Queue, declarations, lane_queues
from rsc.settings import QueueType, Settings, WorkerLanes

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
#: The oldest Kubernetes release the manifests must be valid for.
KUBERNETES_VERSION = "1.30.0"
KEDA_SCHEMAS = {
    "ScaledObject": DEPLOY / "schemas" / "keda-scaledobject.schema.json",
    "TriggerAuthentication": DEPLOY / "schemas" / "keda-triggerauthentication.schema.json",
}


def documents() -> list[tuple[str, dict[str, Any]]]:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    out = []
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((KUBERNETES / name).read_text()):
            out.append((name, doc))
    return out


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in documents() if doc["kind"] == kind]


def test_the_committed_files_are_what_the_topology_renders() -> None:
    assert render.stale() == [], "run `make deploy` and commit deploy/"


def test_every_manifest_is_valid_offline() -> None:
    validated = 0
    for _, doc in documents():
        if doc["apiVersion"].startswith("keda.sh/"):
            schema = json.loads(KEDA_SCHEMAS[doc["kind"]].read_text())
            jsonschema.validate(doc, schema)
        else:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        validated += 1
    assert validated >= 2 * len(Queue) + 6


def test_the_validation_rejects_a_broken_manifest() -> None:
    deployment = of_kind("Deployment")[0]
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    scaled = of_kind("ScaledObject")[0]
    scaled["spec"]["triggers"][0]["metadata"]["value"] = 100  # KEDA wants strings
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, json.loads(KEDA_SCHEMAS["ScaledObject"].read_text()))


def _consumed(args: list[str]) -> list[str]:
    """The queues (without delay queues) a worker command line consumes."""
    assert args.count("--queues") == 1
    lanes = WorkerLanes(args[args.index("--lanes") + 1]) if "--lanes" in args else WorkerLanes.ALL
    return lane_queues([args[args.index("--queues") + 1]], lanes)


def test_each_lane_of_each_queue_has_one_worker_deployment_scaled_on_what_it_consumes() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind("ScaledObject")}
    workers = {
        name: d
        for name, d in deployments.items()
        if d["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"
    }
    assert len(workers) == len(worker_groups())
    assert set(scaled) == set(workers)
    consumed: list[str] = []
    for name, deployment in workers.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        queues = _consumed(container["args"])
        consumed += queues
        triggers = scaled[name]["spec"]["triggers"]
        assert all(trigger["type"] == "rabbitmq" for trigger in triggers)
        # A trigger per queue it consumes (the queue, its bulk lane or both): a backlog there scales it.
        assert [trigger["metadata"]["queueName"] for trigger in triggers] == queues
        # The delay queue has no consumer at zero pods: retries would stall.
        assert scaled[name]["spec"]["minReplicaCount"] >= 1
    # Every queue and every bulk lane has exactly one worker group.
    assert sorted(consumed) == sorted([q.value for q in Queue] + list(BULK_LANES))
    # Two groups of one queue never select each other's pods.
    selectors = [tuple(sorted(d["spec"]["selector"]["matchLabels"].items())) for d in workers.values()]
    assert len(selectors) == len(set(selectors))


def test_the_busiest_queues_run_their_bulk_lane_in_a_group_of_its_own() -> None:
    groups = {(g.queue, g.lanes) for g in worker_groups()}
    for queue in ("status_push", "profile_match"):
        assert {(queue, WorkerLanes.NORMAL), (queue, WorkerLanes.BULK)} <= groups
    # The Procfile's lines are what a group is made of: one line, one group.
    procfile = "a: rsc worker --queues status_push --lanes bulk -t 2\nb: rsc worker -Q status_push -p 3\n"
    parsed = [g for g in worker_groups(procfile) if g.queue == "status_push"]
    assert [(g.lanes, g.processes, g.threads) for g in parsed] == [
        (WorkerLanes.BULK, 1, 2),
        (WorkerLanes.ALL, 3, 8),
    ]
    assert parsed[0].name == "status-push-bulk" and parsed[1].name == "status-push"


def test_the_ingress_scheduler_and_migration_are_there() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    # Two schedulers, one leads: a rolling update never takes both down at once.
    scheduler = deployments["rsc-scheduler"]["spec"]
    assert scheduler["replicas"] == 2
    assert scheduler["strategy"]["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0}
    spread = scheduler["template"]["spec"]["affinity"]["podAntiAffinity"]
    (term,) = spread["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"]["labelSelector"]["matchLabels"] == scheduler["selector"]["matchLabels"]
    ingress = deployments["rsc-ingress"]["spec"]["template"]["spec"]["containers"][0]
    assert ingress["readinessProbe"]["httpGet"]["path"] == "/readyz"
    (service,) = of_kind("Service")
    assert service["spec"]["selector"] == deployments["rsc-ingress"]["spec"]["selector"]["matchLabels"]
    (job,) = of_kind("Job")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["db", "upgrade"]
    (config,) = of_kind("ConfigMap")
    assert config["data"]["RSC_QUEUE_TYPE"] == "quorum"
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    (secret,) = kustomization["secretGenerator"]
    assert secret["name"] == "rsc-secrets"
    example = (KUBERNETES / "secrets.env.example").read_text()
    assert {line.split("=")[0] for line in example.splitlines()} >= {"RSC_BROKER_URL", "RSC_SECRET_KEY"}
    assert all(line.endswith("=") for line in example.splitlines()), "no value is ever committed"


def test_the_compose_file_runs_the_whole_pipeline_with_a_worker_group_per_queue() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert services["rabbitmq"]["image"].endswith("-management")
    assert {"postgres", "migrate", "ingress", "scheduler", "scheduler-standby", "sandbox"} <= set(services)
    assert services["scheduler"]["command"] == services["scheduler-standby"]["command"] == ["scheduler"]
    queues = []
    for name, service in services.items():
        if name.startswith("worker-"):
            queues += _consumed(service["command"])
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert sorted(queues) == sorted([q.value for q in Queue] + list(BULK_LANES))
    for name in ("ingress", "scheduler", "migrate"):
        environment = services[name]["environment"]
        assert environment["RSC_QUEUE_TYPE"] == "quorum"
        assert environment["RSC_BROKER_URL"].endswith(f"/{render.COMPOSE_VHOST}")
    host_ports = [p.split(":")[0] for s in services.values() for p in s.get("ports", [])]
    assert len(host_ports) == len(set(host_ports))
    for volume in services["rabbitmq"]["volumes"]:
        assert (DEPLOY / volume.split(":")[0]).is_file()
    assert (ROOT / "Dockerfile").is_file()


@pytest.mark.parametrize("name", ["definitions.json", "compose-definitions.json"])
def test_the_rabbitmq_definitions_declare_every_queue_as_the_workers_do(name: str) -> None:
    defined = json.loads((DEPLOY / "rabbitmq" / name).read_text())
    quorum = Settings(queue_type=QueueType.QUORUM)
    expected = {n: args for q in Queue for n, args in declarations(q.value, quorum)}
    assert {q["name"]: q["arguments"] for q in defined["queues"]} == expected
    assert all(q["durable"] and not q["auto_delete"] for q in defined["queues"])
    assert all(q["arguments"]["x-queue-type"] == "quorum" for q in defined["queues"])
    names = {q["name"] for q in defined["queues"]}
    for lane in BULK_LANES:
        # A lane and its delay queue dead-letter into their feature queue's dead-letter queue.
        assert {lane, f"{lane}.DQ"} <= names and f"{lane}.XQ" not in names
        dead_letters = expected[lane]["x-dead-letter-routing-key"]
        assert dead_letters == f"{lane.removesuffix('.bulk')}.XQ" and dead_letters in names
    assert "users" not in defined or name.startswith("compose")


def test_the_procfile_has_one_worker_process_type_per_queue_and_lane() -> None:
    consumed: list[str] = []
    for line in (ROOT / "Procfile").read_text().splitlines():
        match = re.match(r"^([\w-]+):\s*rsc worker (.*)$", line)
        if match:
            args = match[2].split()
            queues = _consumed(args)
            # A process type is named for its queue, and a group of a bulk lane for the lane.
            assert match[1] == queues[0].replace(".", "_"), f"{match[1]}: named for what it consumes"
            consumed += queues
    assert sorted(consumed) == sorted([q.value for q in Queue] + list(BULK_LANES))
