#!/usr/bin/env bash
# PDF notices are drawn by WeasyPrint, which needs Pango; the tests read PDFs back with
# poppler's pdftotext. Both come from Debian's packages: install them when missing.
set -euo pipefail
if ldconfig -p | grep -q "libpangoft2-1.0.so.0" && command -v pdftotext >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Pango or poppler is missing: install them with" \
    "'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 poppler-utils'." >&2
  exit 1
fi
echo "Installing Pango and poppler from Debian's packages for PDF notices..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null
