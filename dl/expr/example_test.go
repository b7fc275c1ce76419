package expr_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/expr"
)

func ExampleParse() {
	e, err := expr.Parse("ln(x1) + x1*x2 - sin(x2)")
	if err != nil {
		panic(err)
	}
	fmt.Println(e, e.Variables())
	x1, x2 := dl.Float64.Scalar(2).Named("x1"), dl.Float64.Scalar(5).Named("x2")
	y, err := e.Eval(map[string]*dl.Tensor{"x1": x1, "x2": x2})
	if err != nil {
		panic(err)
	}
	y.Backward()
	fmt.Printf("y = %.3f, ∂y/∂x1 = %.3f, ∂y/∂x2 = %.3f\n", y.Item(), x1.Grad().Item(), x2.Grad().Item())

	_, err = expr.Parse("2*sinh(x)")
	fmt.Println(err)
	// Output:
	// ln(x1) + x1 * x2 - sin(x2) [x1 x2]
	// y = 11.652, ∂y/∂x1 = 5.500, ∂y/∂x2 = 1.716
	// 1:3: unknown function "sinh"
}
