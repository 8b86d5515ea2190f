#!/usr/bin/env bash
# Nebula health check: every role's /healthz, then the cluster's /api/health (store, router, scheduler
# leader, node heartbeats, port conflicts, engines, GPUs, plan_version consistency).
#
# Usage: health-check.sh [--server URL] [--router URL] [--scheduler URL]... [--node URL]... [--token KEY] [--quiet]
#   URLs default to NEBULA_SERVER (http://127.0.0.1:8080), NEBULA_ROUTER (http://127.0.0.1:8000),
#   NEBULA_SCHEDULER_URLS and NEBULA_NODE_URLS (comma-separated; none by default). The token (a viewer key
#   is enough) defaults to NEBULA_TOKEN; without one only the /healthz probes run.
# Exit: 0 healthy, 1 unhealthy or unreachable, 2 usage error. Needs curl; uses jq when present.
set -u

server="${NEBULA_SERVER:-http://127.0.0.1:8080}"
router="${NEBULA_ROUTER:-http://127.0.0.1:8000}"
token="${NEBULA_TOKEN:-}"
timeout="${NEBULA_HEALTH_TIMEOUT:-5}"
quiet=0
schedulers=()
nodes=()
IFS=',' read -r -a schedulers <<<"${NEBULA_SCHEDULER_URLS:-}"
IFS=',' read -r -a nodes <<<"${NEBULA_NODE_URLS:-}"

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --server) [ $# -ge 2 ] || usage; server="$2"; shift 2 ;;
    --router) [ $# -ge 2 ] || usage; router="$2"; shift 2 ;;
    --scheduler) [ $# -ge 2 ] || usage; schedulers+=("$2"); shift 2 ;;
    --node) [ $# -ge 2 ] || usage; nodes+=("$2"); shift 2 ;;
    --token) [ $# -ge 2 ] || usage; token="$2"; shift 2 ;;
    --quiet|-q) quiet=1; shift ;;
    -h|--help) usage ;;
    *) echo "health-check: unknown argument: $1" >&2; usage ;;
  esac
done

command -v curl >/dev/null 2>&1 || { echo "health-check: curl is required" >&2; exit 2; }

failed=0
say() { [ "$quiet" -eq 1 ] || printf '%s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failed=1; }

# GET url -> sets $body and $code (000 when unreachable).
fetch() {
  local out
  out="$(curl -sS --max-time "$timeout" -w '\n%{http_code}' "$@" 2>/dev/null)" || true
  code="${out##*$'\n'}"
  body="${out%$'\n'*}"
  [ -n "$code" ] || code=000
}

probe() {
  local what="$1" url="${2%/}"
  [ -n "$url" ] || return 0
  fetch "$url/healthz"
  if [ "$code" = 200 ]; then say "ok    $what $url/healthz"; else fail "$what $url/healthz answered $code"; fi
}

probe server "$server"
probe router "$router"
for s in "${schedulers[@]}"; do probe scheduler "$s"; done
for n in "${nodes[@]}"; do probe node "$n"; done

if [ -n "$token" ]; then
  fetch -H "authorization: Bearer $token" "${server%/}/api/health"
  if [ "$code" != 200 ]; then
    fail "cluster health ${server%/}/api/health answered $code"
  elif command -v jq >/dev/null 2>&1; then
    status="$(printf '%s' "$body" | jq -r '.status')"
    while IFS= read -r line; do [ -n "$line" ] && printf '      %s\n' "$line"; done \
      < <(printf '%s' "$body" | jq -r '.issues[]? | "\(.severity): \(.message)"')
    if [ "$status" = ok ]; then say "ok    cluster health"; else fail "cluster health is $status"; fi
  elif printf '%s' "$body" | grep -q '^{"status":"ok"'; then
    say "ok    cluster health"
  else
    fail "cluster health is not ok: $body"
  fi
else
  say "skip  cluster health (no token: set NEBULA_TOKEN or --token)"
fi

exit "$failed"
