package storage

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/supervisionfile/supfile/supervision"
)

var (
	_ supervision.BlobDeleter   = (*LocalBlobs)(nil)
	_ supervision.BlobDeleter   = (*S3Blobs)(nil)
	_ supervision.BlobRetention = (*S3Blobs)(nil)
)

// Delete removes an object; a missing one is not an error. Folders left
// empty on the way to it are removed too.
func (b *LocalBlobs) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(name); err != nil && !missing(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	for dir := filepath.Dir(name); dir != b.dir && len(dir) > len(b.dir); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty, or gone
		}
	}
	return nil
}

// Delete removes an object with every version of it, so that nothing of it
// is left behind a delete marker. A version under Object Lock is refused
// with a *supervision.LockedError saying until when; a missing object is
// not an error.
func (b *S3Blobs) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if !b.locked {
		if err := b.client.RemoveObject(ctx, b.cfg.Bucket, key, minio.RemoveObjectOptions{}); err != nil && !s3NotFound(err) {
			return fmt.Errorf("delete %s: %w", key, b.s3Error(err))
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var versions []string
	for obj := range b.client.ListObjects(ctx, b.cfg.Bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("delete %s: %w", key, b.s3Error(obj.Err))
		}
		if obj.Key == key {
			versions = append(versions, obj.VersionID)
		}
	}
	for _, v := range versions {
		_, until, err := b.client.GetObjectRetention(ctx, b.cfg.Bucket, key, v)
		if err == nil && until != nil && until.After(time.Now()) {
			return &supervision.LockedError{Key: key, Until: *until}
		}
		err = b.client.RemoveObject(ctx, b.cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: v})
		if err != nil && !s3NotFound(err) {
			if resp := minio.ToErrorResponse(err); resp.StatusCode == http.StatusForbidden || resp.Code == "AccessDenied" {
				if _, until, rerr := b.client.GetObjectRetention(ctx, b.cfg.Bucket, key, v); rerr == nil && until != nil {
					return &supervision.LockedError{Key: key, Until: *until}
				}
			}
			return fmt.Errorf("delete %s: %w", key, b.s3Error(err))
		}
	}
	return nil
}
