// Package bench holds benchmarks that measure gradbook's dl package against
// PyTorch; it has no API of its own.
//
// overhead_test.go measures the fixed cost of one op on tensors too small
// for the arithmetic to matter: a one-element Add, with and without
// autograd recording, and a one-element Mul, Sum and Backward step. That
// cost (allocation, broadcasting checks, graph recording, the backward
// sweep) is what dominates scalar code such as the lecture's examples.
// torch/overhead.py times the same workloads in PyTorch, and compare.sh runs
// both and prints a table of ns/op and their ratio:
//
//	bench/compare.sh
//
// The Go benchmarks run only when asked for (go test -bench); plain
// go test ./... compiles them and needs no torch. The PyTorch side runs with
// Debian's /usr/bin/python3, which has torch.
package bench
