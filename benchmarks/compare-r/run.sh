#!/usr/bin/env bash
# Times glmm against lme4, glmmTMB and glmmPQL on the same simulated logistic files (ten rows per group) and
# writes benchmarks/compare-r/results.md: glmm's whole command (CSV loading included) and its model frame plus fit
# (loading excluded, as R's times exclude read.csv). Needs R with lme4, glmmTMB, MASS and jsonlite (Debian: r-cran-lme4
# r-cran-glmmtmb r-cran-mass r-cran-jsonlite). Peak memory beside each time: glmm's resident set, R's heap. Not part of CI.
# Usage: run.sh [ROWS ...] (default 100000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# The published, precompiled command, as a user installs it (scripts/publish-cli.sh).
glmm=$(scripts/publish-cli.sh)
work="${WORK:-$(mktemp -d)}"; mkdir -p "$work"
sizes=("${@:-100000}")
for rows in "${sizes[@]}"; do
  groups=$((rows / 10))
  csv="$work/sim-$rows.csv"
  $glmm simulate --rows "$rows" --groups "$groups" --family binomial --out "$csv" 2> /dev/null
  for m in laplace agq7 pql; do
    case $m in
      laplace) extra=(--method laplace) ;;
      agq7) extra=(--method agq --nagq 7) ;;
      pql) extra=(--method pql) ;;
    esac
    start=$(date +%s.%N)
    # GLMMGPU_TRACE's phase times give the model frame and the fit apart from loading, as R's times are; time(1)
    # the peak resident memory.
    GLMMGPU_TRACE=1 /usr/bin/time -f "%M" -o "$work/glmm-$rows-$m.rss" $glmm fit --data "$csv" --family binomial \
      --formula "y ~ x1 + x2 + x3 + x4 + (1 | g)" "${extra[@]}" --device cpu --quiet \
      --json "$work/glmm-$rows-$m.json" > /dev/null 2> "$work/glmm-$rows-$m.trace"
    end=$(date +%s.%N)
    echo "$end - $start" | bc > "$work/glmm-$rows-$m.wall"
  done
  Rscript benchmarks/compare-r/fit_r.R "$csv" "$work/r-$rows.json"
done
python3 benchmarks/compare-r/table.py "$work" "${sizes[@]}" | tee benchmarks/compare-r/results.md
