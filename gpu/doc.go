// Package gpu is gradbook's CUDA backend, in pure Go: the CUDA driver,
// NVRTC and cuBLAS are loaded at run time with purego, so programs build
// with CGO_ENABLED=0, need no CUDA toolkit to build, and run everywhere; on
// a machine without a GPU, Available reports false and Open says what it
// looked for and where.
//
// A device is a dl.Device: move tensors and networks there and every op
// runs there, gradients and optimizer steps included.
//
//	dev := gpu.Device(0)              // panics with a clear message without a GPU; Open returns the error
//	net = nn.To(net, dev)             // parameters and buffers move in place; an optimizer follows
//	x, y = x.To(dev), y.To(dev)
//	loss := nn.CrossEntropy(net.Forward(x), y)
//	loss.Backward(); opt.Step()       // fused optimizer kernels, state on the device
//	fmt.Println(loss.Item())          // reading a value copies it back (and waits for the device)
//
// train.Fit takes the device as train.Options{Device: dev}.
//
// How it works:
//
//   - Kernels are CUDA C (kernels_source.go), compiled by NVRTC for the
//     device's architecture the first time a dtype is used (about a
//     second) and kept for the process. Elementwise ops, broadcasting,
//     sums, softmax, the fused cross-entropy, convolutions, pooling and
//     the SGD, Adam and AdamW steps have kernels; matrix products go to
//     cuBLAS (FP32 by default, TF32 with SetTF32). Convolutions are
//     im2col and one product over the whole batch.
//   - Ops with no kernel here (Where, Pow, Sin, Max, Clamp, the Adagrad,
//     RMSProp and LAMB steps, …) still work: dl computes them through main
//     memory, which is slower but exact.
//   - Work goes to one stream in call order and the host does not wait
//     for it; only reading values (Item, Float64s, printing, To(dl.CPU))
//     waits.
//   - Device memory comes from a caching allocator (no cuMemAlloc per op):
//     a block returns to the cache when dl releases a dead gradient, or
//     when the garbage collector finds its tensor unreachable. The
//     collector is started in the background after every sixteenth of the
//     device's memory allocated (at least 256 MiB, at most 4 GiB), so that
//     a training loop reuses blocks instead of growing, and once more
//     before an allocation that finds the device full is retried.
//   - Results match the CPU to float32 rounding (sums are added in double
//     in a fixed order, so a run repeats exactly); devicetest checks every
//     op and a few training steps against the CPU.
//
// Libraries are searched in GRADBOOK_CUDA_PATH (a list of directories),
// then through the dynamic loader, then in the usual CUDA and Python wheel
// directories.
package gpu
