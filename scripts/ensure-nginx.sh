#!/usr/bin/env bash
# The scale tier puts nginx in front of gunicorn, as a production deployment does; install it
# from Debian's packages when missing. Debian's package starts its own default server on port
# 80 when installed: that one is stopped again, the tier runs nginx with its own configuration.
set -euo pipefail
if [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "nginx is missing: install it with 'sudo apt-get install nginx'." >&2
  exit 1
fi
echo "Installing nginx from Debian's packages for the scale tier..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx >/dev/null
if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
  /usr/sbin/nginx -s stop 2>/dev/null || true
fi
