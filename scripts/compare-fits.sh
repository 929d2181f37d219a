#!/usr/bin/env bash
# Fits the reference cases (tests/GlmmGpu.Tests/Fixtures) and a simulated logistic benchmark file with one glmm
# build and writes each result as JSON, so that a change that must not move a result (a refactoring) can be
# checked bit for bit against the build before it: JSON numbers are written round-trip exact.
#   scripts/compare-fits.sh run GLMM OUT_DIR [ROWS]   GLMM: the command (e.g. "dotnet path/glmm.dll"); ROWS default 1e6
#   scripts/compare-fits.sh diff DIR_A DIR_B          every result equal but for its "seconds"; exit 1 otherwise
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fixtures=tests/GlmmGpu.Tests/Fixtures
case "${1:-}" in
run)
  glmm="$2"; out="$3"; rows="${4:-1000000}"
  mkdir -p "$out"
  for spec in cbpp_laplace:laplace:1 cbpp_agq25:agq:25 grouseticks_laplace:laplace:1 grouseticks_agq10:agq:10 \
      sim_binary_slope_agq12_ml:agq:12 sim_gamma_tmb:laplace:1 sim_negbin_tmb:laplace:1 sim_poisson_slope_laplace:laplace:1 \
      verbagg_laplace:laplace:1 verbagg_agq9:agq:9 cbpp_pql:pql:0 sleepstudy_reml:reml:0 sleepstudy_ml:ml:0; do
    IFS=: read -r name method nodes <<< "$spec"
    fields=$(python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print("\t".join([j["data"], j["formula"], j["family"], j["link"]]))' "$fixtures/$name.json")
    IFS=$'\t' read -r data formula family link <<< "$fields"
    args=(fit --data "$fixtures/$data" --formula "$formula" --family "$family" --link "$link" --method "$method" --device cpu --quiet
      --json "$out/$name.json")
    if [ "$nodes" -gt 1 ]; then args+=(--nagq "$nodes"); fi
    $glmm "${args[@]}" > /dev/null
  done
  sim="$out/sim-$rows.csv"
  [ -f "$sim" ] || $glmm simulate --rows "$rows" --groups $((rows / 10)) --family binomial --out "$sim" 2> /dev/null
  for m in laplace "agq --nagq 7" pql; do
    $glmm fit --data "$sim" --family binomial --method $m --device cpu --quiet --formula "y ~ x1 + x2 + x3 + x4 + (1 | g)" \
      --json "$out/sim-$rows-${m%% *}.json" > /dev/null
  done
  ;;
diff)
  python3 - "$2" "$3" <<'PY'
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(a) if f.endswith('.json'))
bad = 0
for f in names:
    x, y = json.load(open(os.path.join(a, f))), json.load(open(os.path.join(b, f)))
    x.pop('seconds', None); y.pop('seconds', None)
    if x != y:
        bad += 1
        keys = [k for k in x if x.get(k) != y.get(k)]
        print(f'{f}: differs in {", ".join(keys)}')
print(f'{len(names) - bad} of {len(names)} results identical')
sys.exit(1 if bad else 0)
PY
  ;;
*) sed -n '2,6p' "$0"; exit 2 ;;
esac
