#!/usr/bin/env bash
# Builds the web UI's static files (web/README.md) into OUT_DIR (default build/ui, relative to the
# repository's root), for `casetrail serve --ui OUT_DIR`:
#
#   OUT/index.html, OUT/*.html, OUT/favicon.svg   the pages (web/src/)
#   OUT/casetrail.css                             web/src/scss/casetrail.scss: GOV.UK Frontend with
#                                                 casetrail's settings (Arial, no crown), compressed
#   OUT/js/                                       the pages' ES modules (web/src/js/, as they are)
#   OUT/govuk/govuk-frontend.min.js               GOV.UK Frontend's scripts (an ES module)
#   OUT/assets/images/                            images the CSS refers to (none today)
#
# The npm packages (web/package-lock.json) are installed into web/node_modules by `npm ci` when
# it is missing or older than the lock file; no browser is downloaded. Quick when nothing
# changed: the CSS is compiled again only when a .scss file or the packages are newer than it.
#
# Usage: scripts/build-ui.sh [OUT_DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/web
out=${1:-build/ui}
[[ $out == /* ]] || out=$root/$out

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-ui.sh: '$tool' is missing: run scripts/install-deps.sh (Debian's nodejs and npm)" >&2
    exit 1
  fi
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 18 )); then
  echo "build-ui.sh: Node $(node --version) is too old: the web UI's tools need Node 18 or newer" >&2
  exit 1
fi

# The packages: installed exactly as locked, without install scripts (none is needed) and
# without Playwright's browser download (the tests drive Debian's chromium).
stamp=$web/node_modules/.casetrail-installed
if [[ ! -f $stamp || $web/package-lock.json -nt $stamp ]]; then
  echo "build-ui.sh: installing the web UI's npm packages (web/package-lock.json)"
  (cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts)
  touch "$stamp"
fi

mkdir -p "$out"
govuk=$web/node_modules/govuk-frontend/dist/govuk

# The stylesheet, only when a source or the packages changed.
css=$out/casetrail.css
if [[ ! -f $css || $stamp -nt $css || -n $(find "$web/src/scss" -name '*.scss' -newer "$css" -print -quit) ]]; then
  "$web/node_modules/.bin/sass" --style=compressed --no-source-map --quiet-deps \
    --load-path="$web/node_modules" "$web/src/scss/casetrail.scss" "$css.tmp"
  # casetrail is not a GOV.UK-domain service: no GDS Transport, no font files at all.
  if grep -q -E '@font-face|GDS Transport|\.woff' "$css.tmp"; then
    rm -f "$css.tmp"
    echo "build-ui.sh: casetrail.css refers to a font file or GDS Transport (see web/src/scss/casetrail.scss)" >&2
    exit 1
  fi
  mv "$css.tmp" "$css"
fi

# Images the CSS refers to (url(/ui/assets/images/NAME)), from GOV.UK Frontend's assets.
rm -rf "$out/assets"
images=$(grep -o -E 'url\("?/ui/assets/images/[^")]+' "$css" | sed -E 's|.*/ui/assets/images/||' | sort -u || true)
for image in $images; do
  mkdir -p "$out/assets/images"
  cp "$govuk/assets/images/$image" "$out/assets/images/"
done

# The pages and their modules: copied afresh, so a file removed from web/src goes from OUT too.
rm -f "$out"/*.html "$out"/*.svg
cp "$web"/src/*.html "$web"/src/*.svg "$out/"
rm -rf "$out/js" "$out/govuk"
cp -R "$web/src/js" "$out/js"
mkdir -p "$out/govuk"
cp "$govuk/govuk-frontend.min.js" "$out/govuk/"
