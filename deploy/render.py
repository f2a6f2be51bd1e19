"""Render ``deploy/`` from the code: one worker Deployment and KEDA ScaledObject per feature queue,
the compose file's worker services, and the RabbitMQ definitions, all from ``events.topology``.

A queue added to ``Queue`` (with its Procfile line) appears everywhere at the next render; a test
fails while the committed files differ from what this renders. Run ``make deploy`` after changing
queues, the Procfile or this file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from events.topology import Queue, declarations
from rsc.settings import QueueType, Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"

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
)
#: Ready messages per worker pod KEDA aims for; above it, it adds pods.
MESSAGES_PER_POD = 100
#: Worker pods per queue at most (each holds its threads' database connections).
MAX_PODS_PER_QUEUE = 10
#: Dramatiq lets messages in progress finish on SIGTERM; RSC_TIME_LIMIT_MS (120 s) bounds them.
WORKER_GRACE_S = 150
#: Virtual host of the compose stack.
COMPOSE_VHOST = "rsc"
#: The compose stack's RabbitMQ and PostgreSQL login (a local stack on a laptop, nothing else).
COMPOSE_USER = "rsc"


@dataclass(frozen=True)
class WorkerGroup:
    queue: str
    processes: int
    threads: int


def image() -> str:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return f"rsc-pipeline:{version}"


_PROCFILE_WORKER = re.compile(r"^(?P<name>[\w-]+):\s*rsc worker (?P<args>.*)$")


def worker_groups(procfile: str | None = None) -> list[WorkerGroup]:
    """One group per feature queue, sized as its Procfile line says (one process, 4 threads if absent)."""
    sizes: dict[str, tuple[int, int]] = {}
    for line in (procfile if procfile is not None else (ROOT / "Procfile").read_text()).splitlines():
        match = _PROCFILE_WORKER.match(line.strip())
        if not match:
            continue
        args = match["args"].split()
        queues = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg in ("--queues", "-Q")]
        processes = _option(args, ("--processes", "-p"), 1)
        threads = _option(args, ("--threads", "-t"), 8)
        for queue in queues:
            sizes[queue] = (processes, threads)
    return [WorkerGroup(q.value, *sizes.get(q.value, (1, 4))) for q in Queue]


def _option(args: list[str], names: tuple[str, ...], default: int) -> int:
    for i, arg in enumerate(args[:-1]):
        if arg in names:
            return int(args[i + 1])
    return default


# --- Kubernetes ------------------------------------------------------------------------------------


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
    name = f"rsc-worker-{group.queue.replace('_', '-')}"
    labels = _labels("worker", group.queue)
    args = ["worker", "--queues", group.queue, "--processes", str(group.processes)]
    args += ["--threads", str(group.threads)]
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
            "triggers": [
                {
                    "type": "rabbitmq",
                    "metadata": {
                        "protocol": "amqp",
                        "queueName": group.queue,
                        "mode": "QueueLength",
                        "value": str(MESSAGES_PER_POD),
                    },
                    "authenticationRef": {"name": "rsc-rabbitmq"},
                }
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
    # Exactly one: Recreate stops the old pod before the new one starts.
    return [_deployment("rsc-scheduler", labels, container, replicas=1, strategy={"type": "Recreate"})]


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
    files = {name: _yaml(render()) for name, render in KUBERNETES_FILES.items()}
    files["workers.yaml"] = _yaml([doc for group in worker_groups() for doc in worker_documents(group)])
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(files),
        # secrets.env (copied from secrets.env.example, never committed) becomes the Secret.
        "secretGenerator": [{"name": "rsc-secrets", "envs": ["secrets.env"]}],
        "generatorOptions": {"disableNameSuffixHash": True},
    }
    files["kustomization.yaml"] = _yaml([kustomization])
    files["secrets.env.example"] = "".join(f"{key}=\n" for key in SECRET_KEYS)
    return {f"kubernetes/{name}": text for name, text in files.items()}


# --- compose ---------------------------------------------------------------------------------------


def compose_file() -> str:
    broker = f"amqp://{COMPOSE_USER}:{COMPOSE_USER}@rabbitmq:5672/{COMPOSE_VHOST}"
    database = f"postgresql://{COMPOSE_USER}:{COMPOSE_USER}@postgres:5432/rsc"
    environment = {
        **CLUSTER_CONFIG,
        "RSC_BROKER_URL": broker,
        "RSC_DATABASE_URL": database,
        # The bundled sandbox stands in for LinkedIn on a laptop.
        "RSC_LINKEDIN_API_URL": "http://sandbox:8090",
        "RSC_LINKEDIN_OAUTH_URL": "",
        "RSC_PUBLIC_BASE_URL": "http://ingress:8080",
        "RSC_SANDBOX_HOST": "0.0.0.0",  # noqa: S104
        "RSC_SANDBOX_DB": "/tmp/sandbox.db",  # noqa: S108
    }
    ready = {"rabbitmq": {"condition": "service_healthy"}, "postgres": {"condition": "service_healthy"}}
    after_migration = {**ready, "migrate": {"condition": "service_completed_successfully"}}

    def pipeline(args: list[str], **extra: Any) -> dict[str, Any]:
        # var/ is shared so every process uses the same development key (RSC_SECRET_KEY is unset).
        return {
            "image": image(),
            "build": "..",
            "command": args,
            "environment": environment,
            "volumes": ["rsc-var:/app/var"],
            **extra,
        }

    services: dict[str, Any] = {
        "rabbitmq": {
            "image": "rabbitmq:3.13-management",
            "ports": ["5672:5672", "15672:15672"],
            "volumes": [
                "./rabbitmq/compose.conf:/etc/rabbitmq/conf.d/20-rsc.conf:ro",
                "./rabbitmq/compose-definitions.json:/etc/rabbitmq/definitions.json:ro",
            ],
            "healthcheck": {
                "test": ["CMD", "rabbitmq-diagnostics", "-q", "check_port_connectivity"],
                "interval": "5s",
                "timeout": "10s",
                "retries": 30,
            },
        },
        "postgres": {
            "image": "postgres:16",
            "environment": {
                "POSTGRES_USER": COMPOSE_USER,
                "POSTGRES_PASSWORD": COMPOSE_USER,
                "POSTGRES_DB": "rsc",
            },
            "ports": ["5432:5432"],
            "healthcheck": {
                "test": ["CMD", "pg_isready", "-U", COMPOSE_USER, "-d", "rsc"],
                "interval": "5s",
                "timeout": "5s",
                "retries": 30,
            },
        },
        "migrate": pipeline(["db", "upgrade"], depends_on=ready),
        "sandbox": pipeline(["sandbox"], ports=["8090:8090"]),
        "ingress": pipeline(["ingress"], ports=["8080:8080"], depends_on=after_migration),
        "scheduler": pipeline(["scheduler"], ports=["9191:9191"], depends_on=after_migration),
    }
    for number, group in enumerate(worker_groups()):
        args = ["worker", "--queues", group.queue, "--processes", str(group.processes)]
        args += ["--threads", str(group.threads)]
        services[f"worker-{group.queue.replace('_', '-')}"] = pipeline(
            args, ports=[f"{9200 + number}:9191"], depends_on=after_migration
        )
    header = (
        "# The local stack: RabbitMQ with management (http://localhost:15672, rsc/rsc), PostgreSQL,\n"
        "# the LinkedIn sandbox and the pipeline, one service per worker group (metrics on 9200+).\n"
        "# Generated by `make deploy` from events/topology.py and the Procfile; do not edit.\n"
        "#   docker compose -f deploy/compose.yaml up --build\n"
    )
    return header + _dump({"name": "rsc-pipeline", "services": services, "volumes": {"rsc-var": {}}})


# --- RabbitMQ ----------------------------------------------------------------------------------------


def definitions(vhost: str = "/", *, user: str | None = None, password: str | None = None) -> dict[str, Any]:
    """Every feature queue's three queues, declared quorum with the arguments the workers use."""
    settings = Settings(queue_type=QueueType.QUORUM)
    queues = [
        {"name": name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": arguments}
        for queue in Queue
        for name, arguments in declarations(queue.value, settings)
    ]
    out: dict[str, Any] = {"vhosts": [{"name": vhost}], "queues": queues}
    if user is not None and password is not None:
        out["users"] = [
            {
                "name": user,
                "password_hash": _password_hash(password),
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": ["administrator"],
            }
        ]
        out["permissions"] = [{"user": user, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}]
    return out


def _password_hash(password: str) -> str:
    """RabbitMQ's SHA-256 scheme: base64(salt + sha256(salt + password)); a fixed salt keeps renders equal."""
    salt = hashlib.sha256(f"rsc-compose-{password}".encode()).digest()[:4]
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def rabbitmq_files() -> dict[str, str]:
    return {
        "rabbitmq/definitions.json": _json(definitions()),
        "rabbitmq/compose-definitions.json": _json(
            definitions(COMPOSE_VHOST, user=COMPOSE_USER, password=COMPOSE_USER)
        ),
        "rabbitmq/compose.conf": "load_definitions = /etc/rabbitmq/definitions.json\n",
    }


# --- all of it ---------------------------------------------------------------------------------------


def rendered() -> dict[str, str]:
    """Path under ``deploy/`` -> content, for every generated file."""
    return {**kubernetes_files(), "compose.yaml": compose_file(), **rabbitmq_files()}


def stale() -> list[str]:
    """Generated files whose committed content differs from a fresh render."""
    return sorted(
        path
        for path, text in rendered().items()
        if not (DEPLOY / path).exists() or (DEPLOY / path).read_text() != text
    )


def write() -> list[str]:
    changed = stale()
    for path, text in rendered().items():
        target = DEPLOY / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return changed


class _Dumper(yaml.SafeDumper):
    """Writes shared values out in full: no ``&id001`` anchors in files people read."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=110)


def _yaml(documents: list[dict[str, Any]]) -> str:
    header = "# Generated by `make deploy` from events/topology.py and the Procfile; do not edit.\n"
    return header + "---\n".join(_dump(doc) for doc in documents)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"


if __name__ == "__main__":
    changed = write()
    print("\n".join(f"deploy/{path}" for path in changed) or "deploy/ is up to date", file=sys.stderr)
