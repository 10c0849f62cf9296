#!/usr/bin/env bash
# The scale tier on this machine: PostgreSQL, the Redis task queue with several workers and
# several gunicorn web processes behind nginx on one port — the same code as `make run`, switched by
# environment variables only (docs/deployment.md).
#
#   scripts/scale-tier.sh start    set up (first time: database, demo data, index) and serve
#   scripts/scale-tier.sh stop     stop what `start` started (by pid file, nothing else)
#   scripts/scale-tier.sh status   which of its processes run
#   scripts/scale-tier.sh manage CMD …   a `kechuang` command with the tier's settings
#                                        (e.g. `manage backup --out DIR`)
#   scripts/scale-tier.sh python SCRIPT …  a script with the tier's settings
#                                           (e.g. `python bench/large_pages.py --write`)
#
# Settings (environment, defaults in brackets): KC_SCALE_PORT [8400], KC_SCALE_WEB [4]
# gunicorn processes, KC_SCALE_WORKERS [3] task workers, KC_SCALE_DB [kechuang_scale],
# KC_SCALE_DEMO [medium] demo scale, KC_SCALE_REDIS [redis://127.0.0.1:6379/7],
# KC_SCALE_QUEUE [redis] (or `database`), KC_SCALE_DIR [var/scale], KC_SCALE_EMBEDDER [the
# real sentence-vector model; its first index of the medium data takes about an hour here].
# Any other KECHUANG_* setting exported before `start` reaches every process, e.g.
# KECHUANG_MATCH_LEXICAL=postgresql (the matching engine's words in PostgreSQL; run
# `manage build_index` with it first; docs/deployment.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${KC_SCALE_PORT:-8400}"
WEB="${KC_SCALE_WEB:-4}"
WORKERS="${KC_SCALE_WORKERS:-3}"
DB="${KC_SCALE_DB:-kechuang_scale}"
DEMO="${KC_SCALE_DEMO:-medium}"
QUEUE="${KC_SCALE_QUEUE:-redis}"
DIR="$(pwd)/${KC_SCALE_DIR:-var/scale}"
RUN="$DIR/run"
PY="$(pwd)/.venv/bin/python"
PGHOST=127.0.0.1
PGPORT=5432

mkdir -p "$DIR" "$RUN" "$DIR/log"
[ -s "$DIR/secret_key" ] || "$PY" -c "import secrets; print(secrets.token_urlsafe(48))" >"$DIR/secret_key"

export DATABASE_URL="postgres://postgres@$PGHOST:$PGPORT/$DB"
export KECHUANG_DATA_DIR="$DIR"
export KECHUANG_TASKS="$QUEUE"
export KECHUANG_REDIS_URL="${KC_SCALE_REDIS:-redis://127.0.0.1:6379/7}"
# The web processes share one cache (catalog searches, their facet counts) in the same Redis.
export KECHUANG_CACHE_URL="$KECHUANG_REDIS_URL"
export SECRET_KEY="$(cat "$DIR/secret_key")"
export KECHUANG_DEBUG=false
export KECHUANG_SHOW_DEMO_LOGINS=true
export KECHUANG_DB_CONN_MAX_AGE=60
export KECHUANG_DB_CONN_HEALTH_CHECKS=true
# nginx in front passes the client's address in X-Forwarded-For.
export KECHUANG_PROXY_HOPS=1
[ -z "${KC_SCALE_EMBEDDER:-}" ] || export KECHUANG_EMBEDDER="$KC_SCALE_EMBEDDER"

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

worker_command() {
  if [ "$QUEUE" = redis ]; then
    echo "$PY manage.py rqworker default --job-class django_tasks_rq.Job --worker-class rq.worker.SimpleWorker"
  else
    echo "$PY manage.py db_worker --no-reload --interval 0.1"
  fi
}

start() {
  if alive "$RUN/gunicorn.pid"; then
    echo "规模部署已在运行：http://127.0.0.1:$PORT/（停止：$0 stop）"
    return 0
  fi
  if ss -ltn "sport = :$PORT" | grep -q LISTEN; then
    echo "端口 $PORT 已被其他程序占用；用 KC_SCALE_PORT 换一个端口。" >&2
    exit 1
  fi
  pg_isready -q -h "$PGHOST" -p "$PGPORT" || { echo "PostgreSQL 未在 $PGHOST:$PGPORT 运行。" >&2; exit 1; }
  if [ "$QUEUE" = redis ]; then
    "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).ping()" "$KECHUANG_REDIS_URL" \
      || { echo "Redis 不可用：$KECHUANG_REDIS_URL" >&2; exit 1; }
  fi

  if ! psql -h "$PGHOST" -p "$PGPORT" -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    createdb -h "$PGHOST" -p "$PGPORT" -U postgres "$DB"
    # A new database: the demo stamp, index and uploads of an earlier one do not belong to it.
    rm -rf "$DIR"/demo-*.done "$DIR/index" "$DIR/media"
  fi
  # Set-up commands run their tasks in-process: nothing waits in the queue before workers start.
  KECHUANG_TASKS=immediate "$PY" manage.py migrate --noinput -v 0
  if [ ! -e "$DIR/demo-$DEMO.done" ]; then
    echo "生成示例数据（$DEMO；PostgreSQL 上约 6 分钟）…"
    KECHUANG_TASKS=immediate "$PY" manage.py demo --seed 1 --scale "$DEMO" --quiet-logins
    touch "$DIR/demo-$DEMO.done"
  fi
  if [ ! -e "$DIR/index/manifest.json" ]; then
    echo "建立推荐索引（首次约 1 小时：语义向量；之后只计算改动的记录）…"
    KECHUANG_TASKS=immediate "$PY" manage.py build_index
  fi
  "$PY" manage.py collectstatic --noinput -v 0

  rm -f "$RUN/gunicorn.sock"
  .venv/bin/gunicorn kechuang.wsgi:application \
    --bind "unix:$RUN/gunicorn.sock" --workers "$WEB" --timeout 120 --graceful-timeout 20 \
    --pid "$RUN/gunicorn.pid" --daemon \
    --access-logfile "$DIR/log/access.log" --error-logfile "$DIR/log/gunicorn.log" \
    --access-logformat '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'

  # nginx on the public port, as in production: it holds slow and idle client connections
  # (a sync gunicorn process would wait on each) and hands gunicorn whole requests.
  write_nginx_conf
  /usr/sbin/nginx -c "$DIR/nginx.conf" -p "$DIR/nginx/"

  # Each worker runs under a small supervisor that restarts it when it dies (as systemd's
  # Restart=always would) and first settles the jobs it left running (docs/reliability.md).
  local command
  command="$(worker_command)"
  for n in $(seq "$WORKERS"); do
    setsid bash -c "
      while :; do
        $command >>'$DIR/log/worker-$n.log' 2>&1 &
        echo \$! >'$RUN/worker-$n.pid'
        wait \$! || true
        $PY manage.py recover_jobs >>'$DIR/log/worker-$n.log' 2>&1 || true
        sleep 1
      done
    " </dev/null >/dev/null 2>&1 &
    echo $! >"$RUN/supervisor-$n.pid"
  done

  for _ in $(seq 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break
    sleep 1
  done
  status
  echo "登录账号见登录页（密码 Kechuang2026）。停止：$0 stop"
}

write_nginx_conf() {
  mkdir -p "$DIR/nginx"
  local user=""
  [ "$(id -u)" = 0 ] && user="user root root;"
  cat >"$DIR/nginx.conf" <<CONF
$user
worker_processes 1;
pid $RUN/nginx.pid;
error_log $DIR/log/nginx-error.log warn;
events { worker_connections 2048; }
http {
  access_log off;  # gunicorn's access log has each request's time and process
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/fastcgi;
  uwsgi_temp_path $DIR/nginx/uwsgi;
  scgi_temp_path $DIR/nginx/scgi;
  client_max_body_size 25m;  # attachments and imports are refused above 20 MB by the platform
  keepalive_timeout 65s;
  upstream kechuang { server unix:$RUN/gunicorn.sock fail_timeout=0; }
  server {
    listen 127.0.0.1:$PORT;
    location / {
      proxy_pass http://kechuang;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_redirect off;
      proxy_read_timeout 120s;
    }
  }
}
CONF
}

stop_pid_file() {
  local file="$1"
  alive "$file" || { rm -f "$file"; return 0; }
  local pid
  pid="$(cat "$file")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}

stop() {
  # Supervisors first, so they do not restart the workers being stopped.
  for file in "$RUN"/supervisor-*.pid; do [ -e "$file" ] && stop_pid_file "$file"; done
  for file in "$RUN"/worker-*.pid; do [ -e "$file" ] && stop_pid_file "$file"; done
  stop_pid_file "$RUN/nginx.pid"
  stop_pid_file "$RUN/gunicorn.pid"
  echo "规模部署已停止。"
}

status() {
  if alive "$RUN/gunicorn.pid"; then
    local children
    children="$(pgrep -P "$(cat "$RUN/gunicorn.pid")" | wc -l)"
    echo "网站：http://127.0.0.1:$PORT/  nginx $(cat "$RUN/nginx.pid" 2>/dev/null || echo 未运行)，gunicorn 主进程 $(cat "$RUN/gunicorn.pid")，$children 个网站进程"
  else
    echo "网站：未运行"
  fi
  for file in "$RUN"/worker-*.pid; do
    [ -e "$file" ] || continue
    if alive "$file"; then echo "任务进程 $(basename "$file" .pid)：$(cat "$file")（队列：$QUEUE）"; else echo "任务进程 $(basename "$file" .pid)：未运行"; fi
  done
  echo "数据库：$DATABASE_URL  数据目录：$DIR"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  manage) shift; exec "$PY" manage.py "$@" ;;
  python) shift; exec "$PY" "$@" ;;
  *) echo "用法：$0 start|stop|status|manage CMD…|python SCRIPT…" >&2; exit 2 ;;
esac
