// Package templates holds the HTML pages and the static files (CSS, JS,
// images) of Supervision File, embedded into the binary.
package templates

import (
	"embed"
	"io/fs"
)

//go:embed html/*.html
var htmlFS embed.FS

//go:embed static
var staticFS embed.FS

// HTML is the page templates (html/*.html).
func HTML() fs.FS {
	sub, _ := fs.Sub(htmlFS, "html")
	return sub
}

// Static is the files served under /static/.
func Static() fs.FS {
	sub, _ := fs.Sub(staticFS, "static")
	return sub
}
