#!/usr/bin/env bash
# Runs on the lent GPU machine (no .NET there): unpacks the carried bundle, checks every reference fit on CUDA
# against the CPU path, then times the GPU at scale (XMath and libdevice math). Everything goes to $OUT.
# Through the device tool:  command "bash scripts/device/on-device.sh", carry [".device/bundle.tgz"].
set -uo pipefail
OUT="${OUT:-/tmp/glmm-out}"
mkdir -p "$OUT" /tmp/glmm
tar xzf .device/bundle.tgz -C /tmp/glmm
bench=/tmp/glmm/publish/GlmmGpu.Benchmarks
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
date -u | tee "$OUT/date.txt"
"$bench" device-check tests/GlmmGpu.Tests/Fixtures cuda 2>&1 | tee "$OUT/device-check.txt"
for size in "1e6 1e5" "1e7 1e6" "1e8 1e7"; do
  for math in xmath libdevice; do
    "$bench" device-scale $size 7 cuda $math 2>&1 | tee "$OUT/scale-${size// /-}-$math.txt"
  done
done
