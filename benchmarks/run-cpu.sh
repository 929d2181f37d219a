#!/usr/bin/env bash
# Measures the CPU path for benchmarks/RESULTS.md: the glmm command on simulated 1e6-row logistic data (wall
# time and peak memory, CSV loading included), the likelihood evaluation against its floors, and the scale
# sweeps with a plot. Prints markdown; writes benchmarks/scale.png. Usage: benchmarks/run-cpu.sh [MAX_ROWS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
max_rows="${1:-1000000}"
dotnet build benchmarks/GlmmGpu.Benchmarks -c Release -v q -nologo > /dev/null
# The published, precompiled command, as a user installs it (scripts/publish-cli.sh).
glmm=$(scripts/publish-cli.sh)
bench=benchmarks/GlmmGpu.Benchmarks/bin/Release/net10.0/GlmmGpu.Benchmarks
work=$(mktemp -d)
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB; $(dotnet --version)"
echo
$glmm simulate --rows 1000000 --groups 100000 --family binomial --out "$work/sim.csv" 2> /dev/null
echo "| command (1e6 rows, 1e5 groups) | wall s | peak RSS MB |"
echo "| --- | ---: | ---: |"
for m in "laplace" "agq --nagq 7" "pql"; do
  for rep in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/t" $glmm fit --data "$work/sim.csv" --family binomial --method $m --device cpu --quiet \
      --formula "y ~ x1 + x2 + x3 + x4 + (1 | g)" > /dev/null
    cat "$work/t" >> "$work/t-$rep"
  done
  best=$(cat "$work"/t-* | sort -n | head -1); rm -f "$work"/t-*
  echo "| glmm fit --method $m | ${best% *} | $(( ${best#* } / 1024 )) |"
done
echo
echo '```'
$bench profile "$work/sim.csv" 1
$bench profile "$work/sim.csv" 7 | sed -n "3,\$p"
echo '```'
echo
$bench scale --max-rows "$max_rows" --plot benchmarks/scale.png 2> /dev/null
