package ipynb_test

import (
	"fmt"

	"github.com/gradbook/gradbook/kernel/ipynb"
)

func ExampleParse() {
	nb, err := ipynb.Parse([]byte(`{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# Title\n", "Text."]},
  {"cell_type": "code", "id": "b2", "metadata": {}, "execution_count": null, "outputs": [], "source": "%%\nfmt.Println(1)"}
 ]
}`))
	if err != nil {
		panic(err)
	}
	for _, c := range nb.Cells {
		fmt.Printf("%s %q\n", c.Type, c.Source)
	}
	// Output:
	// markdown "# Title\nText."
	// code "%%\nfmt.Println(1)"
}
