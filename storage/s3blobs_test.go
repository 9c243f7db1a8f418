package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/supervisionfile/supfile/internal/miniotest"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/storage/blobtest"
	"github.com/supervisionfile/supfile/supervision"
)

func s3Config(srv *miniotest.Server, bucket string) storage.S3Config {
	return storage.S3Config{
		Endpoint:  srv.Endpoint,
		Bucket:    bucket,
		AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey,
		PathStyle: true,
	}
}

func openS3(t testing.TB, cfg storage.S3Config) *storage.S3Blobs {
	t.Helper()
	b, err := storage.OpenS3(t.Context(), cfg)
	if err != nil {
		t.Fatalf("OpenS3: %v", err)
	}
	return b
}

func TestS3Blobs(t *testing.T) {
	srv := miniotest.Start(t)
	for _, objectLock := range []bool{true, false} {
		t.Run(fmt.Sprintf("ObjectLock=%v", objectLock), func(t *testing.T) {
			b := openS3(t, s3Config(srv, srv.NewBucket(t, objectLock)))
			if b.ObjectLock() != objectLock {
				t.Fatalf("ObjectLock() = %v, want %v", b.ObjectLock(), objectLock)
			}
			blobtest.RunBlobTests(t, b)
			t.Run("List", func(t *testing.T) { blobtest.RunListTests(t, b) })
		})
	}
}

func TestS3WriteOnce(t *testing.T) {
	srv := miniotest.Start(t)
	for _, objectLock := range []bool{true, false} {
		t.Run(fmt.Sprintf("ObjectLock=%v", objectLock), func(t *testing.T) {
			b := openS3(t, s3Config(srv, srv.NewBucket(t, objectLock)))
			ctx := t.Context()
			key := "files/staff-1/records/rec-1/v1/record.json"
			first := []byte(`{"version":1}`)
			if err := b.Put(ctx, key, first, "application/json"); err != nil {
				t.Fatalf("first Put: %v", err)
			}
			for _, again := range [][]byte{[]byte(`{"version":2}`), first, nil} {
				err := b.Put(ctx, key, again, "application/json")
				if !errors.Is(err, supervision.ErrConflict) {
					t.Errorf("Put(%q) over an existing key = %v, want ErrConflict", again, err)
				}
			}
			if got := blobtest.MustGet(t, b, key); !bytes.Equal(got, first) {
				t.Errorf("after refused Puts, Get = %q, want the first %q", got, first)
			}
		})
	}
}

func TestS3ObjectLock(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t, true)
	ctx := t.Context()
	key := "files/staff-1/records/rec-1/v1/supervision-agreement.pdf"

	t.Run("DefaultRetention", func(t *testing.T) {
		b := openS3(t, s3Config(srv, bucket))
		before := time.Now()
		if err := b.Put(ctx, key, []byte("%PDF-1.7"), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		mode, until, err := b.Retention(ctx, key)
		if err != nil {
			t.Fatalf("Retention: %v", err)
		}
		if mode != "COMPLIANCE" {
			t.Errorf("mode = %q, want COMPLIANCE", mode)
		}
		// The server keeps whole seconds.
		lo := before.Add(storage.DefaultRetention).Truncate(time.Second)
		hi := after.Add(storage.DefaultRetention).Add(time.Second)
		if until.Before(lo) || until.After(hi) {
			t.Errorf("retained until %v, want between %v and %v", until, lo, hi)
		}

		// Not even the root user can delete the locked version.
		client := srv.Client(t)
		info, err := client.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if info.VersionID == "" {
			t.Fatal("an Object Lock bucket should give each object a version ID")
		}
		err = client.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true})
		if err == nil {
			t.Fatal("deleting a version under compliance retention succeeded")
		}
		if got := blobtest.MustGet(t, b, key); string(got) != "%PDF-1.7" {
			t.Errorf("after a refused delete, Get = %q", got)
		}
	})

	t.Run("Clock", func(t *testing.T) {
		now := time.Now().Add(time.Hour).Truncate(time.Second)
		cfg := s3Config(srv, bucket)
		cfg.Retention = 48 * time.Hour
		cfg.Now = func() time.Time { return now }
		b := openS3(t, cfg)
		key := key + ".clock"
		if err := b.Put(ctx, key, []byte("x"), "text/plain"); err != nil {
			t.Fatal(err)
		}
		mode, until, err := b.Retention(ctx, key)
		if err != nil {
			t.Fatalf("Retention: %v", err)
		}
		if want := now.Add(48 * time.Hour); mode != "COMPLIANCE" || !until.Equal(want) {
			t.Errorf("Retention = %q, %v; want COMPLIANCE, %v", mode, until, want)
		}
	})

	t.Run("PlainBucket", func(t *testing.T) {
		b := openS3(t, s3Config(srv, srv.NewBucket(t, false)))
		if err := b.Put(ctx, key, []byte("x"), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		mode, until, err := b.Retention(ctx, key)
		if err != nil || mode != "" || !until.IsZero() {
			t.Errorf("Retention in a bucket without Object Lock = %q, %v, %v; want none", mode, until, err)
		}
		if _, _, err := b.Retention(ctx, "files/missing"); !errors.Is(err, supervision.ErrNotFound) {
			t.Errorf("Retention of a missing key = %v, want ErrNotFound", err)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		b := openS3(t, s3Config(srv, bucket))
		if _, _, err := b.Retention(ctx, "files/missing"); !errors.Is(err, supervision.ErrNotFound) {
			t.Errorf("Retention of a missing key = %v, want ErrNotFound", err)
		}
	})
}

func TestS3OpenErrors(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t, false)
	tests := []struct {
		name string
		edit func(*storage.S3Config)
		want string
	}{
		{"MissingBucket", func(c *storage.S3Config) { c.Bucket = "no-such-bucket" },
			fmt.Sprintf(`S3 bucket "no-such-bucket" does not exist at %s`, srv.Endpoint)},
		{"WrongSecretKey", func(c *storage.S3Config) { c.SecretKey += "x" },
			"S3 access key or secret key is wrong (SignatureDoesNotMatch)"},
		{"WrongAccessKey", func(c *storage.S3Config) { c.AccessKey = "nobody" },
			"S3 access key or secret key is wrong (InvalidAccessKeyId)"},
		{"Scheme", func(c *storage.S3Config) { c.Endpoint = "http://" + c.Endpoint },
			"must be host:port without a scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := s3Config(srv, bucket)
			tt.edit(&cfg)
			b, err := storage.OpenS3(t.Context(), cfg)
			if err == nil {
				t.Fatalf("OpenS3 succeeded, want %q", tt.want)
			}
			t.Logf("OpenS3: %v", err)
			if b != nil {
				t.Error("OpenS3 returned a store with its error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenS3 error = %q, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("OpenS3 error is more than one line: %q", err)
			}
			if errors.Is(err, supervision.ErrUnavailable) {
				t.Errorf("a wrong setting is not ErrUnavailable: %v", err)
			}
		})
	}

	t.Run("Unreachable", func(t *testing.T) {
		cfg := s3Config(srv, bucket)
		cfg.Endpoint = freeAddr(t)
		_, err := storage.OpenS3(t.Context(), cfg)
		if !errors.Is(err, supervision.ErrUnavailable) {
			t.Fatalf("OpenS3 of a closed port = %v, want ErrUnavailable", err)
		}
		t.Logf("OpenS3: %v", err)
		if want := "S3 endpoint " + cfg.Endpoint + " is unreachable"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	})
}

// freeAddr is a 127.0.0.1 address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestS3Unavailable(t *testing.T) {
	srv := miniotest.Start(t)
	b := openS3(t, s3Config(srv, srv.NewBucket(t, true)))
	ctx := t.Context()
	if err := b.Put(ctx, "files/a/record.json", []byte("a"), "application/json"); err != nil {
		t.Fatal(err)
	}

	srv.Stop()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, supervision.ErrUnavailable) {
			t.Errorf("%s with the server stopped = %v, want ErrUnavailable", op, err)
		}
	}
	check("Check", b.Check(ctx))
	check("Put", b.Put(ctx, "files/b/record.json", []byte("b"), "application/json"))
	rc, err := b.Get(ctx, "files/a/record.json")
	if err == nil {
		rc.Close()
	}
	check("Get", err)
	_, err = b.Exists(ctx, "files/a/record.json")
	check("Exists", err)
	_, err = b.List(ctx, "files/")
	check("List", err)

	srv.Restart(t)
	if err := b.Check(ctx); err != nil {
		t.Fatalf("Check after restart: %v", err)
	}
	if got := blobtest.MustGet(t, b, "files/a/record.json"); string(got) != "a" {
		t.Errorf("Get after restart = %q", got)
	}
	if err := b.Put(ctx, "files/b/record.json", []byte("b"), "application/json"); err != nil {
		t.Errorf("Put after restart: %v", err)
	}
}

func TestS3PresignedGet(t *testing.T) {
	srv := miniotest.Start(t)
	b := openS3(t, s3Config(srv, srv.NewBucket(t, true)))
	ctx := t.Context()
	key := "files/staff-1/records/rec-1/v1/supervision-agreement.pdf"
	want := []byte("%PDF-1.7 the agreement\n")
	if err := b.Put(ctx, key, want, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	const filename = "Supervision agreement – Zoë O'Neil.pdf"
	u, err := b.PresignedGet(ctx, key, time.Minute, filename)
	if err != nil {
		t.Fatalf("PresignedGet: %v", err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET presigned URL: %s\n%s", resp.Status, got)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("downloaded %q, want %q", got, want)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type = %q, want application/pdf", ct)
	}
	disposition, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || disposition != "attachment" || params["filename"] != filename {
		t.Errorf("Content-Disposition = %q (%v); want an attachment named %q",
			resp.Header.Get("Content-Disposition"), err, filename)
	}

	// Without keys, the same object is refused.
	plain := *u
	plain.RawQuery = ""
	resp2, err := http.Get(plain.String())
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusForbidden {
		t.Errorf("GET without a signature: %s, want 403", resp2.Status)
	}
}

func BenchmarkS3Put(b *testing.B) {
	srv := miniotest.Start(b)
	store := openS3(b, s3Config(srv, srv.NewBucket(b, true)))
	data := bytes.Repeat([]byte("supervision record "), 60<<10/19)
	b.SetBytes(int64(len(data)))
	i := 0
	for b.Loop() {
		i++
		if err := store.Put(b.Context(), fmt.Sprintf("bench/%d/supervision-agreement.pdf", i), data, "application/pdf"); err != nil {
			b.Fatal(err)
		}
	}
}
