#!/usr/bin/env bash
# Rebuilds the fonts the PDF renderer embeds. Needs Debian's fonts-dejavu-core
# (the full faces) and fonttools (pyftsubset).
#
# The subsets are what almost every record prints with: gofpdf parses and
# re-cuts the whole TTF on every render, so a small face is several
# milliseconds cheaper. render falls back to the full faces for any document
# with a character outside these ranges.
#
#   U+0020-007E  Basic Latin
#   U+00A0-00FF  Latin-1 Supplement (£, é, ý ...)
#   U+0100-017F  Latin Extended-A (ŵ ŷ, Polish, Czech, Turkish ...)
#   U+0180-024F  Latin Extended-B (Romanian ș ț, Vietnamese ơ ư ...)
#   U+1E00-1EFF  Latin Extended Additional (Welsh ẁ ẃ ẅ ỳ, Vietnamese)
#   U+2000-206F  General Punctuation (– — ‘ ’ “ ” … •)
#   U+20AC       €
#
# Hinting and OpenType layout tables are dropped: gofpdf uses neither, and PDF
# viewers rasterise well without TrueType hints.
set -euo pipefail
cd "$(dirname "$0")"
src=${DEJAVU_DIR:-/usr/share/fonts/truetype/dejavu}
ranges="U+0020-007E,U+00A0-00FF,U+0100-017F,U+0180-024F,U+1E00-1EFF,U+2000-206F,U+20AC"
for face in DejaVuSans DejaVuSans-Bold; do
  cp "$src/$face.ttf" "$face.ttf"
  pyftsubset "$face.ttf" --unicodes="$ranges" --layout-features='' --no-hinting \
    --drop-tables+=MATH,FFTM --output-file="$face-subset.ttf"
done
cp /usr/share/doc/fonts-dejavu-core/copyright LICENSE-DejaVu.txt
ls -l ./*.ttf
