"""The Kubernetes manifests: a Deployment and KEDA ScaledObject per worker group, the ingress, the
scheduler, the migration Job and the cluster's configuration."""

from __future__ import annotations

from typing import Any

from deploy.sources import WorkerGroup, image, worker_groups, yaml_text

#: Every process of a cluster reads these (the Secret holds the rest: URLs with passwords, keys).
CLUSTER_CONFIG = {
    "RSC_QUEUE_TYPE": "quorum",
    "RSC_DELIVERY_LIMIT": "5",
    "RSC_LOG_FORMAT": "json",
    "RSC_LOG_LEVEL": "INFO",
    "RSC_INGRESS_HOST": "0.0.0.0",  # noqa: S104 - the pod's interface, behind its Service
    "RSC_INGRESS_PORT": "8080",
    "RSC_METRICS_PORT": "9191",
    "RSC_LINKEDIN_API_URL": "https://api.linkedin.com",
    "RSC_LINKEDIN_OAUTH_URL": "https://www.linkedin.com",
}


#: Keys of the Secret (``secrets.env``); never committed with values.
SECRET_KEYS = (
    "RSC_BROKER_URL",
    "RSC_DATABASE_URL",
    "RSC_SECRET_KEY",
    "RSC_PUBLIC_BASE_URL",
    "RSC_ATS_API_TOKEN",
    "RSC_SMTP_PASSWORD",
    "RSC_PARTNER_CLIENT_ID",
    "RSC_PARTNER_CLIENT_SECRET",
)


#: Ready messages per worker pod KEDA aims for; above it, it adds pods.
MESSAGES_PER_POD = 100


#: Worker pods per queue at most (each holds its threads' database connections).
MAX_PODS_PER_QUEUE = 10


#: Dramatiq lets messages in progress finish on SIGTERM; RSC_TIME_LIMIT_MS (120 s) bounds them.
WORKER_GRACE_S = 150


def _labels(component: str, queue: str | None = None) -> dict[str, str]:
    labels = {"app.kubernetes.io/name": "rsc-pipeline", "app.kubernetes.io/component": component}
    if queue:
        labels["rsc.pipeline/queue"] = queue
    return labels


def _container(name: str, args: list[str], *, port: int, resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "image": image(),
        "args": args,
        "envFrom": [{"configMapRef": {"name": "rsc-config"}}, {"secretRef": {"name": "rsc-secrets"}}],
        "ports": [{"name": "http", "containerPort": port}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": port}, "periodSeconds": 20},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": port}, "periodSeconds": 10},
        "resources": resources,
        "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True},
    }


def _deployment(
    name: str, labels: dict[str, str], container: dict[str, Any], *, replicas: int, **spec: Any
) -> dict[str, Any]:
    port = container["ports"][0]["containerPort"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            **spec,
            "template": {
                "metadata": {
                    "labels": labels,
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(port),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "containers": [container],
                    "terminationGracePeriodSeconds": 30,
                },
            },
        },
    }


def worker_documents(group: WorkerGroup) -> list[dict[str, Any]]:
    name = f"rsc-worker-{group.name}"
    # The lanes label keeps the selectors of two groups of one queue apart.
    labels = {**_labels("worker", group.queue), "rsc.pipeline/lanes": group.lanes.value}
    args = group.args()
    cpu = f"{250 * group.processes}m"
    memory = f"{256 * group.processes}Mi"
    container = _container(
        "worker",
        args,
        port=int(CLUSTER_CONFIG["RSC_METRICS_PORT"]),
        resources={
            "requests": {"cpu": cpu, "memory": memory},
            "limits": {"memory": f"{512 * group.processes}Mi"},
        },
    )
    deployment = _deployment(name, labels, container, replicas=1)
    deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = WORKER_GRACE_S
    scaled = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "scaleTargetRef": {"name": name},
            # Never zero: the same pods consume the queue's delay queue (retries waiting for their
            # time), which KEDA does not see.
            "minReplicaCount": 1,
            "maxReplicaCount": MAX_PODS_PER_QUEUE,
            "pollingInterval": 15,
            "cooldownPeriod": 300,
            # The queue and its bulk lane (those of them the group consumes), each its own trigger:
            # KEDA scales to the larger demand.
            "triggers": [
                {
                    "type": "rabbitmq",
                    "metadata": {
                        "protocol": "amqp",
                        "queueName": queue,
                        "mode": "QueueLength",
                        "value": str(MESSAGES_PER_POD),
                    },
                    "authenticationRef": {"name": "rsc-rabbitmq"},
                }
                for queue in group.consumes()
            ],
        },
    }
    return [deployment, scaled]


def ingress_documents() -> list[dict[str, Any]]:
    labels = _labels("ingress")
    port = int(CLUSTER_CONFIG["RSC_INGRESS_PORT"])
    container = _container(
        "ingress",
        ["ingress"],
        port=port,
        resources={"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    )
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "rsc-ingress", "labels": labels},
        "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    }
    return [_deployment("rsc-ingress", labels, container, replicas=2), service]


def scheduler_documents() -> list[dict[str, Any]]:
    labels = _labels("scheduler")
    container = _container(
        "scheduler",
        ["scheduler"],
        port=int(CLUSTER_CONFIG["RSC_METRICS_PORT"]),
        resources={"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"memory": "384Mi"}},
    )
    # Two, one leads (the lease in the store, workers/scheduler.py): the standby takes over within
    # RSC_SCHEDULER_LEASE_S + RSC_SCHEDULER_STANDBY_POLL_S of the leader's death. A rolling update
    # replaces one pod at a time, so one is always there; the pods prefer different nodes.
    deployment = _deployment(
        "rsc-scheduler",
        labels,
        container,
        replicas=2,
        strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
    )
    deployment["spec"]["template"]["spec"]["affinity"] = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": labels},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }
    return [deployment]


def migration_documents() -> list[dict[str, Any]]:
    labels = _labels("migration")
    return [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "rsc-migrate", "labels": labels},
            "spec": {
                "backoffLimit": 4,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "containers": [
                            {
                                "name": "migrate",
                                "image": image(),
                                "args": ["db", "upgrade"],
                                "envFrom": [
                                    {"configMapRef": {"name": "rsc-config"}},
                                    {"secretRef": {"name": "rsc-secrets"}},
                                ],
                                "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True},
                            }
                        ],
                    },
                },
            },
        }
    ]


def config_documents() -> list[dict[str, Any]]:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "rsc-config", "labels": _labels("config")},
        "data": dict(CLUSTER_CONFIG),
    }
    trigger_auth = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "TriggerAuthentication",
        "metadata": {"name": "rsc-rabbitmq", "labels": _labels("config")},
        "spec": {"secretTargetRef": [{"parameter": "host", "name": "rsc-secrets", "key": "RSC_BROKER_URL"}]},
    }
    return [config_map, trigger_auth]


KUBERNETES_FILES = {
    "config.yaml": config_documents,
    "migrate.yaml": migration_documents,
    "ingress.yaml": ingress_documents,
    "scheduler.yaml": scheduler_documents,
}


def kubernetes_files() -> dict[str, str]:
    files = {name: yaml_text(render()) for name, render in KUBERNETES_FILES.items()}
    files["workers.yaml"] = yaml_text([doc for group in worker_groups() for doc in worker_documents(group)])
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(files),
        # secrets.env (copied from secrets.env.example, never committed) becomes the Secret.
        "secretGenerator": [{"name": "rsc-secrets", "envs": ["secrets.env"]}],
        "generatorOptions": {"disableNameSuffixHash": True},
    }
    files["kustomization.yaml"] = yaml_text([kustomization])
    files["secrets.env.example"] = "".join(f"{key}=\n" for key in SECRET_KEYS)
    return {f"kubernetes/{name}": text for name, text in files.items()}
