#!/usr/bin/env bash
# Install Debian's Chromium for the real-browser tests when it is missing and we can.
# Never fails the test run: without Chromium the browser tests skip with a loud reason.
set -u
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure_browser: installing Debian's chromium for the browser tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "ensure_browser: could not install chromium; browser tests will be skipped" >&2
else
  echo "ensure_browser: chromium missing and not root; browser tests will be skipped" >&2
fi
exit 0
