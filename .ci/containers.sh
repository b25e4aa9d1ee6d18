#!/usr/bin/env bash
# The opt-in container path of the PostgreSQL test fixture (./test.sh --containers), following ../shared/TOOLCHAIN.md:
# a Docker engine (docker.io; started here with --iptables=false --storage-driver=vfs when none answers, and stopped
# again afterwards), and a PostgreSQL 15 image built locally when there is no registry to pull from (debootstrap +
# docker import, ~4 minutes and ~1 GB once). Containers run on the host's network: all traffic stays on 127.0.0.1.
# Sourced, not executed.
set -euo pipefail
containers_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
containers_image="${L2PAY_TEST_POSTGRES_IMAGE:-l2pay/postgres:15}"
containers_started_engine=""
export DOCKER_API_VERSION="${DOCKER_API_VERSION:-1.41}"   # Testcontainers 4.16 asks for newer; Debian's engine offers 1.41
export TESTCONTAINERS_RYUK_DISABLED=true                  # Ryuk's image cannot be pulled here; the fixture removes its container

containers_log() { printf '[containers] %s\n' "$*" >&2; }

containers_up() {
  if ! docker info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null 2>&1; then
      [ "$(id -u)" -eq 0 ] || { containers_log "no Docker engine and not root: install docker.io"; return 1; }
      containers_log "installing docker.io"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
    fi
    containers_log "starting dockerd (vfs storage, no iptables)"
    dockerd --iptables=false --storage-driver=vfs >/tmp/l2pay-dockerd.log 2>&1 &
    containers_started_engine=$!
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { containers_log "dockerd did not answer (see /tmp/l2pay-dockerd.log)"; return 1; }
  fi
  if ! docker image inspect "$containers_image" >/dev/null 2>&1 && ! docker pull -q "$containers_image" >/dev/null 2>&1; then
    [ "$containers_image" = "l2pay/postgres:15" ] || { containers_log "cannot pull $containers_image"; return 1; }
    command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    local root
    root="$(mktemp -d /tmp/l2pay-pgimg.XXXXXX)"
    containers_log "building $containers_image with debootstrap (a few minutes, once)"
    debootstrap --variant=minbase --include=postgresql-15 bookworm "$root" http://deb.debian.org/debian >/dev/null
    install -m 0755 "$containers_root/.ci/postgres-image-entrypoint.sh" "$root/usr/local/bin/l2pay-postgres-entrypoint"
    tar -C "$root" -c . | docker import \
      --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENTRYPOINT ["/usr/local/bin/l2pay-postgres-entrypoint"]' - "$containers_image" >/dev/null
    rm -rf "$root"
  fi
  export L2PAY_TEST_POSTGRES=container L2PAY_TEST_POSTGRES_IMAGE="$containers_image"
  export L2PAY_TEST_POSTGRES_NETWORK="${L2PAY_TEST_POSTGRES_NETWORK:-host}"
}

containers_down() {
  if [ -n "$containers_started_engine" ]; then
    containers_log "stopping the dockerd this run started"
    kill "$containers_started_engine" 2>/dev/null || true
    wait "$containers_started_engine" 2>/dev/null || true
  fi
}
