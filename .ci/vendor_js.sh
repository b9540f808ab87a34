#!/usr/bin/env bash
# Vendor the JavaScript and CSS that folium 0.20 loads from CDNs, for the offline browser tests.
#
# The Playwright tests (tests/e2e) intercept every CDN request and answer it from these files,
# so the browser never leaves localhost.  Each package is fetched with `npm pack` (the npm
# registry is the only JavaScript source this machine reaches) at the exact version folium
# names, and unpacked into .ci/vendor/<name>@<version>/ (gitignored).  Idempotent: a package
# already unpacked is skipped.
#
# Not on npm, so served as empty stubs (tests/e2e/harness.py maps the URLs):
#   - bootstrap-glyphicons.css 3.0.0 (netdna.bootstrapcdn.com; bootstrap 3.0.0 is not on npm)
#   - leaflet.awesome.rotate.min.css (a file in folium's GitHub repo, not in its wheel)
# Substituted: Leaflet.awesome-markers 2.0.2 (cdnjs) is served from npm's 2.0.4, the nearest
# version published there (2.0.0, 2.0.4, 2.0.5).
set -euo pipefail
cd "$(dirname "$0")"
VENDOR="$PWD/vendor"
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
mkdir -p "$VENDOR/stubs"

PACKAGES=(
  "leaflet@1.9.3"
  "jquery@3.7.1"
  "bootstrap@5.2.2"
  "@fortawesome/fontawesome-free@6.2.0"
  "leaflet.awesome-markers@2.0.4"
  "leaflet.markercluster@1.1.0"
  "d3@3.5.5"
)

for spec in "${PACKAGES[@]}"; do
  # "@scope/name@1.2.3" -> folder "scope__name@1.2.3"
  folder="$VENDOR/$(echo "${spec#@}" | sed 's#/#__#')"
  if [ -f "$folder/package.json" ]; then
    echo "vendor: $spec present"
    continue
  fi
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  mkdir -p "$folder.partial"
  tar -xzf "$tmp"/*.tgz -C "$folder.partial" --strip-components=1
  rm -rf "$tmp" "$folder"
  mv "$folder.partial" "$folder"  # rename last, so an interrupted run is redone
  echo "vendor: $spec unpacked"
done

: >"$VENDOR/stubs/empty.css"
: >"$VENDOR/stubs/empty.js"
