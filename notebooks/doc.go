// Package notebooks holds the lessons: one Jupyter notebook per topic of
// the lecture, for the GoNB kernel that `gradbook install` sets up.
//
// The notebooks are written as Markdown in src/: text becomes Markdown
// cells and each ```go block a code cell. `go generate ./notebooks`
// rewrites the .ipynb files from them; a test checks that they agree.
// `gradbook run notebooks/*.ipynb --out out` executes them headlessly.
package notebooks

//go:generate go run ./internal/mknb -src src -out .
