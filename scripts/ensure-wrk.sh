#!/usr/bin/env bash
# The load test drives the scale tier with wrk (Debian's package); install it when missing.
set -euo pipefail
if command -v wrk >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "wrk is missing: install it with 'sudo apt-get install wrk'." >&2
  exit 1
fi
echo "Installing wrk from Debian's packages for the load test..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends wrk >/dev/null
