package data

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Iris returns Fisher's iris flowers as scikit-learn ships them: 150
// samples of 4 measurements in cm (sepal length, sepal width, petal length,
// petal width) in X [150 4], and the species as labels 0, 1, 2 in Y [150],
// named by Classes (setosa, versicolor, virginica), 50 of each. The data
// are embedded in the package; testdata/README.md names the source.
func Iris() *Dataset {
	ds, err := readEmbeddedCSV("iris", "testdata/iris.csv", true)
	if err != nil {
		panic("data: the embedded iris data are broken: " + err.Error())
	}
	return ds
}

// Digits returns scikit-learn's 8×8 handwritten digits (the test set of
// UCI's optical recognition of handwritten digits): 1797 images as rows of
// 64 pixel values in X [1797 64], each a whole number 0–16 as in
// scikit-learn's load_digits (divide by 16 for [0, 1]), and the digits as
// labels 0–9 in Y [1797]. The data are embedded in the package.
func Digits() *Dataset {
	ds, err := readEmbeddedCSV("digits", "testdata/digits.csv.gz", false)
	if err != nil {
		panic("data: the embedded digits data are broken: " + err.Error())
	}
	ds.Classes = digitClasses
	return ds
}

// readEmbeddedCSV reads an embedded CSV file, gunzipping it if its name
// ends in .gz.
func readEmbeddedCSV(name, file string, header bool) (*Dataset, error) {
	f, err := embedded.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	return readCSV(name, r, header)
}

// readCSV reads rows of features followed by an integer label. With header,
// the first row is scikit-learn's: n_samples, n_features, class names.
func readCSV(name string, r io.Reader, header bool) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	var classes []string
	if header {
		if len(rows) == 0 || len(rows[0]) < 2 {
			return nil, fmt.Errorf("%s: no header", name)
		}
		head := rows[0]
		classes = head[2:]
		n, err1 := strconv.Atoi(head[0])
		k, err2 := strconv.Atoi(head[1])
		rows = rows[1:]
		if err1 != nil || err2 != nil || n != len(rows) || n > 0 && k != len(rows[0])-1 {
			return nil, fmt.Errorf("%s: the header announces %s samples of %s features, the file differs", name, head[0], head[1])
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	k := len(rows[0]) - 1
	x := make([]float32, 0, len(rows)*k)
	y := make([]float32, len(rows))
	for i, row := range rows {
		if len(row) != k+1 {
			return nil, fmt.Errorf("%s: row %d has %d fields, not %d", name, i+1, len(row), k+1)
		}
		for _, f := range row[:k] {
			v, err := strconv.ParseFloat(f, 32)
			if err != nil {
				return nil, fmt.Errorf("%s: row %d: %w", name, i+1, err)
			}
			x = append(x, float32(v))
		}
		l, err := strconv.Atoi(row[k])
		if err != nil || l < 0 || classes != nil && l >= len(classes) {
			return nil, fmt.Errorf("%s: row %d: bad label %q", name, i+1, row[k])
		}
		y[i] = float32(l)
	}
	return newDataset(name, x, []int{len(rows), k}, y, []int{len(rows)}, classes), nil
}
