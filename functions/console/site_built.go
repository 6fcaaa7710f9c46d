//go:build console

package main

import (
	"embed"
	"io/fs"
)

// The Makefile builds web/dist, then this binary with the console tag.
//
//go:embed all:web/dist
var dist embed.FS

func site() fs.FS {
	sub, err := fs.Sub(dist, "web/dist")
	if err != nil {
		panic(err) // "web/dist" is a valid path: fs.Sub cannot fail on it
	}
	return sub
}
