// Package bench holds zoufang's end-to-end benchmarks: the real app on an
// httptest server with a fresh database per contender. Everything lives in
// _test.go files and runs only under -bench; see RESULTS.md for the
// commands and the latest numbers.
package bench
