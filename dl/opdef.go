package dl

// opDef is what traces and graphs know about an op: its name and how to
// write its definition, its local adjoint terms and its tangent.
//
// Templates use {0}, {1}, … for the inputs, {out} for the output, {g} for the
// output's adjoint and {d0}, {d1}, … for the inputs' tangents. The same
// template is filled once with labels (v₋₁) and once with values (2).
type opDef struct {
	name string   // as errors and graphs show it, e.g. "Log"
	def  string   // primal definition, e.g. "ln {0}"
	adj  []string // per input: the adjoint contribution, e.g. "{g} / {0}"
	// tan is the output's tangent: one term per input, summed over the
	// inputs that are variables (a constant's term is 0 and left out), e.g.
	// {"{d0} × {1}", "{0} × {d1}"} for a product; or a single whole
	// expression for ops with several inputs whose tangents do not add,
	// in which a constant's tangent reads 0.
	tan []string

	// broadcasts marks ops whose inputs broadcast to the output's shape:
	// an input's adjoint is then summed back to the input's shape.
	broadcasts bool
}

var (
	opCast    = &opDef{"AsType", "{0}", []string{"{g}"}, []string{"{d0}"}, false}
	opAdd     = &opDef{"Add", "{0} + {1}", []string{"{g} × 1", "{g} × 1"}, []string{"{d0}", "{d1}"}, true}
	opSub     = &opDef{"Sub", "{0} − {1}", []string{"{g} × 1", "{g} × (−1)"}, []string{"{d0}", "−{d1}"}, true}
	opMul     = &opDef{"Mul", "{0} × {1}", []string{"{g} × {1}", "{g} × {0}"}, []string{"{d0} × {1}", "{0} × {d1}"}, true}
	opDiv     = &opDef{"Div", "{0} / {1}", []string{"{g} / {1}", "−{g} × {0} / {1}²"}, []string{"{d0} / {1}", "−{out} × {d1} / {1}"}, true}
	opPow     = &opDef{"Pow", "{0} ^ {1}", []string{"{g} × {1} × {0} ^ ({1} − 1)", "{g} × {out} × ln {0}"}, []string{"{d0} × {1} × {0} ^ ({1} − 1)", "{d1} × {out} × ln {0}"}, true}
	opMaximum = &opDef{"Maximum", "max({0}, {1})", []string{"{g} × [{0} ≥ {1}]", "{g} × [{1} ≥ {0}]"}, []string{"{d0} × [{0} ≥ {1}]", "{d1} × [{1} ≥ {0}]"}, true}
	opMinimum = &opDef{"Minimum", "min({0}, {1})", []string{"{g} × [{0} ≤ {1}]", "{g} × [{1} ≤ {0}]"}, []string{"{d0} × [{0} ≤ {1}]", "{d1} × [{1} ≤ {0}]"}, true}
	opWhere   = &opDef{"Where", "where({0}, {1}, {2})", []string{"", "{g} × [{0}]", "{g} × [¬{0}]"}, []string{"", "{d1} × [{0}]", "{d2} × [¬{0}]"}, true}

	opSum        = &opDef{"Sum", "Σ {0}", []string{"broadcast {g}"}, []string{"Σ {d0}"}, false}
	opMean       = &opDef{"Mean", "mean {0}", []string{"broadcast {g} / n"}, []string{"mean {d0}"}, false}
	opMax        = &opDef{"Max", "max {0}", []string{"{g} × [{0} = {out}] / ties"}, []string{"{d0} at the max"}, false}
	opMin        = &opDef{"Min", "min {0}", []string{"{g} × [{0} = {out}] / ties"}, []string{"{d0} at the min"}, false}
	opLogSumExp  = &opDef{"LogSumExp", "log Σ exp {0}", []string{"{g} × softmax {0}"}, []string{"Σ softmax {0} × {d0}"}, false}
	opSoftmax    = &opDef{"Softmax", "softmax {0}", []string{"{out} × ({g} − Σ {g} × {out})"}, []string{"{out} × ({d0} − Σ {out} × {d0})"}, false}
	opLogSoftmax = &opDef{"LogSoftmax", "log softmax {0}", []string{"{g} − exp {out} × Σ {g}"}, []string{"{d0} − Σ exp {out} × {d0}"}, false}

	opMatMul    = &opDef{"MatMul", "{0} @ {1}", []string{"{g} @ {1}ᵀ", "{0}ᵀ @ {g}"}, []string{"{d0} @ {1}", "{0} @ {d1}"}, false}
	opReshape   = &opDef{"Reshape", "reshape {0}", []string{"reshape {g}"}, []string{"reshape {d0}"}, false}
	opBroadcast = &opDef{"BroadcastTo", "broadcast {0}", []string{"Σ {g}"}, []string{"broadcast {d0}"}, false}
	opPermute   = &opDef{"Permute", "{0}ᵀ", []string{"{g}ᵀ"}, []string{"{d0}ᵀ"}, false}
	opSlice     = &opDef{"Slice", "{0}[…]", []string{"pad {g}"}, []string{"{d0}[…]"}, false}
	opIndex     = &opDef{"Index", "{0}[…]", []string{"pad {g}"}, []string{"{d0}[…]"}, false}
	opGather    = &opDef{"Gather", "gather {0}", []string{"scatter {g}"}, []string{"gather {d0}"}, false}
)

// opConcat is made per call: its number of inputs varies.
func opConcatFor(n int) *opDef {
	d := &opDef{name: "Concat", def: "concat("}
	tan := "concat("
	for i := 0; i < n; i++ {
		if i > 0 {
			d.def += ", "
			tan += ", "
		}
		d.def += "{" + itoa(i) + "}"
		tan += "{d" + itoa(i) + "}"
		d.adj = append(d.adj, "part of {g}")
	}
	d.def += ")"
	d.tan = []string{tan + ")"}
	return d
}

var (
	opConv2d     = &opDef{"Conv2d", "conv({0}, {1})", []string{"conv adjoint of {g} by {1}", "{g} ⋆ {0}"}, []string{"conv({d0}, {1})", "conv({0}, {d1})"}, false}
	opConv2dBias = &opDef{"Conv2d", "conv({0}, {1}) + {2}", []string{"conv adjoint of {g} by {1}", "{g} ⋆ {0}", "Σ {g}"}, []string{"conv({d0}, {1})", "conv({0}, {d1})", "{d2}"}, false}
	opMaxPool    = &opDef{"MaxPool2d", "maxpool {0}", []string{"{g} routed to each window's max"}, []string{"{d0} at each window's max"}, false}
	opAvgPool    = &opDef{"AvgPool2d", "avgpool {0}", []string{"{g} spread over each window / k²"}, []string{"avgpool {d0}"}, false}
)

var (
	opLinear     = &opDef{"Linear", "{0} @ {1}ᵀ", []string{"{g} @ {1}", "{g}ᵀ @ {0}"}, []string{"{d0} @ {1}ᵀ", "{0} @ {d1}ᵀ"}, false}
	opLinearBias = &opDef{"Linear", "{0} @ {1}ᵀ + {2}", []string{"{g} @ {1}", "{g}ᵀ @ {0}", "Σ {g}"}, []string{"{d0} @ {1}ᵀ", "{0} @ {d1}ᵀ", "{d2}"}, false}
)

var (
	opCrossEntropy = &opDef{"CrossEntropy", "crossentropy({0}, {1})", []string{"{g} × (softmax {0} − onehot {1}) / n", ""}, []string{"mean(Σ softmax {0} × {d0} − {d0} at {1})", ""}, false}
	opBCELogits    = &opDef{"BCEWithLogits", "bce({0}, {1})", []string{"{g} × (σ({0}) − {1}) / n", "−{g} × {0} / n"}, []string{"mean((σ({0}) − {1}) × {d0})", "−mean({0} × {d1})"}, false}
)
