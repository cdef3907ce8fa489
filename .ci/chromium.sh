#!/usr/bin/env bash
# The browser the dashboard's tests drive (test/dashboard): Debian's Chromium, launched by playwright-core
# as /usr/lib/chromium/chromium (the /usr/bin/chromium wrapper misbehaves here; Playwright cannot download
# a browser of its own). Under CI=true the tests fail without it rather than skip.
set -euo pipefail
if [ -x /usr/lib/chromium/chromium ]; then exit 0; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
test -x /usr/lib/chromium/chromium
echo "chromium: $(/usr/lib/chromium/chromium --version)"
