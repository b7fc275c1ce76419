package nbhtml_test

import (
	"fmt"

	"github.com/gradbook/gradbook/kernel/nbhtml"
)

func ExampleMarkdown() {
	fmt.Print(nbhtml.Markdown("## The *adjoint* of $v_i$\n\nIt is $\\bar v_i = \\partial y / \\partial v_i$."))
	// Output:
	// <h2>The <em>adjoint</em> of <span class="math" title="$v_i$">v<sub>i</sub></span></h2>
	// <p>It is <span class="math" title="$\bar v_i = \partial y / \partial v_i$">v̄<sub>i</sub> = ∂y/∂v<sub>i</sub></span>.</p>
}
