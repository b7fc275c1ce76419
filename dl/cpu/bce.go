package cpu

// BCE returns Σ softplus(z) − z·y.
func BCE[T Float](z, y []T) float64 {
	total := 0.0
	for i, v := range z {
		zv := float64(v)
		total += softplus(zv) - zv*float64(y[i])
	}
	return total
}

// BCEGrad writes scale·(σ(z) − y) to gz and −scale·z to gy (each when not
// nil).
func BCEGrad[T Float](gz, gy, z, y []T, scale float64) {
	for i, v := range z {
		zv := float64(v)
		if gz != nil {
			gz[i] = T(scale * (sigmoid(zv) - float64(y[i])))
		}
		if gy != nil {
			gy[i] = T(-scale * zv)
		}
	}
}
