package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/supervisionfile/supfile/supervision"
)

// CheckKey reports whether key is a valid object key: slash-separated,
// relative, with no empty segment, no backslash or NUL, and no segment
// starting with a dot (which covers "." and "..", and keeps the names the
// local store uses for its temporary files out of the key space). Every
// Blobs implementation applies the same rules, so a key that works on one
// works on all.
func CheckKey(key string) error {
	if key == "" {
		return invalid("An object key cannot be empty")
	}
	if strings.ContainsAny(key, "\\\x00") {
		return invalid("Object key %q contains a backslash or NUL", key)
	}
	if strings.HasPrefix(key, "/") {
		return invalid("Object key %q must be relative", key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return invalid("Object key %q has an empty segment", key)
		}
		if strings.HasPrefix(seg, ".") {
			return invalid("Object key %q has a segment starting with a dot", key)
		}
	}
	return nil
}

// LocalBlobs keeps objects as files under a folder, for a single machine.
// Objects are written once: a Put never replaces a file, and a reader never
// sees a partly written one.
type LocalBlobs struct {
	dir string
}

var _ supervision.Blobs = (*LocalBlobs)(nil)

// NewLocalBlobs keeps objects under dir, creating it.
func NewLocalBlobs(dir string) (*LocalBlobs, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create document folder: %w", err)
	}
	return &LocalBlobs{dir: abs}, nil
}

func (b *LocalBlobs) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(b.dir, filepath.FromSlash(key)), nil
}

// Put writes a new object. It is written to a temporary file, synced, then
// hard-linked to its name: linking fails if the name exists (so a second
// Put is ErrConflict, even from another process) and makes the whole file
// appear at once.
func (b *LocalBlobs) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name, err := b.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	if err := writeAndSync(tmp, data); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Link(tmp.Name(), name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("put %s: %w", key, supervision.Errorf(supervision.ErrConflict, "This document has already been written"))
		}
		return fmt.Errorf("put %s: %w", key, err)
	}
	// Sync the folder so that the new name survives a crash too.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

func writeAndSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		// CreateTemp makes files 0o600; documents are readable by the
		// service's group (backups) but nobody else.
		err = f.Chmod(0o640)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// Get opens an object for reading; a missing one is ErrNotFound.
func (b *LocalBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name, err := b.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(name)
	if err != nil {
		if missing(err) {
			return nil, fmt.Errorf("get %s: %w", key, supervision.Errorf(supervision.ErrNotFound, "No such document"))
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	// A folder on the way to other keys is not an object.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", key, err)
		}
		return nil, fmt.Errorf("get %s: %w", key, supervision.Errorf(supervision.ErrNotFound, "No such document"))
	}
	return f, nil
}

// Exists reports whether an object exists.
func (b *LocalBlobs) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	name, err := b.path(key)
	if err != nil {
		return false, err
	}
	fi, err := os.Stat(name)
	if err != nil {
		if missing(err) {
			return false, nil
		}
		return false, fmt.Errorf("exists %s: %w", key, err)
	}
	return fi.Mode().IsRegular(), nil
}

// missing reports whether a path error means there is no such object,
// including when a segment of the key is itself an object (a file where a
// folder would be).
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

var _ supervision.BlobLister = (*LocalBlobs)(nil)

// List returns the keys of every object that starts with prefix, in lexical
// order. Temporary files of writes in progress are not objects.
func (b *LocalBlobs) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(b.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != b.dir && missing(err) {
				return nil // removed while we walked
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		rel, err := filepath.Rel(b.dir, p)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	sort.Strings(keys)
	return keys, nil
}
