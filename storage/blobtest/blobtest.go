// Package blobtest is the contract every supervision.Blobs implementation
// must meet, as a test suite: run RunBlobTests against each backend (the
// local folder, an S3-compatible server) so they behave the same.
package blobtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/supervisionfile/supfile/supervision"
)

// RunBlobTests checks b against the Blobs contract. Every key it writes is
// under a fresh random prefix, so it can run against a shared bucket and
// more than once.
func RunBlobTests(t *testing.T, b supervision.Blobs) {
	prefix := "blobtest/" + random() + "/"
	ctx := t.Context()

	t.Run("PutGetExists", func(t *testing.T) {
		key := prefix + "files/staff-1/records/rec-1/v1/supervision-agreement.pdf"
		want := []byte("%PDF-1.7 not really\n")
		mustExist(t, b, key, false)
		if err := b.Put(ctx, key, want, "application/pdf"); err != nil {
			t.Fatalf("Put: %v", err)
		}
		mustExist(t, b, key, true)
		if got := MustGet(t, b, key); !bytes.Equal(got, want) {
			t.Errorf("Get = %q, want %q", got, want)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		key := prefix + "empty.json"
		if err := b.Put(ctx, key, nil, "application/json"); err != nil {
			t.Fatalf("Put of no bytes: %v", err)
		}
		mustExist(t, b, key, true)
		if got := MustGet(t, b, key); len(got) != 0 {
			t.Errorf("Get = %q, want nothing", got)
		}
	})

	t.Run("WriteOnce", func(t *testing.T) {
		key := prefix + "once/record.json"
		first := []byte(`{"v":1}`)
		if err := b.Put(ctx, key, first, "application/json"); err != nil {
			t.Fatalf("first Put: %v", err)
		}
		err := b.Put(ctx, key, []byte(`{"v":2}`), "application/json")
		if !errors.Is(err, supervision.ErrConflict) {
			t.Fatalf("second Put = %v, want ErrConflict", err)
		}
		if got := MustGet(t, b, key); !bytes.Equal(got, first) {
			t.Errorf("after a refused Put, Get = %q, want the first %q", got, first)
		}
	})

	t.Run("ConcurrentPutsOneWins", func(t *testing.T) {
		key := prefix + "race/record.json"
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = b.Put(ctx, key, bytes.Repeat([]byte{byte('a' + i)}, 64<<10), "text/plain")
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("Puts %d and %d both succeeded", winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, supervision.ErrConflict):
				t.Errorf("Put %d = %v, want nil or ErrConflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no Put succeeded")
		}
		if got, want := MustGet(t, b, key), bytes.Repeat([]byte{byte('a' + winner)}, 64<<10); !bytes.Equal(got, want) {
			t.Errorf("Get returned %d bytes that are not the winning Put's", len(got))
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		key := prefix + "missing/record.json"
		rc, err := b.Get(ctx, key)
		if !errors.Is(err, supervision.ErrNotFound) {
			if rc != nil {
				rc.Close()
			}
			t.Fatalf("Get of a missing key = %v, want ErrNotFound", err)
		}
		mustExist(t, b, key, false)
		// A key whose "folder" is an object, and a "folder" itself.
		if err := b.Put(ctx, prefix+"leaf", []byte("x"), "text/plain"); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{prefix + "leaf/below", prefix + "missing"} {
			if _, err := b.Get(ctx, k); !errors.Is(err, supervision.ErrNotFound) {
				t.Errorf("Get(%q) = %v, want ErrNotFound", k, err)
			}
		}
		if err := b.Put(ctx, prefix+"dir/child", []byte("x"), "text/plain"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Get(ctx, prefix+"dir"); !errors.Is(err, supervision.ErrNotFound) {
			t.Errorf("Get of a prefix = %v, want ErrNotFound", err)
		}
		mustExist(t, b, prefix+"dir", false)
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		for _, key := range []string{
			"",
			"/files/a/record.json",
			"files/../../etc/passwd",
			"..",
			"files/a/..",
			"./files/a",
			"files//a",
			"files/a/",
			`files\a\record.json`,
			"files/a\x00b",
			"files/.tmp-123",
		} {
			if err := b.Put(ctx, key, []byte("x"), "text/plain"); !errors.Is(err, supervision.ErrInvalid) {
				t.Errorf("Put(%q) = %v, want ErrInvalid", key, err)
			}
			if rc, err := b.Get(ctx, key); !errors.Is(err, supervision.ErrInvalid) {
				if rc != nil {
					rc.Close()
				}
				t.Errorf("Get(%q) = %v, want ErrInvalid", key, err)
			}
			if _, err := b.Exists(ctx, key); !errors.Is(err, supervision.ErrInvalid) {
				t.Errorf("Exists(%q) = %v, want ErrInvalid", key, err)
			}
		}
	})
}

// MustGet reads a whole object, failing the test if it cannot.
func MustGet(t *testing.T, b supervision.Blobs, key string) []byte {
	t.Helper()
	rc, err := b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data
}

func mustExist(t *testing.T, b supervision.Blobs, key string, want bool) {
	t.Helper()
	got, err := b.Exists(t.Context(), key)
	if err != nil {
		t.Fatalf("Exists(%q): %v", key, err)
	}
	if got != want {
		t.Errorf("Exists(%q) = %v, want %v", key, got, want)
	}
}

func random() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RunListTests checks the listing that reindex and export rely on: every
// key under a prefix, in lexical order, and nothing outside it.
func RunListTests(t *testing.T, b interface {
	supervision.Blobs
	supervision.BlobLister
}) {
	prefix := "listtest/" + random() + "/"
	ctx := t.Context()
	keys := []string{
		prefix + "files/a/records/r1/v1/record.json",
		prefix + "files/a/records/r1/v1/supervision-agreement.pdf",
		prefix + "files/a/records/r2/v1/record.json",
		prefix + "files/a-b/records/r3/v1/record.json",
		prefix + "files/b/records/r4/v1/record.json",
	}
	for _, k := range keys {
		if err := b.Put(ctx, k, []byte(k), "application/octet-stream"); err != nil {
			t.Fatalf("Put %s: %v", k, err)
		}
	}
	got, err := b.List(ctx, prefix+"files/")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := append([]string{}, keys...)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("List(files/) =\n%q\nwant\n%q", got, want)
	}
	got, err = b.List(ctx, prefix+"files/a/")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if !slices.Equal(got, keys[:3]) {
		t.Errorf("List(files/a/) = %q, want %q", got, keys[:3])
	}
	got, err = b.List(ctx, prefix+"nothing/")
	if err != nil || len(got) != 0 {
		t.Errorf("List of an empty prefix = %q, %v; want nothing", got, err)
	}
}
