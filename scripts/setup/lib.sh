# Shared helpers for scripts/setup.sh and the scripts it calls. Sourced, never run.
# Every expensive result (tarballs, static libraries, built addons) lives in the cache dir,
# keyed by version, so a fresh clone on a warm machine only copies files.

VISAGE_CACHE_DIR="${VISAGE_CACHE_DIR:-$HOME/.cache/visage}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[setup] %s\n' "$*" >&2; }

die() {
  printf '[setup] ERROR: %s\n' "$*" >&2
  exit 1
}

# Runs a command quietly, printing its output only when it fails, so a successful setup stays
# one line per step while a failure still shows the compiler or apt error.
quietly() {
  local out
  out="$(mktemp)"
  if ! "$@" >"$out" 2>&1; then
    tail -n 60 "$out" >&2
    rm -f "$out"
    die "command failed: $*"
  fi
  rm -f "$out"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
APT_INSTALLED=""
apt_update_once() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    quietly as_root apt-get update
    APT_UPDATED=1
  fi
}

# Installs only the packages that are missing; apt-get update runs at most once per setup run.
apt_ensure() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  apt_update_once
  quietly as_root apt-get install -y --no-install-recommends "${missing[@]}"
  APT_INSTALLED="installed ${missing[*]}"
}

# Adds a deb-src source for a Debian suite (bookworm has faiss, trixie has pgvector), so that
# `apt-get source` can fetch what bookworm's binary archive lacks. It only marks the package
# lists stale: the next apt_update_once fetches them together with everything else.
apt_ensure_deb_src() {
  local suite="$1"
  local file="/etc/apt/sources.list.d/visage-src-$suite.sources"
  [ -f "$file" ] && return 0
  as_root tee "$file" >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  APT_UPDATED=0
}

# Checks a file against an npm-style "sha512-<base64>" integrity string.
verify_sha512_integrity() {
  local file="$1" expected="$2" actual
  actual="sha512-$(node -e '
    const h = require("crypto").createHash("sha512");
    h.update(require("fs").readFileSync(process.argv[1]));
    process.stdout.write(h.digest("base64"));' "$file")"
  [ "$actual" = "$expected" ] || die "integrity mismatch for $file: expected $expected, got $actual"
}

# npm pack PACKAGE into DIR (from DIR, so the project's .npmrc and package.json play no part) and
# checks the tarball against a pinned npm-style integrity.
npm_pack_verified() {
  local package="$1" tarball="$2" integrity="$3" dir="$4"
  (cd "$dir" && quietly npm pack "$package" --silent)
  [ -f "$dir/$tarball" ] || die "npm pack $package produced no $tarball"
  verify_sha512_integrity "$dir/$tarball" "$integrity"
}

# Unpacks a Debian source package into DIR (which must exist). apt drops privileges to _apt for
# the download, so DIR must be enterable by others.
apt_source_into() {
  local dir="$1" spec="$2"
  apt_update_once
  chmod 755 "$dir"
  (cd "$dir" && quietly apt-get source "$spec")
}

# Serialises builds into the shared cache (two checkouts may set up at once); the caller
# re-checks the cache once it holds the lock, so the second one copies instead of rebuilding.
with_cache_lock() {
  local name="$1" fd
  shift
  mkdir -p "$VISAGE_CACHE_DIR"
  exec {fd}>"$VISAGE_CACHE_DIR/.$name.lock"
  flock "$fd"
  "$@"
  exec {fd}>&-
}
