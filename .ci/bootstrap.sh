#!/usr/bin/env bash
# Idempotent machine set-up shared by ./l2pay and ./test.sh. Each step checks before it acts, so a
# second run costs well under a second. Sourced, not executed.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bootstrap_log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages: libsecp256k1 is the fast signing backend (BouncyCastle is the fallback);
# PostgreSQL 15 serves the integration tests (the settlement ledger, the payee's voucher store), run as a
# throw-away local server by src/DevChain/PostgresProcess.cs (initdb/postgres, via runuser when root);
# chromium and chromium-driver run the dashboard's browser tests headless (docs/dashboard.md).
bootstrap_apt() {
  local missing=()
  ldconfig -p 2>/dev/null | grep -q 'libsecp256k1.so.1' || missing+=(libsecp256k1-1)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
  dpkg -s chromium >/dev/null 2>&1 || missing+=(chromium)
  { dpkg -s chromium-driver >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || missing+=(chromium-driver)
  if [ "${#missing[@]}" -eq 0 ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    bootstrap_log "not root: cannot install ${missing[*]} (without libsecp256k1 the BouncyCastle backend is used; without postgresql its tests fail, without chromium the dashboard's browser tests)"
    return 0
  fi
  bootstrap_log "installing ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# npm: the offline Solidity compiler, OpenZeppelin, Anvil, Hardhat 2 and ethers.js (test vectors).
bootstrap_npm() {
  local dir="$repo_root/contracts" stamp="$repo_root/contracts/node_modules/.settlement-stamp"
  local want
  want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  # `npm ci`: installs exactly the committed lockfile (which lists every platform's optional Anvil
  # binary, so it is never rewritten) and leaves it untouched.
  bootstrap_log "npm ci in contracts/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
}

bootstrap_dotnet() {
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

bootstrap_all() {
  bootstrap_apt
  bootstrap_npm
  bootstrap_dotnet
}
