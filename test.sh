#!/usr/bin/env bash
# Runs every test: unit tests and the integration tests that start real Anvil, Hardhat, PostgreSQL
# and bank-sandbox processes. Sets up the machine first (idempotent).
#   ./test.sh                 everything
#   ./test.sh --filter EXPR   passed on to `dotnet test --filter`
#   ./test.sh --mutation [T…] mutation testing of the money-moving code (opt-in; .ci/mutation.sh)
#   ./test.sh --containers    the PostgreSQL-backed tests only, against PostgreSQL in a Testcontainers container
#                             instead of the default local server process (sets up Docker and the image: .ci/containers.sh)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
# shellcheck source=.ci/bootstrap.sh
source "$here/.ci/bootstrap.sh"
bootstrap_all
if [ "${1:-}" = "--mutation" ]; then
  shift
  exec "$here/.ci/mutation.sh" "$@"
fi

if [ "${1:-}" = "--containers" ]; then
  shift
  # shellcheck source=.ci/containers.sh
  source "$here/.ci/containers.sh"
  trap containers_down EXIT
  containers_up
  set -- --filter "FullyQualifiedName~PostgreSql" "$@"
fi

if [ -x contracts/check-artifacts.sh ]; then
  echo "== contract artifacts match a fresh compile"
  contracts/check-artifacts.sh
fi

echo "== build (Release)"
dotnet build Settlement.sln -c Release -nologo -v quiet -clp:ErrorsOnly

echo "== test"
status=0
for proj in tests/*Tests/*.csproj; do  # test projects only (tests/TestSupport is a library)
  name="$(basename "$proj" .csproj)"
  echo "-- $name"
  dotnet test "$proj" -c Release --no-build --nologo -v quiet \
    --logger "console;verbosity=minimal" "$@" || status=1
done
exit $status
