#!/usr/bin/env bash
# Load test: the archive under gunicorn (production settings) on 127.0.0.1, Locust headless.
# 50 simulated visitors for 60 s by default; bounded in time and in requests; never in CI.
# Needs DATABASE_URL naming a database that holds a generated corpus (generate_corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the benchmark database (one made with generate_corpus)}"
PORT="${LOADTEST_PORT:-8765}"
USERS="${LOADTEST_USERS:-50}"
SECONDS_="${LOADTEST_SECONDS:-60}"
WORKERS="${LOADTEST_WORKERS:-3}"
OUT="${LOADTEST_OUT:-var/loadtest}"
mkdir -p "$OUT"

# Production settings with throwaway secrets: plain HTTP on loopback only.
export DJANGO_SETTINGS_MODULE=config.settings.production
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
IDENTITY_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export SECRET_KEY IDENTITY_KEYS
# One cache shared by the workers, as in production (Redis); a fresh key prefix per run, so the
# run starts cold. LOADTEST_CACHE_URL=none keeps a cache per process.
CACHE_URL="${LOADTEST_CACHE_URL:-redis://127.0.0.1:6379/1}"
[ "$CACHE_URL" = none ] && CACHE_URL=""
CACHE_KEY_PREFIX="loadtest-$(date +%s)"
export CACHE_URL CACHE_KEY_PREFIX

.venv/bin/python manage.py loadtest_targets --out "$OUT/targets.json"
.venv/bin/gunicorn config.wsgi -b "127.0.0.1:$PORT" -w "$WORKERS" --timeout 60 \
  --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  .venv/bin/python -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
  sleep 0.5
done

LOADTEST_TARGETS="$OUT/targets.json" LOADTEST_HOST="http://127.0.0.1:$PORT" timeout $((SECONDS_ + 60)) .venv/bin/locust \
  -f bench/locustfile.py --headless -u "$USERS" -r 10 -t "${SECONDS_}s" \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --stop-timeout 5 \
  --exit-code-on-error 1 2>&1 | tee "$OUT/locust.txt"
ps -o rss=,args= --ppid "$GUNICORN" | awk '{printf "gunicorn worker RSS: %.0f MB\n", $1/1024}' \
  | tee -a "$OUT/locust.txt"
