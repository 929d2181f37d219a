#!/usr/bin/env bash
# Publishes the glmm command for this machine into out/glmm (git-ignored), precompiled (ReadyToRun, see
# src/GlmmGpu.Cli/GlmmGpu.Cli.csproj) and framework-dependent: the build the benchmarks time. Prints its path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
dotnet publish src/GlmmGpu.Cli -c Release -r "$rid" --self-contained false -o out/glmm -v q -nologo > /dev/null
echo out/glmm/glmm
