# syntax=docker/dockerfile:1
#
# Visage container image. Two stages: "build" compiles the native parts (faiss + the faiss-node
# addon), fetches the face models, generates the Prisma client, then drops dev dependencies;
# "runtime" holds only the shared libraries those parts load, the app, its production
# node_modules (plus tsx, which runs the TypeScript) and the models.
#
# Untested: the machine this was written on has no Docker daemon. Build with
#   docker build -t visage:0.1.0 .
#
# The faiss in this image is compiled for AVX2 by default: run it on nodes whose CPUs have AVX2,
# or build with --build-arg VISAGE_FAISS_VARIANT=generic.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build

# Build tools for node-gyp and the faiss static library. scripts/setup.sh installs what it needs
# itself (and adds the deb-src line for faiss's Debian source package); installing the known set
# here first keeps it in a cached layer, so editing source does not reinstall it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake dpkg-dev patch python3 ca-certificates \
      libopenblas-dev ffmpeg \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so editing source does not reinstall them. .npmrc turns install scripts
# off (faiss-node's and onnxruntime-node's would download at install time); setup.sh builds instead.
COPY package.json package-lock.json .npmrc ./
RUN npm ci

COPY . .

# faiss is compiled for this instruction set. setup.sh would otherwise pick it from the build
# host's CPU, making the image depend on where it was built. "generic" runs on any x86-64 and is
# about 8x slower to search; an avx2 image dies with SIGILL on a CPU without AVX2.
ARG VISAGE_FAISS_VARIANT=avx2

# Native addon, models and the Prisma client (setup.sh runs db:generate when it exists). The cache
# lives outside /app so none of it reaches the runtime stage.
RUN VISAGE_FAISS_VARIANT="$VISAGE_FAISS_VARIANT" \
    VISAGE_CACHE_DIR=/tmp/visage-cache \
    VISAGE_MODELS_DIR=/app/models \
    bash scripts/setup.sh \
 && rm -rf /tmp/visage-cache

# The server runs from its TypeScript sources through tsx, as in development: modules find
# their files (prisma/migrations, schema.graphql) relative to src/, which a dist/ build would
# move. tsx is a devDependency, so unless it has become a dependency it is installed again after
# the prune, in a folder of its own (reinstalling it into the project would mark it dev and omit
# it), and linked where `node --import tsx` and npm scripts look for it.
RUN TSX_VERSION="$(node -p 'require("./node_modules/tsx/package.json").version')" \
 && npm prune --omit=dev \
 && if [ ! -d node_modules/tsx ]; then \
      npm install --prefix /app/.tsx-runtime --no-save --no-audit --no-fund --ignore-scripts "tsx@$TSX_VERSION" \
      && mkdir -p node_modules/.bin \
      && ln -s ../.tsx-runtime/node_modules/tsx node_modules/tsx \
      && ln -s ../tsx/dist/cli.mjs node_modules/.bin/tsx; \
    fi \
 && node --import tsx -e 'process.exit(0)' \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# Runtime libraries only: OpenBLAS and OpenMP for the statically linked faiss, ffmpeg to split
# uploaded videos into frames, tini as PID 1 to forward SIGTERM and reap ffmpeg children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenblas0 libgomp1 ffmpeg tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Owned by root and not writable by the app user: the app only writes to /tmp and its data dir.
COPY --from=build /app /app

# The embedded database (when DATABASE_URL is unset) lives here; Kubernetes mounts a volume over it.
RUN mkdir -p /var/lib/visage && chown 1000:1000 /var/lib/visage

# npm's cache and update check must not touch the read-only root filesystem when a command
# such as `npm run db:migrate` runs in the container.
# OMP_WAIT_POLICY: faiss's OpenMP threads otherwise spin between searches and steal the cores
# inference needs (measured: HNSW 20k search 11.2 ms spinning vs 0.29 ms passive under load).
ENV NODE_ENV=production \
    OMP_WAIT_POLICY=PASSIVE \
    PORT=4000 \
    VISAGE_MODELS_DIR=/app/models \
    VISAGE_DATA_DIR=/var/lib/visage \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# uid:gid 1000 is the base image's "node" user; numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

# 4000: the API and probes; 9464: /metrics (VISAGE_METRICS_PORT).
EXPOSE 4000 9464

# Uses Node's fetch so the image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# Node directly, not `npm start`, so SIGTERM reaches the server without an npm process in between.
# tsx caches its transforms under /tmp, the one writable path besides the data dir.
# --single-threaded-gc --initial-heap-size=64: src/server-node-flags.ts says why.
CMD ["node", "--single-threaded-gc", "--initial-heap-size=64", "--import", "tsx", "src/main.ts"]
