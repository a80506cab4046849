#!/usr/bin/env bash
# The one setup command for a fresh machine (and CI): system packages, node_modules, the
# faiss-node addon, the ONNX models, the Prisma client, the admin console's bundle, and with --test
# the real PostgreSQL with pgvector, the helm binary for the chart test and Chromium for the
# console's browser tests. Idempotent: a second run only checks.
# Expensive builds are cached in ${VISAGE_CACHE_DIR:-$HOME/.cache/visage}, keyed by version.
#
#   bash scripts/setup.sh          # what the app needs to run
#   bash scripts/setup.sh --test   # plus PostgreSQL 15 + pgvector for the integration tests
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/setup/lib.sh"
source "$HERE/setup/faiss.sh"
source "$HERE/setup/pgvector.sh"
source "$HERE/setup/int8-model.sh"
source "$HERE/setup/helm.sh"

WITH_TEST=0
PG_INSTALLED_NOW=0
STEP_NOTE=""

parse_args() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      --test) WITH_TEST=1 ;;
      -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
      *) die "unknown argument: $arg (usage: scripts/setup.sh [--test])" ;;
    esac
  done
}

# Runs a step and prints one line: its name, duration and what it did (STEP_NOTE).
run_step() {
  local name="$1"
  shift
  local start=$SECONDS
  STEP_NOTE=""
  "$@"
  printf '[setup] %-18s %4ds  %s\n' "$name" $((SECONDS - start)) "$STEP_NOTE" >&2
}

# npm writes node_modules/.package-lock.json on every install, so it is older than the lock
# file exactly when the lock changed since the last install.
ensure_node_modules() {
  cd "$REPO_ROOT"
  if [ -f node_modules/.package-lock.json ] && ! [ package-lock.json -nt node_modules/.package-lock.json ]; then
    STEP_NOTE="up to date"
    return 0
  fi
  quietly npm ci --no-audit --no-fund --loglevel=error
  STEP_NOTE="npm ci"
}

needs_faiss_lib_build() { ! faiss_addon_cached && ! faiss_lib_cached; }
needs_addon_build() { ! faiss_addon_cached; }
needs_pgvector_build() { [ "$WITH_TEST" -eq 1 ] && ! pgvector_installed && ! pgvector_cached; }

# Decides every system package and deb-src line up front, so apt-get update runs at most once
# and only when something is missing; a warm machine installs nothing.
ensure_system_packages() {
  # libgomp1: the addon links OpenMP, and without a compiler nothing else pulls it in.
  # fonts-dejavu-core: the evaluation plots' text is rendered with the system fonts.
  local packages=(libopenblas-dev libgomp1 ffmpeg fonts-dejavu-core)
  if needs_faiss_lib_build; then
    packages+=(cmake dpkg-dev g++ make patch)
    apt_ensure_deb_src bookworm
  fi
  needs_addon_build && packages+=(g++ patch)
  if [ "$WITH_TEST" -eq 1 ]; then
    pg_server_installed || PG_INSTALLED_NOW=1
    packages+=("postgresql-$PG_MAJOR")
    helm_cached || packages+=(unzip)
    # The console's browser tests drive Debian's Chromium (playwright-core downloads no browser).
    packages+=(chromium)
    if needs_pgvector_build; then
      packages+=("postgresql-server-dev-$PG_MAJOR" dpkg-dev make)
      apt_ensure_deb_src trixie
    fi
  fi
  apt_ensure "${packages[@]}"
  STEP_NOTE="${APT_INSTALLED:-all present}"
}

ensure_faiss_addon() {
  if faiss_addon_cached; then
    STEP_NOTE="cached ($FAISS_VARIANT)"
  else
    if faiss_lib_cached; then
      STEP_NOTE="faiss $FAISS_VERSION cached, addon built"
    else
      build_faiss_lib
      STEP_NOTE="faiss $FAISS_VERSION built, addon built"
    fi
    build_faiss_addon
    STEP_NOTE="$STEP_NOTE ($FAISS_VARIANT)"
  fi
  install_faiss_addon
  verify_faiss_addon
}

ensure_models() {
  bash "$HERE/fetch-models.sh"
  STEP_NOTE="models/"
}

has_npm_script() {
  (cd "$REPO_ROOT" && node -e 'process.exit(require("./package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$1")
}

# Prisma client generation belongs to the db code; it is run here only when it exists.
ensure_prisma_client() {
  if has_npm_script db:generate; then
    (cd "$REPO_ROOT" && quietly npm run db:generate)
    STEP_NOTE="npm run db:generate"
  else
    STEP_NOTE="no db:generate script, skipped"
  fi
}

ensure_pgvector() {
  if pgvector_installed; then
    STEP_NOTE="$PGVECTOR_VERSION installed"
    return 0
  fi
  if pgvector_cached; then
    STEP_NOTE="$PGVECTOR_VERSION copied from cache"
  else
    build_pgvector
    STEP_NOTE="$PGVECTOR_VERSION built"
  fi
  install_pgvector_from_cache
}

ensure_postgres() {
  if pg_cluster_online; then
    STEP_NOTE="running"
  else
    start_postgres
    STEP_NOTE="started"
  fi
  if [ "$PG_INSTALLED_NOW" -eq 1 ]; then
    trust_loopback_connections
    STEP_NOTE="$STEP_NOTE, new cluster: loopback trust"
  fi
  check_postgres
}

# The admin console (console/) is built into console/dist, which the server serves at /console.
# Rebuilt only when a source file, the Vite config or the lock file is newer than the last build.
ensure_console() {
  cd "$REPO_ROOT"
  local stamp=console/dist/index.html
  if [ -f "$stamp" ] && [ -z "$(find console package-lock.json -path console/dist -prune -o -type f -newer "$stamp" -print -quit)" ]; then
    STEP_NOTE="up to date"
    return 0
  fi
  quietly npm run console:build
  STEP_NOTE="built console/dist"
}

main() {
  parse_args "$@"
  local start=$SECONDS
  run_step "node_modules" ensure_node_modules
  run_step "apt packages" ensure_system_packages
  run_step "faiss-node addon" with_cache_lock faiss ensure_faiss_addon
  run_step "models" ensure_models
  run_step "int8 model" with_cache_lock int8 ensure_int8_model
  run_step "prisma client" ensure_prisma_client
  run_step "console" ensure_console
  if [ "$WITH_TEST" -eq 1 ]; then
    run_step "pgvector" with_cache_lock pgvector ensure_pgvector
    run_step "postgresql" ensure_postgres
    run_step "helm" with_cache_lock helm ensure_helm
    log "DATABASE_URL=$DATABASE_URL_FOR_TESTS"
  fi
  log "setup done in $((SECONDS - start))s (cache: $VISAGE_CACHE_DIR)"
}

main "$@"
