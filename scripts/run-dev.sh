#!/usr/bin/env bash
# Starts the web server, a Celery worker and Celery beat together; Ctrl-C (or any of them
# exiting) stops all three.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var/celery
# Links in emails point at where this server listens, unless SITE_URL says otherwise.
export SITE_URL="${SITE_URL:-http://${HOST:-127.0.0.1}:${PORT:-8000}}"

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping web, worker and beat..."
  kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
}
trap stop_all INT TERM EXIT

"$PY" -m celery -A portal worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
"$PY" -m celery -A portal beat --loglevel=INFO --schedule=var/celerybeat-schedule &
pids+=($!)
# Pages and the video room's WebSocket, from one ASGI server that reloads when the code changes.
# Its request lines drop their query strings (scripts/uvicorn-logging.json).
"$PY" -m uvicorn portal.asgi:application --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" \
  --log-config scripts/uvicorn-logging.json --reload --reload-dir portal --reload-dir patients --reload-dir prescriptions --reload-dir education &
pids+=($!)

echo "LDN Care Portal: http://${HOST:-127.0.0.1}:${PORT:-8000}/ (Ctrl-C stops web, worker and beat)"
wait -n
