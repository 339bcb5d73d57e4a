# syntax=docker/dockerfile:1
# sprintsync as a container: `docker run --rm -v "$PWD/config:/config:ro" -e SPRINTSYNC_... IMAGE run ...`
# The base is pinned by its full version tag. Pin it by digest as well in your own registry
# mirror (`python:3.12.12-slim-bookworm@sha256:...`) once you have read the digest there.
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/sprintsync
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/sprintsync/bin/pip install --no-cache-dir /src

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="sprintsync" \
      org.opencontainers.image.description="Daily sprint status reports from Jira or GitHub Projects" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 sprintsync \
    && useradd --system --uid 10001 --gid sprintsync --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin sprintsync
COPY --from=build /opt/sprintsync /opt/sprintsync
RUN mkdir /state && chown 10001:10001 /state
ENV PATH=/opt/sprintsync/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SPRINTSYNC_STATE__PATH=/state/state.db
# Config and plans are mounted read-only at /config; state (snapshots, locks) goes to /state.
WORKDIR /config
USER 10001:10001
ENTRYPOINT ["sprintsync"]
CMD ["--help"]
