# faiss-node's native addon, built offline. Sourced by scripts/setup.sh after lib.sh.
#
# faiss-node's own install script downloads a prebuilt binary or git-clones faiss, and both need
# the internet, so npm's install scripts are off (.npmrc). Instead we build faiss from Debian's
# source package (AVX2 when the CPU has it: 5-8x faster flat search and HNSW adds than the generic
# build), then compile the package's own src/faiss.cc against it. Both results are cached:
# the static library per faiss version + variant + our faiss patch, the addon per faiss-node version +
# variant + Node ABI + both patches, so after `npm ci` on a warm machine this is a file copy.
#
# FAISS_NODE_PATCH is applied to a copy of faiss-node's src/faiss.cc (node_modules may be
# hard-linked to another checkout's): it adds `readAsync(path)`, which reads an index on the libuv
# pool instead of blocking the event loop, `writeAsync(path)` likewise for a write, and lets
# add/train take a Float32Array in place.

FAISS_DEBIAN_VERSION="1.7.3-2"
FAISS_VERSION="${FAISS_DEBIAN_VERSION%-*}"
# Our own patch to faiss's HNSW neighbour loops (its header says why); its hash keys both caches.
FAISS_PATCH="$REPO_ROOT/scripts/setup/faiss-hnsw-prefetch.patch"
FAISS_PATCH_ID="$(sha256sum "$FAISS_PATCH" | cut -c1-12)"
FAISS_NODE_DIR="$REPO_ROOT/node_modules/faiss-node"
FAISS_ADDON_TARGET="$FAISS_NODE_DIR/build/Release/faiss-node.node"
FAISS_NODE_PATCH="$REPO_ROOT/scripts/setup/faiss-node-async-io.patch"

# faiss's avx2 level compiles with -mavx2 -mfma -mf16c -mpopcnt, so the CPU needs all four;
# VISAGE_FAISS_VARIANT=generic forces the portable build (e.g. for a cache shared with older CPUs).
# Sets FAISS_VARIANT in this shell (not via $(...)) so that a bad override stops the setup.
select_faiss_variant() {
  local flag
  case "${VISAGE_FAISS_VARIANT:-}" in
    avx2 | generic) FAISS_VARIANT="$VISAGE_FAISS_VARIANT"; return 0 ;;
    "") ;;
    *) die "VISAGE_FAISS_VARIANT must be avx2 or generic, not '$VISAGE_FAISS_VARIANT'" ;;
  esac
  FAISS_VARIANT=avx2
  for flag in avx2 fma f16c popcnt; do
    grep -qw "$flag" /proc/cpuinfo || FAISS_VARIANT=generic
  done
}
select_faiss_variant

faiss_lib_dir() { echo "$VISAGE_CACHE_DIR/faiss/$FAISS_DEBIAN_VERSION-$FAISS_VARIANT-p$FAISS_PATCH_ID"; }

faiss_node_version() { node -p "require('$FAISS_NODE_DIR/package.json').version"; }

# Both patches' hashes are part of the key: an addon built without (or with an older) patch is never reused.
faiss_addon_cache() {
  local abi patch
  abi="$(node -p process.versions.modules)"
  patch="$(sha256sum "$FAISS_NODE_PATCH" | cut -c1-12)"
  echo "$VISAGE_CACHE_DIR/faiss-node/$(faiss_node_version)-faiss$FAISS_DEBIAN_VERSION-$FAISS_VARIANT-p$FAISS_PATCH_ID-abi$abi-patch$patch/faiss-node.node"
}

faiss_lib_cached() { [ -f "$(faiss_lib_dir)/lib/libfaiss.a" ]; }

faiss_addon_cached() { [ -f "$(faiss_addon_cache)" ]; }

# The faiss CMake project names its library target after the optimisation level.
faiss_cmake_target() {
  if [ "$FAISS_VARIANT" = avx2 ]; then echo faiss_avx2; else echo faiss; fi
}

build_faiss_lib() {
  local work src target dest
  work="$(mktemp -d)"
  target="$(faiss_cmake_target)"
  # Pinned, because once trixie's deb-src is configured a bare `faiss` means 1.11.
  apt_source_into "$work" "faiss=$FAISS_DEBIAN_VERSION"
  src="$work/faiss-$FAISS_VERSION"
  [ -d "$src" ] || die "apt-get source faiss=$FAISS_DEBIAN_VERSION gave no $src"
  quietly patch -d "$src" -p1 --forward -i "$FAISS_PATCH"
  quietly cmake -S "$src" -B "$src/build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DFAISS_OPT_LEVEL="$FAISS_VARIANT" \
    -DFAISS_ENABLE_GPU=OFF -DFAISS_ENABLE_PYTHON=OFF -DBUILD_TESTING=OFF \
    -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  quietly cmake --build "$src/build" --target "$target" -j "$(nproc)"

  # Assemble next to the final place and rename, so a killed build never looks cached.
  dest="$(faiss_lib_dir)"
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp/lib" "$dest.tmp/include"
  cp "$src/build/faiss/lib$target.a" "$dest.tmp/lib/libfaiss.a"
  (cd "$src" && find faiss -name '*.h' -exec cp --parents {} "$dest.tmp/include/" \;)
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
}

node_headers_dir() {
  local dir
  for dir in /usr/include/node "$(dirname "$(dirname "$(command -v node)")")/include/node"; do
    [ -f "$dir/node_api.h" ] && { echo "$dir"; return 0; }
  done
  die "Node headers (node_api.h) not found in /usr/include/node or next to the node binary"
}

node_addon_api_dir() {
  local dir
  dir="$(cd "$REPO_ROOT" && node -p "require('node-addon-api').include_dir" 2>/dev/null)" ||
    die "node-addon-api is missing from node_modules (faiss-node depends on it): run npm ci"
  # include_dir is relative to the package in older releases, absolute in newer ones.
  case "$dir" in /*) ;; *) dir="$REPO_ROOT/$dir" ;; esac
  echo "$dir"
}

build_faiss_addon() {
  local work lib dest
  work="$(mktemp -d)"
  lib="$(faiss_lib_dir)"
  # faiss-node 0.5.1 targets faiss 1.7.4, which has a namespace-level idx_t; 1.7.3 only has
  # Index::idx_t (the same int64_t), so one alias makes the sources compile unchanged.
  cat >"$work/faiss-compat.h" <<'HDR'
#include <faiss/Index.h>
namespace faiss { using idx_t = Index::idx_t; }
HDR
  cp "$FAISS_NODE_DIR/src/faiss.cc" "$work/faiss.cc"
  quietly patch --forward --no-backup-if-mismatch "$work/faiss.cc" "$FAISS_NODE_PATCH"
  # -fopenmp and -lopenblas: the static faiss leaves GOMP and sgemm symbols for the loader.
  quietly g++ -std=c++17 -O2 -fPIC -shared -fopenmp \
    -DNAPI_VERSION=6 \
    -include "$work/faiss-compat.h" \
    -I"$(node_headers_dir)" -I"$(node_addon_api_dir)" -I"$lib/include" \
    "$work/faiss.cc" \
    -o "$work/faiss-node.node" \
    "$lib/lib/libfaiss.a" -lopenblas
  dest="$(faiss_addon_cache)"
  mkdir -p "$(dirname "$dest")"
  mv "$work/faiss-node.node" "$dest.tmp"
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
}

install_faiss_addon() {
  local cached
  cached="$(faiss_addon_cache)"
  if ! cmp -s "$cached" "$FAISS_ADDON_TARGET"; then
    mkdir -p "$(dirname "$FAISS_ADDON_TARGET")"
    cp "$cached" "$FAISS_ADDON_TARGET.tmp"
    mv "$FAISS_ADDON_TARGET.tmp" "$FAISS_ADDON_TARGET"
  fi
}

# Loads the addon the way the app does (bindings lookup inside faiss-node), checks a search and
# what the patch adds: add of a Float32Array, writeAsync, and readAsync reading back what was written.
verify_faiss_addon() {
  (cd "$REPO_ROOT" && node -e '
    const faiss = require("faiss-node");
    const path = require("path").join(require("os").tmpdir(), `visage-verify-${process.pid}.faiss`);
    const index = new faiss.IndexFlatL2(4);
    index.add([1, 0, 0, 0]);
    index.add(new Float32Array([0, 1, 0, 0]));
    const { labels } = index.search([0, 1, 0, 0], 2);
    if (labels[0] !== 1) throw new Error("faiss-node search returned " + JSON.stringify(labels));
    index.writeAsync(path).then(() => faiss.Index.readAsync(path)).then((read) => {
      if (read.ntotal() !== 2 || read.search([0, 1, 0, 0], 1).labels[0] !== 1) throw new Error("readAsync read back another index");
      return faiss.Index.readAsync(path + ".missing").then(
        () => { throw new Error("readAsync of a missing file resolved"); },
        () => {},
      );
    }).finally(() => require("fs").rmSync(path, { force: true })).catch((error) => {
      console.error(error);
      process.exit(1);
    });
  ') || die "faiss-node addon at $FAISS_ADDON_TARGET does not load, search, writeAsync or readAsync correctly"
}
