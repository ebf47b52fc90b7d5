# syntax=docker/dockerfile:1
#
# drawbridge: watches Amazon ECR, picks tags by policy, commits and pushes to Git.
#
#   docker build -t drawbridge .
#   docker run --rm -p 8080:8080 \
#     -v "$PWD/drawbridge.yaml:/etc/drawbridge/drawbridge.yaml:ro" drawbridge
#
# The config is read from $DRAWBRIDGE_CONFIG, clones live in $DRAWBRIDGE_WORKDIR (a volume:
# the daemon keeps no state there that Git and ECR do not have, so it may be an emptyDir).

# The base image is pinned by digest, so a build always starts from the same bytes. The digest
# is that of the multi-platform index of node:24.19.0-bookworm-slim, which node:24-slim (and
# node:24-bookworm-slim) pointed to on 2026-08-25. Renovate's or Dependabot's docker updates
# bump it in both FROM lines; a hand bump: docker buildx imagetools inspect node:24-slim.

# ---- build: compile TypeScript to dist/ ---------------------------------------------------
FROM node:24-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
# Scripts off here: `prepare` compiles, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, git and ssh, non-root ------------------------------
FROM node:24-slim@sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df AS runtime

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="drawbridge" \
      org.opencontainers.image.description="Closes the GitOps loop on AWS: watches Amazon ECR, picks tags by policy, rewrites manifests and pushes to Git." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/drawbridge-dev/drawbridge" \
      org.opencontainers.image.base.name="docker.io/library/node:24-slim" \
      org.opencontainers.image.base.digest="sha256:a9f5f7c91a432850b2a8a7797adf5eadb6c733ceed61167806cee7ea7fbc29df"

# git for clones and pushes, openssh-client for SSH remotes, CA certificates for HTTPS remotes,
# tini as PID 1: it forwards SIGTERM to drawbridge and reaps the git and ssh processes that
# outlive their parent (node itself does not reap orphans).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
 && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY config ./config

# The launcher on PATH is the package's bin; HOME on the volume gives git and ssh a
# writable place under a read-only root filesystem.
RUN chmod 0755 /app/dist/cli/main.js \
 && ln -s /app/dist/cli/main.js /usr/local/bin/drawbridge \
 && groupadd --system --gid 10001 drawbridge \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/drawbridge --shell /usr/sbin/nologin drawbridge \
 && mkdir -p /etc/drawbridge /var/lib/drawbridge \
 && chown 10001:10001 /var/lib/drawbridge

ENV DRAWBRIDGE_CONFIG=/etc/drawbridge/drawbridge.yaml \
    DRAWBRIDGE_WORKDIR=/var/lib/drawbridge \
    HOME=/var/lib/drawbridge

VOLUME /var/lib/drawbridge
EXPOSE 8080
USER 10001:10001

# No curl in the slim image: node asks the daemon's /healthz itself (server.port 8080).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "drawbridge"]
CMD ["run"]
