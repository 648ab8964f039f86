#!/bin/bash
# The `gpu` row on a GPU machine that has no Node.js or npm (the device machine of
# ../shared/device/README.md). Here, first: `npx vite build --config test/bench/probe.vite.config.ts`,
# then ../shared/device/pack.sh (Node, the production node_modules, the Vulkan loader into
# .devcarry/), and copy make-bench-clip.py and clip-tokenizer/ from ../shared into .devcarry/.
# There, from the project root, with .devcarry and out/bench carried: `bash test/bench/gpu-device.sh`.
# The model (350 MB) is written there; the figures go to $OUT/gpu-POOL.json, the logs to $OUT/gpu-POOL.log.
set -euo pipefail
out=${OUT:-/tmp/lumen-gpu-out}
mkdir -p "$out"
source .devcarry/unpack.sh
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/machine.txt" || true
grep -m1 'model name' /proc/cpuinfo | tee -a "$out/machine.txt"
nproc | tee -a "$out/machine.txt"
lscpu | grep -E '^(Thread|Core|Socket|CPU max MHz)' | tee -a "$out/machine.txt" || true
started=$SECONDS
python3 .devcarry/make-bench-clip.py /tmp/vit-b-32-hf --layout hf --tokenizer .devcarry/clip-tokenizer > "$out/model.log" 2>&1
echo "model written in $((SECONDS - started)) s"
# Threads in libuv's pool, where sharp decodes (the photos in flight follow it): one run each,
# by default a thread per core and two (LUMEN_BENCH_POOLS="16 32" names them).
for pool in ${LUMEN_BENCH_POOLS:-$(nproc) $((2 * $(nproc)))}; do
  UV_THREADPOOL_SIZE=$pool node out/bench/probe.mjs gpu-indexing /tmp/vit-b-32-hf /tmp/lumen-gpu-work > "$out/gpu-$pool.json" 2> >(tee "$out/gpu-$pool.log" >&2)
  cat "$out/gpu-$pool.json"
done
