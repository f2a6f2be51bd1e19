"""The Kubernetes manifests rendered per worker group: a deployment sized by the group, never scaled to
zero (its delay queue needs consumers KEDA does not see), scaled on the queue and its bulk lane."""

from __future__ import annotations

import yaml

from deploy.manifests import kubernetes_files, worker_documents
from deploy.sources import WorkerGroup
from events.topology import lane_queues


def test_a_worker_group_is_a_deployment_and_a_scaled_object_on_each_lane() -> None:
    deployment, scaled = worker_documents(WorkerGroup("status_push", 2, 16))
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["worker", "--queues", "status_push", "--processes", "2", "--threads", "16"]
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "512Mi"}
    assert (
        scaled["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"] == "rsc-worker-status-push"
    )
    assert scaled["spec"]["minReplicaCount"] == 1
    queues = [trigger["metadata"]["queueName"] for trigger in scaled["spec"]["triggers"]]
    assert queues == lane_queues(["status_push"])


def test_the_kustomization_lists_every_rendered_file() -> None:
    files = kubernetes_files()
    [kustomization] = yaml.safe_load_all(files["kubernetes/kustomization.yaml"])
    rendered = {name.removeprefix("kubernetes/") for name in files if name.endswith(".yaml")}
    assert set(kustomization["resources"]) == rendered - {"kustomization.yaml"}
    assert files["kubernetes/secrets.env.example"].strip()
