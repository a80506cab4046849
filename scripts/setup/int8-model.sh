# The int8 face model (face-arcface-512-int8) is generated, not downloaded: `npm run
# models:quantize` calibrates it on real aligned faces. The result is cached keyed by the fp32
# weights and the quantizer's sources, so a fresh clone on a warm machine copies it in a second.
INT8_CALIBRATION_FACES="${VISAGE_INT8_CALIBRATION_FACES:-$REPO_ROOT/../shared/datasets/scenes/with_dev_identities}"

int8_cache_file() {
  local key
  key="$(cat "$REPO_ROOT/models/fr_feature.onnx" "$REPO_ROOT"/src/embedding/quantize/*.ts "$REPO_ROOT/src/vision/calibration-faces.ts" "$REPO_ROOT/src/cli/models-quantize.ts" | sha256sum | cut -c1-16)"
  printf '%s/models/fr_feature_int8-%s.onnx' "$VISAGE_CACHE_DIR" "$key"
}

ensure_int8_model() {
  local target="$REPO_ROOT/models/fr_feature_int8.onnx" cached
  cached="$(int8_cache_file)"
  if [ -s "$target" ] && cmp -s "$target" "$cached"; then
    STEP_NOTE="up to date"
    return 0
  fi
  if [ -s "$cached" ]; then
    cp "$cached" "$target.tmp" && mv "$target.tmp" "$target"
    STEP_NOTE="cached"
    return 0
  fi
  if [ ! -d "$INT8_CALIBRATION_FACES" ]; then
    STEP_NOTE="skipped: no calibration photos at $INT8_CALIBRATION_FACES (npm run models:quantize -- --faces DIR)"
    return 0
  fi
  (cd "$REPO_ROOT" && quietly env OMP_WAIT_POLICY=PASSIVE node --import tsx src/cli/models-quantize.ts --faces "$INT8_CALIBRATION_FACES")
  mkdir -p "$(dirname "$cached")"
  cp "$target" "$cached"
  STEP_NOTE="npm run models:quantize"
}
