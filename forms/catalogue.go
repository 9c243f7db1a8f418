package forms

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed catalogue/*.yaml
var builtin embed.FS

// Builtin returns the built-in definitions: the files of catalogue/, at the
// root of the returned file system.
func Builtin() fs.FS {
	sub, err := fs.Sub(builtin, "catalogue")
	if err != nil {
		panic(err) // the embedded folder is always there
	}
	return sub
}

// Catalogue holds every loaded version of every form.
type Catalogue struct {
	versions map[string]map[int]*Definition
}

// Load reads the built-in definitions (the *.yaml and *.yml files at the
// root of builtin; nil for none), then a council's folder of definitions
// (overrideDir; "" for none). A council's definition with the same id as a
// built-in one and a higher version becomes the latest; the built-in
// version stays loaded for the records made with it. One with the same id
// and version replaces the built-in one: bump the version when the fields
// change, so old records keep the definition they were made with.
//
// Every error in every file is reported, each as "file:line: what is
// wrong"; a catalogue with any error is not loaded.
func Load(builtin fs.FS, overrideDir string) (*Catalogue, error) {
	c := &Catalogue{versions: map[string]map[int]*Definition{}}
	var errs []error
	if builtin != nil {
		defs, err := readDir(builtin, "forms/catalogue")
		errs = append(errs, err)
		for _, d := range defs {
			if old := c.version(d.ID, d.Version); old != nil {
				errs = append(errs, fmt.Errorf("%s: form %q version %d is also defined in %s", d.File, d.ID, d.Version, old.File))
				continue
			}
			c.add(d)
		}
	}
	if overrideDir != "" {
		info, err := os.Stat(overrideDir)
		switch {
		case err != nil:
			return nil, fmt.Errorf("forms folder %s: %w", overrideDir, err)
		case !info.IsDir():
			return nil, fmt.Errorf("forms folder %s: not a folder", overrideDir)
		}
		defs, err := readDir(os.DirFS(overrideDir), filepath.ToSlash(overrideDir))
		errs = append(errs, err)
		seen := map[string]*Definition{}
		for _, d := range defs {
			d.File = filepath.FromSlash(d.File)
			key := fmt.Sprintf("%s@%d", d.ID, d.Version)
			if old := seen[key]; old != nil {
				errs = append(errs, fmt.Errorf("%s: form %q version %d is also defined in %s", d.File, d.ID, d.Version, old.File))
				continue
			}
			seen[key] = d
			c.add(d)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// NewCatalogue makes a catalogue of definitions already parsed (see
// Parse), for tools and tests.
func NewCatalogue(defs ...*Definition) (*Catalogue, error) {
	c := &Catalogue{versions: map[string]map[int]*Definition{}}
	for _, d := range defs {
		if c.version(d.ID, d.Version) != nil {
			return nil, fmt.Errorf("form %q version %d is given twice", d.ID, d.Version)
		}
		c.add(d)
	}
	return c, nil
}

// readDir parses the definition files at the root of fsys. prefix names
// the folder in error messages.
func readDir(fsys fs.FS, prefix string) ([]*Definition, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", prefix, err)
	}
	var defs []*Definition
	var errs []error
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(path.Ext(name))
		if e.IsDir() || strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := path.Join(prefix, name)
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			continue
		}
		d, err := Parse(file, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		defs = append(defs, d)
	}
	return defs, errors.Join(errs...)
}

func (c *Catalogue) add(d *Definition) {
	if c.versions[d.ID] == nil {
		c.versions[d.ID] = map[int]*Definition{}
	}
	c.versions[d.ID][d.Version] = d
}

func (c *Catalogue) version(id string, v int) *Definition {
	return c.versions[id][v]
}

// List returns the latest version of each form, sorted by title.
func (c *Catalogue) List() []*Definition {
	out := make([]*Definition, 0, len(c.versions))
	for id := range c.versions {
		d, _ := c.Get(id)
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Title != out[j].Title {
			return out[i].Title < out[j].Title
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Get returns the latest version of a form.
func (c *Catalogue) Get(id string) (*Definition, bool) {
	var latest *Definition
	for _, d := range c.versions[id] {
		if latest == nil || d.Version > latest.Version {
			latest = d
		}
	}
	return latest, latest != nil
}

// GetVersion returns one version of a form, as a record made with it needs.
func (c *Catalogue) GetVersion(id string, version int) (*Definition, bool) {
	d := c.versions[id][version]
	return d, d != nil
}

// Versions lists the loaded versions of a form, oldest first.
func (c *Catalogue) Versions(id string) []int {
	var vs []int
	for v := range c.versions[id] {
		vs = append(vs, v)
	}
	sort.Ints(vs)
	return vs
}
