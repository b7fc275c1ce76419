// Command mksample writes the MNIST sample that package data embeds: the
// first n images and labels of MNIST's test split as gzipped IDX files,
//
//	testdata/mnist-t10k-1000-images-idx3-ubyte.gz
//	testdata/mnist-t10k-1000-labels-idx1-ubyte.gz
//
// Run it from dl/data with `go generate` (or go run ./internal/mksample -o testdata).
// The output is the same on every run with the same Go version.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gradbook/gradbook/dl/data"
)

func main() {
	out := flag.String("o", "testdata", "folder to write the sample to")
	n := flag.Int("n", 1000, "number of images")
	src := flag.String("src", "", "folder of MNIST's IDX files (default: the GoMNIST module's)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("mksample: ")
	if *src == "" {
		dir, err := data.MNISTDir()
		if err != nil {
			log.Fatal(err)
		}
		*src = dir
	}
	for _, kind := range []string{"images-idx3-ubyte", "labels-idx1-ubyte"} {
		in := filepath.Join(*src, "t10k-"+kind+".gz")
		dst := filepath.Join(*out, fmt.Sprintf("mnist-t10k-%d-%s.gz", *n, kind))
		if err := slice(in, dst, *n); err != nil {
			log.Fatal(err)
		}
		fmt.Println("wrote", dst)
	}
}

// slice writes the first n samples of IDX file in to dst, gzipped.
func slice(in, dst string, n int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	shape, values, err := data.ReadIDX(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if len(shape) == 0 || shape[0] < n {
		return fmt.Errorf("%s: shape %v has fewer than %d samples", in, shape, n)
	}
	per := len(values) / shape[0]
	raw := make([]byte, n*per)
	for i := range raw {
		raw[i] = byte(values[i])
	}
	shape[0] = n
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := data.WriteIDX(zw, shape, raw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	// Write a temporary file and rename it: never a half-written sample.
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
