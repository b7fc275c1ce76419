// Package cpu holds the CPU backend's typed loops: elementwise functions
// and their derivative rules, broadcasting walks, reductions, softmax and
// the losses, im2col and convolutions, pooling, the optimizer updates and
// the matrix products (the BLAS seam). Every loop takes slices and writes
// slices, written once over Float for float32 and float64.
//
// It is a leaf: it imports nothing of gradbook. Package dl wraps these
// loops as its CPU backend; the op codes (UnaryOp, GradOp, BinaryOp,
// ReduceOp) and the geometry (ConvShape, strides) are the one list that dl,
// every other backend and the tests share.
package cpu
