#!/usr/bin/env bash
# Fetches the ONNX face models into models/ (git-ignored). The weights ship inside the npm
# package faceplugin-face-recognition-js; we take only its model files and never install the
# package, whose runtime dependencies are an obsolete and heavy tree (see shared STACK.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup/lib.sh"

MODEL_PACKAGE="faceplugin-face-recognition-js@0.0.1"
MODEL_TARBALL="faceplugin-face-recognition-js-0.0.1.tgz"
# Pinned so a republished or tampered tarball cannot silently change the weights.
MODEL_INTEGRITY="sha512-shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw=="
MODEL_FILES=(fr_detect fr_landmark fr_feature fr_liveness fr_pose fr_eye fr_age fr_gender fr_expression)
MODELS_DIR="${VISAGE_MODELS_DIR:-$REPO_ROOT/models}"
TARBALL_CACHE="$VISAGE_CACHE_DIR/models/$MODEL_TARBALL"

all_models_present() {
  local name
  for name in "${MODEL_FILES[@]}"; do
    [ -s "$MODELS_DIR/$name.onnx" ] || return 1
  done
}

download_tarball() {
  local tmp
  tmp="$(mktemp -d)"
  npm_pack_verified "$MODEL_PACKAGE" "$MODEL_TARBALL" "$MODEL_INTEGRITY" "$tmp"
  mkdir -p "$(dirname "$TARBALL_CACHE")"
  mv "$tmp/$MODEL_TARBALL" "$TARBALL_CACHE"
  rm -rf "$tmp"
}

extract_models() {
  local tmp
  tmp="$(mktemp -d)"
  tar -xzf "$TARBALL_CACHE" -C "$tmp" --wildcards 'package/model/*.onnx'
  mkdir -p "$MODELS_DIR"
  # Move file by file so an interrupted run never leaves a half-written model behind a good name.
  local file
  for file in "$tmp"/package/model/*.onnx; do
    mv "$file" "$MODELS_DIR/"
  done
  rm -rf "$tmp"
  all_models_present || die "tarball $MODEL_TARBALL lacks some of: ${MODEL_FILES[*]}"
}

main() {
  if all_models_present; then
    return 0
  fi
  if [ -f "$TARBALL_CACHE" ]; then
    # A cached tarball is re-checked: the cache dir is shared and outlives this repo.
    verify_sha512_integrity "$TARBALL_CACHE" "$MODEL_INTEGRITY"
  else
    download_tarball
  fi
  extract_models
}

main "$@"
