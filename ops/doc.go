// Package ops holds the tests that run the built zoufang binary as an
// operator would: killed with SIGKILL in the middle of a push, serving from
// a disk that fills up, and restored from a Litestream replica by the drill
// in docs/operations.md. It has no code of its own.
package ops
