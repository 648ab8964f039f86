#!/bin/bash
# The `gpu` row on a GPU machine that has no Node.js or npm (the device machine of
# ../shared/device/README.md). Here, first: `npx vite build --config test/bench/probe.vite.config.ts`,
# then ../shared/device/pack.sh (Node, the production node_modules, the Vulkan loader into
# .devcarry/), and copy make-bench-clip.py and clip-tokenizer/ from ../shared into .devcarry/.
# There, from the project root, with .devcarry and out/bench carried: `bash test/bench/gpu-device.sh`.
# The model (350 MB) is written there; the figures go to $OUT/gpu.json, the log to $OUT/gpu.log.
set -euo pipefail
out=${OUT:-/tmp/lumen-gpu-out}
mkdir -p "$out"
source .devcarry/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/machine.txt" || true
grep -m1 'model name' /proc/cpuinfo | tee -a "$out/machine.txt"
nproc | tee -a "$out/machine.txt"
started=$SECONDS
python3 .devcarry/make-bench-clip.py /tmp/vit-b-32-hf --layout hf --tokenizer .devcarry/clip-tokenizer > "$out/model.log" 2>&1
echo "model written in $((SECONDS - started)) s"
UV_THREADPOOL_SIZE=$(nproc) node out/bench/probe.mjs gpu-indexing /tmp/vit-b-32-hf /tmp/lumen-gpu-work > "$out/gpu.json" 2> >(tee "$out/gpu.log" >&2)
cat "$out/gpu.json"
