//go:build !unix

package kernel

// lockFile is a no-op where flock is missing: concurrent installs then
// build twice, which is safe (binaries are renamed into place), only slower.
func lockFile(path string) (func(), error) { return func() {}, nil }
