#!/usr/bin/env bash
# Compares dl's per-op overhead with PyTorch's on the same workloads:
# bench/overhead_test.go (Go) and bench/torch/overhead.py (PyTorch), then
# prints workload, Go ns/op, PyTorch ns/op and their ratio (PyTorch time /
# Go time: above 1 means dl is faster).
#
#   bench/compare.sh            # from anywhere in the repository
#
# Environment:
#   PYTHON      the python with torch (default /usr/bin/python3, Debian's)
#   GO_CPU      GOMAXPROCS for the Go run (default 1: torch runs on one
#               thread too, and this keeps Go's garbage collector on it)
#   GO_COUNT    runs of each Go benchmark; the fastest is reported (default 10)
#   BENCHTIME   go test -benchtime (default 300ms)
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
GO_CPU=${GO_CPU:-1}
GO_COUNT=${GO_COUNT:-10}
BENCHTIME=${BENCHTIME:-300ms}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "Go: go test -run '^\$' -bench 'ScalarAdd|ScalarMulSumBackward' -benchmem -cpu $GO_CPU -count $GO_COUNT -benchtime $BENCHTIME ./bench/" >&2
go test -run '^$' -bench 'ScalarAdd|ScalarMulSumBackward' -benchmem \
	-cpu "$GO_CPU" -count "$GO_COUNT" -benchtime "$BENCHTIME" ./bench/ | tee "$tmp/go.txt" >&2

echo "PyTorch: $PYTHON bench/torch/overhead.py" >&2
"$PYTHON" bench/torch/overhead.py | tee "$tmp/torch.txt" >&2

# Go lines look like "BenchmarkScalarAdd/plain-1  N  95.3 ns/op  64 B/op  2 allocs/op";
# keep the fastest of the runs, by name without "Benchmark" and "-GOMAXPROCS".
awk '/^Benchmark/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") ns = $i
		if ($(i+1) == "allocs/op") allocs = $i
	}
	if (!(name in best) || ns + 0 < best[name] + 0) { best[name] = ns; al[name] = allocs }
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
}
END { for (i = 1; i <= n; i++) print order[i], best[order[i]], al[order[i]] }' "$tmp/go.txt" >"$tmp/go.min"

echo
awk 'FNR == NR { torch[$1] = $2; next }
BEGIN { printf "%-26s %12s %10s %14s %8s\n", "workload", "Go ns/op", "Go allocs", "PyTorch ns/op", "ratio" }
{
	t = ($1 in torch) ? torch[$1] : ""
	r = (t != "" && $2 > 0) ? sprintf("%.2f", t / $2) : "-"
	printf "%-26s %12.1f %10s %14s %8s\n", $1, $2, $3, (t == "" ? "-" : sprintf("%.1f", t)), r
}
END { print "\nratio = PyTorch ns/op / Go ns/op (above 1: dl is faster)" }' "$tmp/torch.txt" "$tmp/go.min"
