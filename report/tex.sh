#!/usr/bin/env bash
# The TeX packages the report needs: installed when missing and we are root on Debian or Ubuntu; otherwise what is
# missing and how to install it, and exit status 1. report/build.sh runs it first; make test runs it during set-up.
set -euo pipefail
packages="latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern"
styles="geometry.sty float.sty lmodern.sty booktabs.sty listings.sty xcolor.sty hyperref.sty graphicx.sty amsmath.sty"

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
