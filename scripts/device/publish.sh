#!/usr/bin/env bash
# Publishes glmm and the benchmarks self-contained for linux-x64 into one folder (they share the runtime) and
# packs it as .device/bundle.tgz, git-ignored, for the device tool to carry to a GPU machine that has no .NET.
# Then, through the device tool:  command "bash scripts/device/on-device.sh", carry [".device/bundle.tgz"].
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rm -rf .device/publish && mkdir -p .device/publish
# Not precompiled: the bundle stays the tested one (51 MB of the 64 MiB carry limit), which ReadyToRun would
# grow (ILGPU.dll 2.0 -> 4.4 MB, GlmmGpu.dll 0.31 -> 0.77 MB).
dotnet publish src/GlmmGpu.Cli -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=false -o .device/publish
dotnet publish benchmarks/GlmmGpu.Benchmarks -c Release -r linux-x64 --self-contained -o .device/publish
tar czf .device/bundle.tgz -C .device publish
rm -rf .device/publish
ls -la .device/bundle.tgz
