# The sandbox as a container: npm install && docker build -t wa-sandbox . && docker run -p 4000:4000 wa-sandbox
# The image runs the dist/ that `npm install` (or `npm run build`) compiled here: compiling inside needs
# every development dependency in the build, which took 5 min 19 s here against 1 min 50 s for the production ones (a busy 2-core machine, no cache).
# Flags go after the image name (docker run -p 4000:4000 wa-sandbox --clock manual) or as environment
# variables (-e CLOCK=manual); see README, Configuration and Use in CI.
#
# Two bases, both overridable: BUILD_BASE compiles better-sqlite3 (the default store's native module) and
# needs python3, make and g++ besides Node 20.19+ and npm; BASE runs it and needs only Node, a shell and a
# `node` user (uid 1000): the same Debian release, so the compiled module finds the same C library. CI,
# which can pull no image, builds with two made from its own Node and Debian packages: .ci/docker-base.sh,
# then --build-arg BUILD_BASE=wa-sandbox-build-base:local --build-arg BASE=wa-sandbox-base:local.
ARG BUILD_BASE=node:20-bookworm
ARG BASE=node:20-bookworm-slim

# Production dependencies at their locked versions, with the npm registry reached from inside the build;
# npm's cache stays in this stage. --ignore-scripts, then one rebuild: the root's `prepare` would compile
# the TypeScript, and better-sqlite3 is the one dependency whose install script is needed (it fetches a
# prebuilt binary from GitHub, or where that is out of reach compiles one with node-gyp: 1–2 min).
FROM ${BUILD_BASE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && node -e "new (require('better-sqlite3'))(':memory:').close()" \
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src node_modules/better-sqlite3/build/Release/obj* node_modules/better-sqlite3/build/Release/.deps

FROM ${BASE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules node_modules
COPY dist/apps dist/apps
COPY dist/libs dist/libs
COPY dist/dashboard dist/dashboard
COPY contracts contracts
COPY fixtures/catalog fixtures/catalog
COPY fixtures/media fixtures/media
COPY fixtures/templates fixtures/templates
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/__sandbox/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/apps/sandbox/src/main.js"]
