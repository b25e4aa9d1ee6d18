#!/usr/bin/env bash
# Recompiles the contracts and regenerates the Nethereum bindings into a temporary directory and fails if the
# committed artifacts or bindings differ.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node "$repo/contracts/compile.mjs" --out "$tmp" >/dev/null
node "$repo/contracts/generate-bindings.mjs" --out "$tmp" >/dev/null
status=0
for dir in src/Channels/Generated tests/Channels.IntegrationTests/Generated; do
  # The compiler's JSON and the generated bindings (*.g.cs) are compared; the hand-written loader is not.
  if ! diff -r -x 'ContractArtifact.cs' "$tmp/$dir" "$repo/$dir"; then
    echo "contract artifacts in $dir differ from a fresh compile: run node contracts/compile.mjs && node contracts/generate-bindings.mjs" >&2
    status=1
  fi
done
exit $status
