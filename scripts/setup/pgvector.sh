# pgvector for the machine's PostgreSQL 15, and the server itself. Sourced by scripts/setup.sh
# after lib.sh; only the real-server tests need it (setup.sh --test).
#
# Debian bookworm packages no pgvector for PostgreSQL 15, so we build trixie's source package
# against bookworm's server headers. The files `make install` writes are cached per version, so
# a new machine with a warm cache copies them instead of installing clang and compiling.

PG_MAJOR=15
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
PGVECTOR_VERSION="0.8.0"
PGVECTOR_CONTROL="/usr/share/postgresql/$PG_MAJOR/extension/vector.control"
DATABASE_URL_FOR_TESTS="postgres://postgres@127.0.0.1:5432/postgres"

pgvector_cache_dir() { echo "$VISAGE_CACHE_DIR/pgvector/$PGVECTOR_VERSION-pg$PG_MAJOR"; }

pgvector_installed() {
  [ -f "$PGVECTOR_CONTROL" ] &&
    grep -Eq "^default_version *= *'$PGVECTOR_VERSION'" "$PGVECTOR_CONTROL"
}

pgvector_cached() { [ -d "$(pgvector_cache_dir)/root/usr" ]; }

# Builds into a staging root (DESTDIR), which becomes the cache entry: exactly the files a
# `make install` would write, and nothing else.
build_pgvector() {
  local work src dest
  work="$(mktemp -d)"
  apt_source_into "$work" "pgvector/trixie"
  src="$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
  [ -n "$src" ] || die "apt-get source pgvector/trixie gave no source directory"
  case "$(basename "$src")" in
    "pgvector-$PGVECTOR_VERSION") ;;
    *) log "warning: trixie now ships $(basename "$src"), expected $PGVECTOR_VERSION; update PGVECTOR_VERSION in scripts/setup/pgvector.sh" ;;
  esac
  quietly make -C "$src" PG_CONFIG="$PG_CONFIG" -j "$(nproc)"
  dest="$(pgvector_cache_dir)"
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.tmp"
  quietly make -C "$src" PG_CONFIG="$PG_CONFIG" install DESTDIR="$dest.tmp/root"
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
}

# --remove-destination unlinks before writing: a running backend that has vector.so mapped
# keeps its old copy instead of crashing on a file truncated under it.
install_pgvector_from_cache() {
  as_root cp -a --remove-destination "$(pgvector_cache_dir)/root/." /
}

pg_cluster_online() {
  pg_lsclusters --no-header 2>/dev/null | awk -v v="$PG_MAJOR" '$1 == v && $2 == "main" { print $4 }' |
    grep -q '^online'
}

start_postgres() {
  pg_lsclusters --no-header 2>/dev/null | awk -v v="$PG_MAJOR" '$1 == v && $2 == "main"' | grep -q . ||
    die "no PostgreSQL $PG_MAJOR cluster 'main' (pg_lsclusters); install postgresql-$PG_MAJOR"
  pg_cluster_online && return 0
  # Containers have no systemd; the redirect flag makes pg_ctlcluster start the server itself.
  quietly as_root pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start
}

pg_server_installed() { dpkg-query -W -f='${Status}' "postgresql-$PG_MAJOR" 2>/dev/null | grep -q 'install ok installed'; }

# The project's machines come with trust auth on loopback; a cluster that apt has just created
# asks for a password over TCP instead. Only called for such a fresh cluster, and opens loopback
# only, so an existing server's configuration is never touched.
trust_loopback_connections() {
  local hba="/etc/postgresql/$PG_MAJOR/main/pg_hba.conf"
  grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba" && return 0
  as_root sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  quietly as_root pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main reload
}

# The tests connect over TCP as postgres without a password (the machine's trust setup), and
# create the vector extension themselves; check both so a failure names the setup step.
check_postgres() {
  local tries=0
  until psql -w -h 127.0.0.1 -U postgres -Atqc 'select 1' >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -ge 20 ] &&
      die "psql -h 127.0.0.1 -U postgres fails: $(psql -w -h 127.0.0.1 -U postgres -c 'select 1' 2>&1 | head -n 1)"
    sleep 0.5
  done
  psql -w -h 127.0.0.1 -U postgres -Atqc \
    "select name from pg_available_extensions where name = 'vector' and default_version = '$PGVECTOR_VERSION'" |
    grep -q vector || die "PostgreSQL does not offer the vector extension $PGVECTOR_VERSION"
}
