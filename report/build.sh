#!/usr/bin/env bash
# Build the report from the results and figures of one profile: bash report/build.sh [full|quick]
# It reads results/<profile>/ and figures/<profile>/ under $MUSICRNN_ROOT (default: the project) and writes
# report/build/main.pdf there.
set -euo pipefail
profile=${1:-full}
cd "$(dirname "$0")"
root=$(cd "${MUSICRNN_ROOT:-..}" && pwd)
out="$root/report/build"

# docs/results.md (or report/build/results.md for another profile): the measured numbers as Markdown, written
# from the same results as the report, before TeX is needed.
if [ -d "$root/results/$profile" ]; then
    python="$(cd .. && pwd)/.venv/bin/python"; [ -x "$python" ] || python=python3
    doc="$out/results.md"; [ "$profile" = full ] && doc="$root/docs/results.md"
    mkdir -p "$(dirname "$doc")"
    (cd .. && "$python" -m helpers.report.results_doc "$root/results/$profile" "$doc")
fi

bash tex.sh  # the TeX packages: installed if it can, else what is missing, and a stop
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
