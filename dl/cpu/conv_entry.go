package cpu

// Conv2d writes to out [N O OH OW] the cross-correlation of x [N C H W]
// with the filters w [O C KH KW], plus the bias b [O] when b is not nil.
func Conv2d[T Float](g ConvShape, x, w, b, out []T, o int) {
	conv2d(g, x, w, b, out, o, gemmOf[T]())
}

// Conv2dGrad writes to gx (x's shape) and gw (w's shape), each when not
// nil, the adjoints of Conv2d for the output's adjoint gy. gx and gw must
// hold zeros.
func Conv2dGrad[T Float](g ConvShape, x, w, gy, gx, gw []T, o int) {
	conv2dGrad(g, x, w, gy, gx, gw, o, gemmOf[T]())
}

// Im2col writes the receptive fields of every image of x [N C H W] side
// by side as the columns of cols [C·KH·KW, N·OH·OW] (zeros in the
// padding).
func Im2col[T Float](g ConvShape, x, cols []T) {
	hw, chw := g.OH*g.OW, g.C*g.H*g.W
	for n := 0; n < g.N; n++ {
		im2colAt(g, x[n*chw:][:chw], cols, g.N*hw, n*hw)
	}
}

// Col2im adds the columns of cols (as Im2col writes them) back onto x,
// which it first clears.
func Col2im[T Float](g ConvShape, cols, x []T) {
	clear(x)
	hw, chw := g.OH*g.OW, g.C*g.H*g.W
	for n := 0; n < g.N; n++ {
		col2imAt(g, cols, x[n*chw:][:chw], g.N*hw, n*hw)
	}
}
