package cpu

// Float is the constraint every loop is written against: one generic
// loop serves both dtypes.
type Float interface{ ~float32 | ~float64 }
