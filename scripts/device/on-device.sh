#!/usr/bin/env bash
# Runs on the lent GPU machine (no .NET there): unpacks the carried bundle, checks CUDA parity against the CPU
# path on a small simulated fit, then times the GPU benchmarks. Everything it measures goes to $OUT.
set -euo pipefail
OUT="${OUT:-/tmp/glmm-out}"
mkdir -p "$OUT" /tmp/glmm
tar xzf .device/bundle.tgz -C /tmp/glmm
bin=/tmp/glmm/publish
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
"$bin/glmm" simulate --rows 1000000 --groups 100000 --family binomial --out /tmp/glmm/sim1e6.csv 2> "$OUT/simulate.txt"
for device in cpu cuda; do
  "$bin/glmm" fit --data /tmp/glmm/sim1e6.csv --family binomial --method agq --nagq 7 --device "$device" \
    --formula "y ~ x1 + x2 + x3 + x4 + (1 | g)" --json "$OUT/fit-$device.json" > "$OUT/fit-$device.txt" 2>&1 || true
done
"$bin/GlmmGpu.Benchmarks" scale --max-rows 1000000 --out "$OUT/scale.md" > "$OUT/scale.txt" 2>&1 || true
date -u > "$OUT/date.txt"
