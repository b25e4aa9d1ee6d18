#!/usr/bin/env bash
# Recompiles the contracts into a temporary directory and fails if the committed artifacts differ.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node "$repo/contracts/compile.mjs" --out "$tmp" >/dev/null
status=0
for dir in src/Channels/Generated tests/Channels.IntegrationTests/Generated; do
  # Only the files the compiler writes are compared; hand-written loaders may sit beside them.
  if ! diff -r -x '*.cs' "$tmp/$dir" "$repo/$dir"; then
    echo "contract artifacts in $dir differ from a fresh compile: run node contracts/compile.mjs" >&2
    status=1
  fi
done
exit $status
