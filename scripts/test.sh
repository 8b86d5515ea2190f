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
# The real llama-server is built from source (nebula engine install llamacpp, below).
command -v cmake >/dev/null 2>&1 || need_apt+=(cmake)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v git >/dev/null 2>&1 || need_apt+=(git)
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

# A real llama-server for the suites that need one, built from node-llama-cpp's bundled llama.cpp source
# (npm only) into ${XDG_CACHE_HOME:-~/.cache}/nebula/engines, outside the repo: about 6 minutes on 2 cores
# the first time, nothing afterwards. Those suites fail in CI (CI set) without it.
echo "==> llama-server (nebula engine install llamacpp --cpu)"
if NEBULA_TEST_LLAMA_SERVER="$(node bin/nebula.js engine install llamacpp --cpu --print-path)"; then
  export NEBULA_TEST_LLAMA_SERVER
  echo "llama-server: $NEBULA_TEST_LLAMA_SERVER"
else
  echo "llama-server could not be built; the suites that need it will fail" >&2
  unset NEBULA_TEST_LLAMA_SERVER
fi

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
