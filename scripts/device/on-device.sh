#!/usr/bin/env bash
# Runs on the lent GPU machine (no .NET there): unpacks the carried bundle (scripts/device/publish.sh) and, each step
# under its own time limit, most important first: the scale runs at 1e7 rows (engine start cold and from the kernel
# cache, one evaluation against the floor, several vectors in one pass, the whole fit), the glmm fit command on CUDA
# and on the CPU side by side at 1e7 rows, every reference fit on CUDA against the CPU path, the scale run at 1e8 rows,
# and one ncu SpeedOfLight pass over a few evaluations. Everything goes to $OUT; a summary is printed last.
# Through the device tool:  command "bash scripts/device/on-device.sh", carry [".device/bundle.tgz"].
set -uo pipefail
OUT="${OUT:-/tmp/glmm-out}"
mkdir -p "$OUT" /tmp/glmm
tar xzf .device/bundle.tgz -C /tmp/glmm
bench=/tmp/glmm/publish/GlmmGpu.Benchmarks
glmm=/tmp/glmm/publish/glmm
export GLMMGPU_KERNEL_CACHE=/tmp/glmm/kernel-cache
export DOTNET_gcServer=0
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/gpu.txt"
echo "cores: $(nproc); $(date -u)" | tee -a "$OUT/gpu.txt"

step() { # step NAME SECONDS COMMAND...: runs with a limit, output to $OUT/NAME.txt, one status line
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  echo "step $name: exit $rc, $((SECONDS - start)) s" | tee -a "$OUT/steps.txt"
}

# 1. Scale at 1e7 rows, AGQ 7 and Laplace: the first engine compiles the kernels (cold), the later ones read the cache.
step scale-1e7-agq7 150 "$bench" device-scale 1e7 1e6 7 cuda portable
step scale-1e7-laplace 90 "$bench" device-scale 1e7 1e6 1 cuda portable

# 2. The command on CUDA and on the CPU, 1e7 rows in 1e6 groups.
"$glmm" simulate --rows 10000000 --groups 1000000 --family binomial --out /tmp/glmm/sim1e7.csv 2> /dev/null
fit() { # fit NAME DEVICE METHOD...
  local name=$1 device=$2; shift 2
  local start=$SECONDS
  timeout 90 "$glmm" fit --data /tmp/glmm/sim1e7.csv --family binomial --formula "y ~ x1 + x2 + x3 + x4 + (1 | g)" \
    --device "$device" --verbose --json "$OUT/$name.json" "$@" > "$OUT/$name.txt" 2>&1
  echo "fit $name: exit $?, wall $((SECONDS - start)) s, fit $(grep -o '"seconds":[0-9.]*' "$OUT/$name.json" 2>/dev/null)" | tee -a "$OUT/steps.txt"
}
fit cuda-laplace cuda --method laplace
fit cpu-laplace cpu --method laplace
fit cuda-agq7 cuda --method agq --nagq 7
fit cpu-agq7 cpu --method agq --nagq 7
fit cuda-pql cuda --method pql
fit cpu-pql cpu --method pql
GLMMGPU_KERNEL_CACHE=off fit cuda-laplace-nocache cuda --method laplace

# 3. Every reference fit on CUDA against the CPU path (asks 1e-8).
step device-check 120 "$bench" device-check tests/GlmmGpu.Tests/Fixtures cuda portable

# 4. 1e8 rows in 1e7 groups, AGQ 7 (the host simulates and builds the frame first, about 20 s).
step scale-1e8-agq7 170 "$bench" device-scale 1e8 1e7 7 cuda portable

# 5. Nsight Compute over the kernels of evaluations 2 and 3 (the upload's gathers and evaluation 1 skipped).
step ncu 90 ncu --clock-control none --section SpeedOfLight --launch-skip 10 --launch-count 6 "$bench" device-profile 1e7 1e6 7 cuda

echo "=== summary"
cat "$OUT/steps.txt"
grep -h -E "^engine on|kernels:|^evaluation|vectors in one pass|^whole fit|largest relative|max relative" "$OUT"/scale-*.txt "$OUT/device-check.txt" 2>/dev/null
grep -h -E "Duration|Grid Size|Block Size|DRAM Throughput|Memory Throughput|Compute \(SM\)" "$OUT/ncu.txt" 2>/dev/null | head -40
