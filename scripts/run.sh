#!/usr/bin/env bash
# Serve the embedded default (SQLite, database task queue) with demo data on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
export KECHUANG_DEBUG="${KECHUANG_DEBUG:-true}"
export KECHUANG_SHOW_DEMO_LOGINS="${KECHUANG_SHOW_DEMO_LOGINS:-true}"
PY=.venv/bin/python
mkdir -p var
$PY manage.py migrate --noinput -v 0
$PY manage.py demo --seed 1 --scale small
$PY manage.py build_index
$PY manage.py db_worker --no-reload >var/worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "任务进程已启动（日志：var/worker.log）。"
echo "平台地址：http://127.0.0.1:8000/"
$PY manage.py runserver 127.0.0.1:8000 --noreload
