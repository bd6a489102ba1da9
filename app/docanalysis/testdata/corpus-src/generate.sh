#!/bin/sh
# Rebuilds the labelled tender-document corpus (../corpus), the holdout set
# (../holdout) and the blind holdout sets (../holdout2 to ../holdout5) from
# the sources in docs/, holdout/ and holdout2/ to holdout5/.
#
# Needs python3 (with PyYAML for the slug check), LibreOffice Writer
# (Debian: libreoffice-writer-nogui), poppler-utils (pdftoppm, pdftotext) and
# img2pdf. Usage: sh generate.sh [corpus|holdout|holdout2|holdout3|holdout4|holdout5|all]   (default: all)
set -eu
cd "$(dirname "$0")"
SRC=$(pwd)
WHICH=${1:-all}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PROFILE="file://$WORK/lo-profile"

convert() { # convert TARGET OUTDIR FODT...
	target=$1 outdir=$2; shift 2
	soffice -env:UserInstallation="$PROFILE" --headless --convert-to "$target" --outdir "$outdir" "$@" >/dev/null 2>&1
}

build_set() { # build_set SRCDIR OUTDIR
	src=$1 out=$2 w=$WORK/$1
	rm -rf "$w" && mkdir -p "$w/docx" "$w/odt" "$w/pdf" "$w/pdf-scanned" "$out"
	find "$out" -maxdepth 1 -type f ! -name README.md -delete
	python3 build.py "$src" "$out" "$w"
	# Sort the flat ODT sources by target format, so that LibreOffice starts
	# once per format rather than once per document.
	for f in "$w"/*.fodt; do
		[ -e "$f" ] || continue
		base=$(basename "$f" .fodt)
		mv "$f" "$w/$(cat "$w/$base.target")/"
	done
	set -- "$w"/docx/*.fodt; [ -e "$1" ] && convert "docx:MS Word 2007 XML" "$out" "$@"
	set -- "$w"/odt/*.fodt; [ -e "$1" ] && convert odt "$out" "$@"
	set -- "$w"/pdf/*.fodt; [ -e "$1" ] && convert "pdf:writer_pdf_Export" "$out" "$@"
	for f in "$w"/pdf-scanned/*.fodt; do
		# A scanned document: the pages as grey JPEG images, no text layer.
		[ -e "$f" ] || continue
		base=$(basename "$f" .fodt)
		convert "pdf:writer_pdf_Export" "$w/pdf-scanned" "$f"
		pdftoppm -r 100 -gray -jpeg -jpegopt quality=60 "$w/pdf-scanned/$base.pdf" "$w/pdf-scanned/$base-page"
		img2pdf -o "$out/$base.pdf" "$w/pdf-scanned/$base"-page*.jpg
	done
	for t in "$w"/*.target; do
		base=$(basename "$t" .target)
		ext=$(cat "$t"); ext=${ext%-scanned}
		[ -e "$out/$base.$ext" ] || { echo "conversion of $base failed" >&2; exit 1; }
	done
}

case $WHICH in
corpus) build_set docs ../corpus ;;
holdout) build_set holdout ../holdout ;;
holdout2) build_set holdout2 ../holdout2 ;;
holdout3) build_set holdout3 ../holdout3 ;;
holdout4) build_set holdout4 ../holdout4 ;;
holdout5) build_set holdout5 ../holdout5 ;;
all) build_set docs ../corpus; build_set holdout ../holdout; build_set holdout2 ../holdout2; build_set holdout3 ../holdout3; build_set holdout4 ../holdout4; build_set holdout5 ../holdout5 ;;
*) echo "usage: sh generate.sh [corpus|holdout|holdout2|holdout3|holdout4|holdout5|all]" >&2; exit 2 ;;
esac

python3 check.py
