package storage_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/supervisionfile/supfile/internal/miniotest"
	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

func TestLocalBlobsDelete(t *testing.T) {
	dir := t.TempDir()
	b, err := storage.NewLocalBlobs(filepath.Join(dir, "documents"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	k1, k2 := "files/staff-1/records/rec-1/v1/a.pdf", "files/staff-1/records/rec-2/v1/b.pdf"
	for _, k := range []string{k1, k2} {
		if err := b.Put(ctx, k, []byte("x"), "application/pdf"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete(ctx, k1); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if ok, _ := b.Exists(ctx, k1); ok {
		t.Error("deleted object still exists")
	}
	if ok, _ := b.Exists(ctx, k2); !ok {
		t.Error("Delete removed another object")
	}
	if _, err := os.Stat(filepath.Join(dir, "documents", "files", "staff-1", "records", "rec-1")); !os.IsNotExist(err) {
		t.Errorf("the emptied folder is left: %v", err)
	}
	if err := b.Delete(ctx, k1); err != nil {
		t.Errorf("Delete of a missing object: %v", err)
	}
	if err := b.Delete(ctx, "../outside"); !errors.Is(err, supervision.ErrInvalid) {
		t.Errorf("Delete of a bad key = %v, want ErrInvalid", err)
	}
	if err := b.Delete(ctx, k2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "documents")); err != nil {
		t.Errorf("Delete removed the store's own folder: %v", err)
	}
}

// On MinIO: a plain bucket deletes; an Object Lock bucket refuses while the
// lock holds, saying until when, and afterwards deletes every version.
func TestS3Delete(t *testing.T) {
	srv := miniotest.Start(t)
	ctx := t.Context()
	key := "files/staff-1/records/rec-1/v1/supervision-agreement.pdf"

	t.Run("PlainBucket", func(t *testing.T) {
		b := openS3(t, s3Config(srv, srv.NewBucket(t, false)))
		if err := b.Put(ctx, key, []byte("pdf"), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		if err := b.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if ok, err := b.Exists(ctx, key); ok || err != nil {
			t.Errorf("after Delete: exists %v, %v", ok, err)
		}
		if err := b.Delete(ctx, key); err != nil {
			t.Errorf("Delete of a missing object: %v", err)
		}
	})

	t.Run("ObjectLock", func(t *testing.T) {
		bucket := srv.NewBucket(t, true)
		cfg := s3Config(srv, bucket)
		cfg.Retention = 3 * time.Second
		b := openS3(t, cfg)
		if err := b.Put(ctx, key, []byte("pdf"), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		_, until, err := b.Retention(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		err = b.Delete(ctx, key)
		var le *supervision.LockedError
		if !errors.As(err, &le) || le.Key != key || !le.Until.Equal(until) {
			t.Fatalf("Delete under Object Lock = %v, want a LockedError until %v", err, until)
		}
		if ok, _ := b.Exists(ctx, key); !ok {
			t.Fatal("a refused Delete removed the object (or hid it behind a delete marker)")
		}
		time.Sleep(time.Until(until) + 1500*time.Millisecond)
		if err := b.Delete(ctx, key); err != nil {
			t.Fatalf("Delete after the lock ended: %v", err)
		}
		n := 0
		for obj := range srv.Client(t).ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
			if obj.Err != nil {
				t.Fatal(obj.Err)
			}
			n++
		}
		if n != 0 {
			t.Errorf("%d versions or delete markers left", n)
		}
		if err := b.Delete(ctx, key); err != nil {
			t.Errorf("Delete of a missing object: %v", err)
		}
	})
}
