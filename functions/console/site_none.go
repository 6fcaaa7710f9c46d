//go:build !console

package main

import "io/fs"

// Without the console tag (go build ./..., go vet ./... on a fresh clone, before any npm
// install) the binary has no app to serve, and says so.
func site() fs.FS { return nil }
