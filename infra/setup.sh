#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine: system packages, npm dependencies, the build.
# A second run only checks and returns (a few seconds). The services themselves (Temporal CLI,
# S3 server, dockerd, sandbox image) are installed and started by `hyperagents dev up`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v python3 >/dev/null 2>&1 || need+=(python3-pip)
# The console's browser tests (test/console/browser.test.ts) drive Debian's chromium headless.
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (${need[*]}); install them with: sudo apt-get install ${need[*]}" >&2
    echo "setup: continuing; without dockerd the sandbox falls back to bubblewrap" >&2
  fi
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.hyperagents-lock.sha256
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_hash" ]; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

# Rebuild only when a source is newer than the last build.
stamp=dist/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find src workflows activities temporal bench tsconfig.json tsconfig.build.json \
  package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "setup: building"
  npm run --silent build
  touch "$stamp"
fi

# The validators of the deployment files (test/infra/deploy-files.test.ts), once per version.
bash infra/deploy-tools.sh
