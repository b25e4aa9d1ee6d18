#!/usr/bin/env bash
# Mutation testing with Stryker.NET over the code that moves money (issue 16). Opt-in: not part of
# the default ./test.sh run (hours on 2 cores for every target). Called by `./test.sh --mutation`.
#   ./test.sh --mutation                    every target below
#   ./test.sh --mutation payee ledger       the named targets
#   MUTATION_MUTATE='**/File.cs{1200..1450} **/Other.cs' ./test.sh --mutation T
#                                           only those files, or spans of them, of target T (a re-run of its
#                                           survivors); Stryker's {from..to} are character offsets in the file, not lines
# Reports (JSON + HTML) go to $MUTATION_OUT (default /tmp/settlement-mutation/<target>), never into
# the repository; a table of scores per target is printed at the end. docs/testing.md has the last
# scores and the survivors judged equivalent.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
out="${MUTATION_OUT:-/tmp/settlement-mutation}"
mkdir -p "$out"

# name | test project folder | project under test (file name) | folder to mutate | test filter
targets=(
  "payee|tests/Channels.Tests|Settlement.Channels.csproj|src/Channels/Payee|FullyQualifiedName~Payee&FullyQualifiedName!~Fuzz"
  "payer|tests/Channels.Tests|Settlement.Channels.csproj|src/Channels/Payer|FullyQualifiedName~Payer"
  "transfers|tests/OpenBanking.Tests|Settlement.OpenBanking.csproj|src/OpenBanking/Transfers|FullyQualifiedName~Transfers"
  "ledger|tests/Settlement.Tests|Settlement.Service.csproj|src/Settlement/Ledger|FullyQualifiedName~Ledger"
  "indexer|tests/Settlement.Tests|Settlement.Service.csproj|src/Settlement/Indexer|FullyQualifiedName~Indexer"
  "http402|tests/Channels.Tests|Settlement.Channels.csproj|src/Channels/Transport/Http402|FullyQualifiedName~Http402"
  "watchtower|tests/Channels.Tests|Settlement.Channels.csproj|src/Channels/Watchtower|FullyQualifiedName~Watchtower"
  "flows|tests/Settlement.Tests|Settlement.Service.csproj|src/Settlement/Flows|FullyQualifiedName~Flows"
  "reconciliation|tests/Settlement.Tests|Settlement.Service.csproj|src/Settlement/Reconciliation|FullyQualifiedName~Reconciliation"
  "contracts|tests/Channels.Tests|Settlement.Channels.csproj|src/Channels/Contracts|FullyQualifiedName~Channels.Tests.Contract"
  # The HTTP 402 middleware of the payee service: killed by the paid-route tests (a merchant app over the payee
  # engine and a real Anvil node, started by the test fixture for every test run).
  "payee-http402|tests/PayeeService.IntegrationTests|Settlement.PayeeService.csproj|src/PayeeService/Http402|FullyQualifiedName~Http402"
  # The stores: killed by the integration projects' store contract tests, over a real SQLite file or a throw-away
  # PostgreSQL server (PostgresProcess; no Anvil). The shared codec (src/Channels.Storage.Shared) is linked into both
  # channel stores; channel-stores-sqlite mutates it (its tests reach that assembly's copy).
  "channel-stores-sqlite|tests/Channels.IntegrationTests|Settlement.Channels.Storage.Sqlite.csproj|src/Channels.Storage.Sqlite|FullyQualifiedName~.Storage.&FullyQualifiedName!~PostgreSql"
  # The PostgreSQL channel stores without the linked shared files: the tests under Storage/Shared reach the SQLite
  # assembly's copy of them (the same source, measured by channel-stores-sqlite), never this assembly's, so widening
  # the filter would not kill a mutant there. Their tests: the store classes, PostgreSqlRetry/Schema/StoreRegistration
  # (Storage/PostgreSql) and the PostgreSQL cases of the two registration test classes.
  "channel-stores-postgresql|tests/Channels.IntegrationTests|Settlement.Channels.Storage.PostgreSql.csproj|src/Channels.Storage.PostgreSql|FullyQualifiedName~.Storage.PostgreSql|FullyQualifiedName~StoreRegistrationTests.AddPostgreSql"
  "ledger-stores-sqlite|tests/Settlement.IntegrationTests|Settlement.Service.Storage.Sqlite.csproj|src/Settlement.Storage.Sqlite|FullyQualifiedName~.SqliteLedgerStoreTests|FullyQualifiedName~.SqliteChainIndexStoreTests|FullyQualifiedName~.SqliteFlowStoreTests|FullyQualifiedName~.SqliteFlowSchemaTests|FullyQualifiedName~.SqliteChainOutboxTests"
  "ledger-stores-postgresql|tests/Settlement.IntegrationTests|Settlement.Service.Storage.PostgreSql.csproj|src/Settlement.Storage.PostgreSql|FullyQualifiedName~.PostgreSqlLedgerStoreTests|FullyQualifiedName~.PostgreSqlChainIndexStoreTests|FullyQualifiedName~.PostgreSqlFlowStoreTests"
)

# Mutants judged equivalent by rule are not generated (docs/testing.md, "Survivors judged equivalent"):
# `ConfigureAwait(false)` -> `(true)` changes only the thread a continuation runs on in code with no
# synchronisation context, and the arguments of log calls change only log text.
config="$out/stryker-config.json"
cat >"$config" <<'JSON'
{ "stryker-config": { "ignore-methods": ["ConfigureAwait", "Log*"] } }
JSON

wanted=("$@")
selected() {
  [ "${#wanted[@]}" -eq 0 ] && return 0
  local w
  for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

echo "== dotnet tool restore (dotnet-stryker, pinned in .config/dotnet-tools.json)"
dotnet tool restore >/dev/null

# The PostgreSQL targets: one server for the whole Stryker run (L2PAY_TEST_POSTGRES=external), not one per test run.
# Stryker starts a test run per group of mutants and the fixture would start a server (initdb) each time: the first
# measured run of ledger-stores-postgresql took 12 minutes for its initial 80 tests. Durability is not what these tests
# check, so this server runs without fsync; every test still gets a fresh database, dropped when its run ends.
pg_dir=""
stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
  pg_dir=""
}
start_postgres() {
  [ -n "$pg_dir" ] && return 0
  pg_bin="${L2PAY_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
  [ -x "$pg_bin/initdb" ] || pg_bin="$(dirname "$(command -v initdb)")"
  pg_dir="$(mktemp -d /tmp/l2pay-mutation-pg-XXXXXX)"
  pg_as=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; pg_as=(runuser -u postgres --); fi
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >"$pg_dir/initdb.log" 2>&1
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
  export L2PAY_TEST_POSTGRES=external
  export L2PAY_TEST_POSTGRES_CONNECTION="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "-- PostgreSQL for the store targets: 127.0.0.1:$port ($pg_dir)"
}
trap stop_postgres EXIT

results=()
for target in "${targets[@]}"; do
  IFS='|' read -r name tests project folder filter <<<"$target"
  selected "$name" || continue
  if [ -z "$(find "$folder" -name '*.cs' -print -quit 2>/dev/null)" ]; then
    echo "-- $name: $folder has no code yet; skipped"
    continue
  fi
  case "$folder" in
    src/*/*) mutate="**/${folder#src/*/}/**/*.cs" ;;   # a folder inside a project
    *) mutate="**/${folder#src/}/**/*.cs" ;;           # a whole project (or a folder of linked files)
  esac
  more_patterns=()
  if [ -n "${MUTATION_MUTATE:-}" ]; then
    read -ra patterns <<<"$MUTATION_MUTATE"
    mutate="${patterns[0]}"
    for p in "${patterns[@]:1}"; do more_patterns+=(-m "$p"); done
  fi
  case "$name" in
    # See the target's comment above. Stryker matches the linked files by their path as MSBuild gives it
    # (src/Channels.Storage.PostgreSql/../Channels.Storage.Shared/X.cs); the second pattern covers the link name.
    channel-stores-postgresql) more_patterns+=(-m '!**/Channels.Storage.Shared/*.cs' -m '!**/Channels.Storage.PostgreSql/Shared/*.cs') ;;
  esac
  echo "== $name: mutating $mutate ${more_patterns[*]:-} of $project, killed by $tests ($filter)"
  case "$name" in *-postgresql) start_postgres ;; esac
  report="$out/$name"
  rm -rf "$report"
  (cd "$tests" && dotnet tool run dotnet-stryker --project "$project" -m "$mutate" ${more_patterns[@]+"${more_patterns[@]}"} -r Json -r Html -r Progress \
      --output "$report" -c 2 --test-case-filter "$filter" --config-file "$config") || { results+=("$name|failed|||"); continue; }
  json="$(find "$report" -name 'mutation-report.json' | head -1)"
  results+=("$name|$(jq -r '[.files[].mutants[].status] | {k: (map(select(. == "Killed" or . == "Timeout")) | length), s: (map(select(. == "Survived")) | length), n: (map(select(. == "NoCoverage")) | length)} | "\(.k)|\(.s)|\(.n)"' "$json")")
done

echo
echo "| target | killed | survived | no coverage | score |"
echo "|---|---:|---:|---:|---:|"
for row in "${results[@]}"; do
  IFS='|' read -r name killed survived uncovered <<<"$row"
  if [ "$killed" = "failed" ] || [ -z "$killed" ]; then echo "| $name | run failed | | | |"; continue; fi
  total=$((killed + survived + uncovered))
  score="$(awk -v k="$killed" -v t="$total" 'BEGIN { if (t == 0) print "—"; else printf "%.1f %%", 100 * k / t }')"
  echo "| $name | $killed | $survived | $uncovered | $score |"
done
echo
echo "reports: $out/<target>/reports/mutation-report.html"
