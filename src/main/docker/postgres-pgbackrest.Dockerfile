# The instance image when spec.backup or bootstrap.recovery is set: the official PostgreSQL image (Debian bookworm,
# postgres = uid 999, the uid the pods run as) plus pgBackRest from the PostgreSQL project's apt repository, which
# the official image already configures. Nothing else changes: instance.sh and backup.sh come from ConfigMaps.
#
#   docker build --build-arg PG_MAJOR=16 -t ghcr.io/learningdb/postgres-pgbackrest:16 \
#       -f src/main/docker/postgres-pgbackrest.Dockerfile .
ARG PG_MAJOR=16
FROM docker.io/library/postgres:${PG_MAJOR}-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends pgbackrest ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && pgbackrest version
USER 999
