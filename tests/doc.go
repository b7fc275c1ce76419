// Package tests holds gradbook's end-to-end tests: every lesson notebook
// executed through the real GoNB kernel with gradbook's own Jupyter
// client, with assertions on what the cells show. They build the kernel
// when needed (about a minute with a cold cache) and take a few minutes;
// go test -short skips them.
package tests
