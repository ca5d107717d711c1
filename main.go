// Command zoufang is the field app of a community police station: one
// binary holding PocketBase (auth, data, admin UI at /_/) and the web app.
//
//	go run . serve --demo   # a demo station on ./pb_data
//	go run . superuser upsert EMAIL PASS
package main

import (
	"fmt"
	"os"

	"zoufang/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if app.Failed() {
		os.Exit(1)
	}
}

func run() error {
	return app.New().Execute()
}
