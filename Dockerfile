# avserver origin: Node 20 on Debian bookworm with Debian's ffmpeg and fonts, running as non-root.
# The build stage runs scripts/production-build.sh, the same script CI's production smoke test runs
# (test/production/smoke.test.ts), so what CI starts is what this image starts.
FROM node:20-bookworm-slim AS build
WORKDIR /repo
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/production-build.sh ./scripts/
COPY src ./src
RUN scripts/production-build.sh /app

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
COPY fixtures/media ./fixtures/media
# Every address: playback and /healthz are public (what a CDN fetches). The API (/v1) answers only
# from inside the container until AVSERVER_API_TOKEN is set (docker run -e AVSERVER_API_TOKEN=…).
# test/production/smoke.test.ts runs the build with these very lines.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 WORK_DIR=/tmp/avserver
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# tini forwards SIGTERM, so the origin drains, kills its ffmpeg children and deletes temp files.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
