#!/usr/bin/env bash
# The CDK app's checks, run by `npm test`: install infra/ (when its lockfile changed), type-check,
# run the assertion tests and synthesise — offline, without AWS credentials or Docker.
set -euo pipefail
cd "$(dirname "$0")/../infra"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
fi
npm run build --silent
npm test --silent
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npx cdk synth --quiet --output "$out" >/dev/null
echo "infra: cdk synth ok ($(ls "$out"/*.template.json | wc -l) template)"
