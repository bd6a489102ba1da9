#!/bin/sh
# Rebuilds the labelled tender-document corpus (../corpus) and the holdout set
# (../holdout) from the sources in docs/ and holdout/.
#
# Needs python3 (with PyYAML for the slug check), LibreOffice Writer
# (Debian: libreoffice-writer-nogui), poppler-utils (pdftoppm, pdftotext) and
# img2pdf. Usage: sh generate.sh [corpus|holdout|all]   (default: all)
set -eu
cd "$(dirname "$0")"
SRC=$(pwd)
WHICH=${1:-all}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PROFILE="file://$WORK/lo-profile"

convert() { # convert FODT TARGET OUTDIR
	soffice -env:UserInstallation="$PROFILE" --headless --convert-to "$2" --outdir "$3" "$1" >/dev/null 2>&1
}

build_set() { # build_set SRCDIR OUTDIR
	src=$1 out=$2
	rm -rf "$WORK/$src" && mkdir -p "$WORK/$src" "$out"
	find "$out" -maxdepth 1 -type f ! -name README.md -delete
	python3 build.py "$src" "$out" "$WORK/$src"
	for f in "$WORK/$src"/*.fodt; do
		[ -e "$f" ] || continue
		base=$(basename "$f" .fodt)
		target=$(cat "$WORK/$src/$base.target")
		case $target in
		docx) convert "$f" "docx:MS Word 2007 XML" "$out" ;;
		odt) convert "$f" odt "$out" ;;
		pdf) convert "$f" "pdf:writer_pdf_Export" "$out" ;;
		pdf-scanned)
			# A scanned document: the pages as grey images, no text layer.
			convert "$f" "pdf:writer_pdf_Export" "$WORK/$src"
			pdftoppm -r 100 -gray -jpeg -jpegopt quality=60 "$WORK/$src/$base.pdf" "$WORK/$src/$base-page"
			img2pdf -o "$out/$base.pdf" "$WORK/$src/$base"-page*.jpg
			;;
		*) echo "unknown target $target for $base" >&2; exit 1 ;;
		esac
		[ -e "$out/$base.${target%-scanned}" ] || { echo "conversion of $base failed" >&2; exit 1; }
	done
}

case $WHICH in
corpus) build_set docs ../corpus ;;
holdout) build_set holdout ../holdout ;;
all) build_set docs ../corpus; build_set holdout ../holdout ;;
*) echo "usage: sh generate.sh [corpus|holdout|all]" >&2; exit 2 ;;
esac

python3 check.py
