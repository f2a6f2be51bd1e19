# The pipeline's one image: every process is `rsc <command>` (deploy/kubernetes, deploy/compose.yaml).
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas/ schemas/
COPY events/ events/
COPY store/ store/
COPY workers/ workers/
COPY linkedin/ linkedin/
COPY sandbox/ sandbox/
COPY ingress/ ingress/
COPY rsc/ rsc/
COPY matching/ matching/
COPY cli/ cli/
RUN pip install --no-cache-dir . \
    && mkdir -p /app/var \
    && chown 10001 /app/var

# A numeric user, so Kubernetes can check runAsNonRoot.
USER 10001
ENTRYPOINT ["rsc"]
