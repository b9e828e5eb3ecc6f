#!/usr/bin/env bash
# Build the report from the results and figures of one profile: bash report/build.sh [full|quick]
# It reads results/<profile>/ and figures/<profile>/ under $MUSICRNN_ROOT (default: the project) and writes
# report/build/main.pdf there.
set -euo pipefail
profile=${1:-full}
cd "$(dirname "$0")"
root=$(cd "${MUSICRNN_ROOT:-..}" && pwd)
out="$root/report/build"
packages="latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern"
styles="geometry.sty float.sty lmodern.sty booktabs.sty listings.sty xcolor.sty hyperref.sty graphicx.sty amsmath.sty"

# docs/results.md (or report/build/results.md for another profile): the measured numbers as Markdown, written
# from the same results as the report, before TeX is needed.
if [ -d "$root/results/$profile" ]; then
    python="$(cd .. && pwd)/.venv/bin/python"; [ -x "$python" ] || python=python3
    doc="$out/results.md"; [ "$profile" = full ] && doc="$root/docs/results.md"
    mkdir -p "$(dirname "$doc")"
    (cd .. && "$python" -m helpers.report.results_doc "$root/results/$profile" "$doc")
fi

missing_tex() {
    command -v latexmk >/dev/null && command -v pdflatex >/dev/null || { echo "latexmk pdflatex"; return; }
    for style in $styles; do kpsewhich "$style" >/dev/null || echo -n "$style "; done
}
if [ -n "$(missing_tex)" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing the TeX packages the report needs: $packages"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
    fi
    if [ -n "$(missing_tex)" ]; then
        echo "missing for the report: $(missing_tex)" >&2
        echo "install them with: sudo apt-get install $packages" >&2
        exit 1
    fi
fi
if [ ! -d "$root/results/$profile" ]; then
    echo "no results in $root/results/$profile: run the notebooks first (make run PROFILE=$profile)" >&2
    exit 1
fi
mkdir -p "$out"
paths="\\newcommand{\\results}{$root/results/$profile}\\newcommand{\\figures}{$root/figures/$profile}"
latexmk -pdf -interaction=nonstopmode -halt-on-error -outdir="$out" -usepretex="$paths" main.tex >"$out/build.log" 2>&1 || {
    tail -40 "$out/build.log" >&2
    exit 1
}
echo "report written to $out/main.pdf ($profile profile)"
