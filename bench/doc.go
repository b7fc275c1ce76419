// Package bench holds benchmarks that measure gradbook's dl package against
// PyTorch; it has no API of its own.
//
// overhead_test.go measures the fixed cost of one op on tensors too small
// for the arithmetic to matter: a one-element Add, with and without
// autograd recording, and a one-element Mul, Sum and Backward step. That
// cost (allocation, broadcasting checks, graph recording, the backward
// sweep) is what dominates scalar code such as the lecture's examples.
//
// steps_test.go measures one training step (zero_grad, forward, loss,
// backward, SGD step) on a fixed random batch, in steady state, for the
// lecture's three nets: the Playground's 2-8-8-1 tanh net (batch 10,
// BCEWithLogits), the MNIST perceptron 784-256-128-10 (batch 128,
// CrossEntropy) and LeNet on 1×32×32 images (batch 64, CrossEntropy).
//
// torch/overhead.py and torch/steps.py time the same workloads in PyTorch,
// under the same names. The script compare runs both sides in one go and
// prints one table of Go time, PyTorch time, their ratio and Go's
// allocations, and writes it with the machine, date and versions into
// RESULTS.md:
//
//	bench/compare
//
// cmd/mnist trains the perceptron and LeNet on MNIST to their target test
// accuracies (97% and 98.5%) and appends each run to RESULTS.md:
//
//	go run ./bench/cmd/mnist
//
// The Go benchmarks run only when asked for (go test -bench); plain
// go test ./... compiles them, checks briefly that the benchmarked steps
// train, and needs no torch. The PyTorch side runs with Debian's
// /usr/bin/python3, which has torch.
package bench
