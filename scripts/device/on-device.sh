#!/usr/bin/env bash
# Runs on the lent GPU machine (no .NET there): unpacks the carried bundle, checks every reference fit on CUDA
# against the CPU path with each source of exp and log (portable, xmath, libdevice), then times the GPU at scale
# with each. Everything goes to $OUT.
# Through the device tool:  command "bash scripts/device/on-device.sh", carry [".device/bundle.tgz"], and a
# timeout that leaves time for a rerun (the 1e8-row step alone simulates and frames 1e8 rows on the host first).
# SIZES overrides the sizes ("1e6 1e5;1e7 1e6;1e8 1e7"), MATHS the math modes ("portable,xmath,libdevice").
set -uo pipefail
OUT="${OUT:-/tmp/glmm-out}"
SIZES="${SIZES:-1e6 1e5;1e7 1e6;1e8 1e7}"
MATHS="${MATHS:-portable,xmath,libdevice}"
mkdir -p "$OUT" /tmp/glmm
tar xzf .device/bundle.tgz -C /tmp/glmm
bench=/tmp/glmm/publish/GlmmGpu.Benchmarks
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
date -u | tee "$OUT/date.txt"
for math in ${MATHS//,/ }; do
  timeout 120 "$bench" device-check tests/GlmmGpu.Tests/Fixtures cuda "$math" 2>&1 | tee "$OUT/device-check-$math.txt"
done
IFS=';' read -ra sizes <<< "$SIZES"
for size in "${sizes[@]}"; do
  timeout 300 "$bench" device-scale $size 7 cuda "$MATHS" 2>&1 | tee "$OUT/scale-${size// /-}.txt"
done
