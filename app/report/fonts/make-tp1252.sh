#!/usr/bin/env bash
# Makes the single-byte versions of the embedded DejaVu Sans fonts that
# the documents are drawn with first (see app/report/fonts.go): the glyphs
# of Windows-1252 plus U+2717 (the mark of a contradicted claim, put in
# the unused code 0x81), subset from DejaVuSans*.ttf with fontTools
# (Debian: python3-fonttools), then turned into gofpdf font definitions
# (.json) and compressed font files (.z) by gofpdf.MakeFont. Run it from
# the repository root after changing the TTF files; commit what it writes.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d ../zz-fonts.XXXXXX)
trap 'rm -rf "$work"' EXIT
gofpdf=$(go list -m -f '{{.Dir}}' github.com/jung-kurt/gofpdf)
cp "$gofpdf/font/cp1252.map" "$work/cp1252.map"
sed 's/^!81 .*/!81 U+2717 uni2717/' "$work/cp1252.map" >"$work/tp1252.map"
grep -q '^!81 U+2717' "$work/tp1252.map" || printf '!81 U+2717 uni2717\n' >>"$work/tp1252.map"
sort -o "$work/tp1252.map" "$work/tp1252.map"
unicodes=$(awk '/^!/ && $2 != "U+0000" { printf "%s%s", sep, $2; sep = "," }' "$work/tp1252.map")
for f in DejaVuSans DejaVuSans-Bold; do
	/usr/bin/python3 -m fontTools.subset "$f.ttf" --unicodes="$unicodes" --glyph-names --name-IDs='*' \
		--name-languages='*' --notdef-outline --notdef-glyph --output-file="$work/$f-tp1252.ttf"
done
cat >"$work/main.go" <<'GO'
package main

import (
	"os"

	"github.com/jung-kurt/gofpdf"
)

func main() {
	dir := os.Args[1]
	for _, f := range []string{"DejaVuSans-tp1252", "DejaVuSans-Bold-tp1252"} {
		if err := gofpdf.MakeFont(dir+"/"+f+".ttf", dir+"/tp1252.map", ".", os.Stderr, true); err != nil {
			panic(err)
		}
	}
}
GO
go run "$work/main.go" "$work"
