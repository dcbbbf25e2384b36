#!/usr/bin/env bash
# The production build, one script for the Dockerfile and CI's smoke test (test/production/):
# from a clean copy of the sources, install, build dist/, keep runtime dependencies only.
#   scripts/production-build.sh <dir>   → <dir>/{package.json,dist,node_modules}; run: node <dir>/dist/main.js
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/production-build.sh <output dir>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[ "$out" != "$repo" ] || { echo "production-build: the output must not be the repository" >&2; exit 2; }

rm -rf "$out/src" "$out/dist" "$out/node_modules"
cp "$repo/package.json" "$repo/package-lock.json" "$repo/tsconfig.json" "$repo/tsconfig.build.json" "$out/"
cp -R "$repo/src" "$out/src"
cd "$out"
npm ci --no-audit --no-fund --prefer-offline --loglevel=error
npm run build --silent
# The playground's page and player builds, which tsc does not emit (players: 1.4 MB of 118 MB of packages).
cp -R src/http/playground/page dist/http/playground/page && rm -f dist/http/playground/page/*.test.ts
mkdir -p dist/http/playground/players
cp node_modules/hls.js/dist/hls.min.js node_modules/shaka-player/dist/shaka-player.compiled.js dist/http/playground/players/
npm prune --omit=dev --no-audit --no-fund --loglevel=error
rm -rf src tsconfig.json tsconfig.build.json
