package miniotest_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/supervisionfile/supfile/internal/miniotest"
)

func TestServer(t *testing.T) {
	srv := miniotest.Start(t)
	client := srv.Client(t)
	ctx := t.Context()

	plain, locked := srv.NewBucket(t, false), srv.NewBucket(t, true)
	if plain == locked {
		t.Fatalf("NewBucket gave the same name twice: %s", plain)
	}
	enabled, _, _, _, err := client.GetObjectLockConfig(ctx, locked)
	if err != nil || enabled != "Enabled" {
		t.Errorf("Object Lock of %s = %q, %v; want Enabled", locked, enabled, err)
	}
	if _, _, _, _, err := client.GetObjectLockConfig(ctx, plain); err == nil {
		t.Errorf("bucket %s has Object Lock, want none", plain)
	}

	data := []byte("kept across a restart")
	if _, err := client.PutObject(ctx, plain, "a/b", bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	down, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := client.BucketExists(down, plain); err == nil {
		t.Error("the server still answers after Stop")
	}
	srv.Restart(t)
	obj, err := client.GetObject(ctx, plain, "a/b", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("after Restart, object = %q, %v; want %q", got, err, data)
	}
}

func TestBinaryFromEnvironment(t *testing.T) {
	t.Setenv("SUPFILE_MINIO", t.TempDir()+"/no-such-minio")
	if bin, err := miniotest.Binary(); err == nil {
		t.Errorf("Binary() = %q with SUPFILE_MINIO naming a missing file, want an error", bin)
	}
}
