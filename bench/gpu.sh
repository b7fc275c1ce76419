#!/usr/bin/env bash
# Times GPU training steps of gradbook (bench/cmd/gpusteps) and PyTorch eager
# (bench/torch/gpu_steps.py) in one run on one machine, and prints a table
# of ratios (PyTorch's time per step over ours: >1 means gradbook is faster,
# and is also the ratio of samples per second).
#
#   bench/gpu.sh GPUSTEPS_BINARY [PYTHON]
#
# The machine with the GPU needs no Go: build the binary elsewhere with
#   CGO_ENABLED=0 go build -o gpusteps ./bench/cmd/gpusteps
set -euo pipefail
bin=${1:?usage: bench/gpu.sh GPUSTEPS_BINARY [PYTHON]}
py=${2:-python3}
dir=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
"$bin" > "$out/go.txt"
"$bin" -tf32 -batches 128,1024 >> "$out/go.txt"
"$py" "$dir/torch/gpu_steps.py" > "$out/torch.txt"
"$py" "$dir/torch/gpu_steps.py" --tf32 >> "$out/torch.txt"
grep '^#' "$out/torch.txt" || true
echo "| workload | PyTorch eager ms/step | gradbook ms/step | ratio |"
echo "|---|---|---|---|"
while read -r name ms _; do
	case $name in \#*) continue ;; esac
	theirs=$(awk -v n="$name" '$1 == n { print $2 }' "$out/torch.txt")
	[ -n "$theirs" ] || continue
	awk -v n="$name" -v a="$theirs" -v b="$ms" 'BEGIN { printf "| %s | %.3f | %.3f | %.2f× |\n", n, a, b, a / b }'
done < "$out/go.txt"
