#!/usr/bin/env bash
# Checks that third_party/gofpdf is exactly upstream gofpdf v1.4.3 (its root
# package, from the module cache) with the patches in this folder applied in
# order, and nothing else (README.md, the notes on the patches, aside).
# To change the copy: edit it, then make the next 000N-*.patch with
#   diff -ruN a b   (a = the copy before, b = after; paths a/FILE, b/FILE)
# and run this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
copy="$here/../gofpdf"
upstream=$(cd "$here/../.." && go mod download -json github.com/phpdave11/gofpdf@v1.4.3 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$upstream" ] || { echo "gofpdf v1.4.3 is not in the module cache" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/gofpdf"
# The root package's files as upstream has them (its tests need fonts and
# images the copy leaves out).
for f in "$upstream"/*.go "$upstream"/go.mod "$upstream"/LICENSE; do
  case "$f" in *_test.go) continue ;; esac
  cp "$f" "$work/gofpdf/"
done
chmod -R u+w "$work/gofpdf"
for p in "$here"/[0-9][0-9][0-9][0-9]-*.patch; do
  (cd "$work/gofpdf" && patch -s -p1 --no-backup-if-mismatch < "$p") || { echo "$(basename "$p") does not apply" >&2; exit 1; }
done
if ! diff -ru -x README.md "$work/gofpdf" "$copy"; then
  echo "third_party/gofpdf is not upstream v1.4.3 plus the patches in third_party/gofpdf.patches" >&2
  exit 1
fi
echo "third_party/gofpdf is upstream v1.4.3 plus $(ls "$here"/[0-9][0-9][0-9][0-9]-*.patch | wc -l) patches"
