#!/usr/bin/env bash
# Vendor Leaflet and Leaflet.markercluster into static/vendor/ so maps draw with no internet.
#
# Streamlit serves ./static at /app/static when server.enableStaticServing is true; the map
# builders point every script and stylesheet at /app/static/vendor/... (sector_map/assets.py).
# Idempotent: does nothing when the pinned versions are already in place. Pass --force to
# download again.
set -euo pipefail

LEAFLET_VERSION="1.9.4"
MARKERCLUSTER_VERSION="1.5.3"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="${ROOT}/static/vendor"
STAMP="${VENDOR}/VERSIONS"
WANT="leaflet ${LEAFLET_VERSION}
leaflet.markercluster ${MARKERCLUSTER_VERSION}"

if [[ "${1:-}" != "--force" && -f "${STAMP}" && "$(cat "${STAMP}")" == "${WANT}" \
      && -f "${VENDOR}/leaflet/leaflet.js" && -f "${VENDOR}/markercluster/leaflet.markercluster.js" ]]; then
    touch "${VENDOR}/leaflet/leaflet.js"  # newer than this script, so make does not ask again
    echo "fetch_leaflet: Leaflet ${LEAFLET_VERSION} and markercluster ${MARKERCLUSTER_VERSION} already in static/vendor"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "fetch_leaflet: ERROR: npm is not installed, so Leaflet cannot be downloaded." >&2
    echo "  Install Node.js (which includes npm), e.g. 'sudo apt-get install npm', then run" >&2
    echo "  scripts/fetch_leaflet.sh (make run and make test call it). Without these files maps are blank offline." >&2
    exit 1
fi

TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT

fetch() {  # fetch <package> <version> -> extracted into ${TMP}/<package>/package
    local name="$1" version="$2"
    mkdir -p "${TMP}/${name}"
    if ! (cd "${TMP}/${name}" && npm pack --silent "${name}@${version}" >/dev/null); then
        echo "fetch_leaflet: ERROR: 'npm pack ${name}@${version}' failed; check the network or npm registry settings." >&2
        exit 1
    fi
    tar -xzf "${TMP}/${name}"/*.tgz -C "${TMP}/${name}"
}

fetch leaflet "${LEAFLET_VERSION}"
fetch leaflet.markercluster "${MARKERCLUSTER_VERSION}"

LEAFLET_DIST="${TMP}/leaflet/package/dist"
CLUSTER_DIST="${TMP}/leaflet.markercluster/package/dist"

# Build the new tree beside the old one and swap it in, so a failure never leaves half a copy.
NEW="${TMP}/vendor"
mkdir -p "${NEW}/leaflet/images" "${NEW}/markercluster"
cp "${LEAFLET_DIST}/leaflet.js" "${LEAFLET_DIST}/leaflet.css" "${NEW}/leaflet/"
cp "${LEAFLET_DIST}"/images/*.png "${NEW}/leaflet/images/"
cp "${TMP}/leaflet/package/LICENSE" "${NEW}/leaflet/LICENSE"
cp "${CLUSTER_DIST}/leaflet.markercluster.js" "${CLUSTER_DIST}/MarkerCluster.css" \
   "${CLUSTER_DIST}/MarkerCluster.Default.css" "${NEW}/markercluster/"
cp "${TMP}/leaflet.markercluster/package/MIT-LICENCE.txt" "${NEW}/markercluster/LICENSE" 2>/dev/null \
   || cp "${TMP}/leaflet.markercluster/package/LICENSE"* "${NEW}/markercluster/LICENSE" 2>/dev/null || true
printf '%s\n' "${WANT}" > "${NEW}/VERSIONS"

mkdir -p "${ROOT}/static"
rm -rf "${VENDOR}.old"
[[ -d "${VENDOR}" ]] && mv "${VENDOR}" "${VENDOR}.old"
mv "${NEW}" "${VENDOR}"
rm -rf "${VENDOR}.old"

echo "fetch_leaflet: installed Leaflet ${LEAFLET_VERSION} and Leaflet.markercluster ${MARKERCLUSTER_VERSION} in static/vendor"
