#!/usr/bin/env bash
# Installs everything the test suites need on a fresh Debian machine, builds, checks and runs every test.
# This is the second command of the README's quick start, and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/etcd ] || need_apt+=(etcd-server)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# Debian starts these as services on install; the tests run their own instances on free ports.
for svc in etcd nginx prometheus; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
done

echo "==> npm dependencies"
# npm ci is exact; some npm versions reject a lock file whose platform-specific optional packages
# (rollup's, esbuild's) were recorded on another platform: then install from package.json + the lock.
if ! npm ci --no-audit --no-fund; then
  echo "npm ci refused the lock file; falling back to npm install"
  npm install --no-audit --no-fund
fi

echo "==> build"
npm run build

echo "==> typecheck (sources and tests)"
npx tsc -p tsconfig.json --noEmit

echo "==> lint"
npx eslint .

echo "==> tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
node scripts/test-summary.mjs test-results/vitest.json || true
exit $status
