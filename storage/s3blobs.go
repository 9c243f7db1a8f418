package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/supervisionfile/supfile/supervision"
)

// DefaultRetention is how long Object Lock keeps a document when
// S3Config.Retention is not set: six years, with two days for leap years.
const DefaultRetention = (6*365 + 2) * 24 * time.Hour

// S3Config says which S3-compatible bucket holds the documents.
type S3Config struct {
	Endpoint  string // host or host:port, without a scheme
	Bucket    string
	Region    string // may be empty for MinIO
	AccessKey string
	SecretKey string
	UseTLS    bool
	PathStyle bool // bucket in the path (MinIO, most on-premises servers), not in the host name

	// Retention is how long each object is locked for when the bucket has
	// Object Lock; 0 means DefaultRetention.
	Retention time.Duration
	// Now is the clock retention dates are counted from; nil means time.Now.
	Now func() time.Time
}

// S3Blobs keeps objects in an S3-compatible bucket, with the same keys as
// LocalBlobs. Objects are written once: the server refuses a Put of an
// existing key, so two instances of the service cannot overwrite each
// other. When the bucket has Object Lock, every object is also locked in
// compliance mode, so nobody (not even the bucket's owner) can delete or
// replace it before its retention date.
type S3Blobs struct {
	client *minio.Client
	cfg    S3Config
	locked bool // the bucket has Object Lock enabled
}

var (
	_ supervision.Blobs      = (*S3Blobs)(nil)
	_ supervision.BlobLister = (*S3Blobs)(nil)
)

// OpenS3 connects to the bucket and checks that it exists and that the
// keys work, so a wrong setting stops the service at start-up with one
// clear line.
func OpenS3(ctx context.Context, cfg S3Config) (*S3Blobs, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("S3 storage needs an endpoint and a bucket")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return nil, fmt.Errorf("S3 endpoint %q must be host:port without a scheme (set UseTLS for https)", cfg.Endpoint)
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       cfg.UseTLS,
		Region:       cfg.Region,
		BucketLookup: lookup,
		// A few quick retries ride out a dropped connection; more would
		// only keep a request (and /readyz) waiting when the server is down.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 endpoint %q: %w", cfg.Endpoint, err)
	}
	b := &S3Blobs{client: client, cfg: cfg}
	if err := b.Check(ctx); err != nil {
		return nil, err
	}
	enabled, _, _, _, err := client.GetObjectLockConfig(ctx, cfg.Bucket)
	switch {
	case err == nil:
		b.locked = enabled == "Enabled"
	case minio.ToErrorResponse(err).Code == "ObjectLockConfigurationNotFoundError":
		// A bucket made without Object Lock.
	default:
		return nil, fmt.Errorf("S3 bucket %q Object Lock setting: %w", cfg.Bucket, b.s3Error(err))
	}
	return b, nil
}

// ObjectLock reports whether the bucket has Object Lock, so that every Put
// locks its object.
func (b *S3Blobs) ObjectLock() bool { return b.locked }

// Check reports whether the bucket exists and the keys work. It is the
// readiness check; an unreachable server is ErrUnavailable.
func (b *S3Blobs) Check(ctx context.Context) error {
	ok, err := b.client.BucketExists(ctx, b.cfg.Bucket)
	if err != nil {
		return b.s3Error(err)
	}
	if !ok {
		return b.noBucket()
	}
	return nil
}

func (b *S3Blobs) noBucket() error {
	return fmt.Errorf("S3 bucket %q does not exist at %s", b.cfg.Bucket, b.cfg.Endpoint)
}

// s3Error turns an error from the client into one the service understands:
// ErrUnavailable when the server cannot be reached or is failing (trying
// again later may work), one clear line when the settings are wrong.
func (b *S3Blobs) s3Error(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if minio.IsNetworkOrHostDown(err, false) {
		return fmt.Errorf("%w: S3 endpoint %s is unreachable: %w", supervision.ErrUnavailable, b.cfg.Endpoint, err)
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "InvalidAccessKeyId" || resp.Code == "SignatureDoesNotMatch":
		return fmt.Errorf("S3 access key or secret key is wrong (%s)", resp.Code)
	case resp.Code == "NoSuchBucket":
		return b.noBucket()
	case resp.Code == "AccessDenied":
		return fmt.Errorf("S3 keys may not use bucket %q at %s (AccessDenied)", b.cfg.Bucket, b.cfg.Endpoint)
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: S3 endpoint %s is failing: %s (%s)", supervision.ErrUnavailable, b.cfg.Endpoint, resp.Message, resp.Code)
	}
	return err
}

// Put writes a new object. The request carries If-None-Match: *, so the
// server itself refuses an existing key, and a Content-MD5 so it refuses a
// body damaged on the way (Object Lock requires one too). If a PUT lands
// but its answer is lost, the client's retry is refused as ErrConflict: the
// caller must not take a conflict to mean its bytes were not stored.
func (b *S3Blobs) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	opts := minio.PutObjectOptions{
		ContentType:      contentType,
		SendContentMd5:   true,
		DisableMultipart: true, // documents are small; one PUT is one condition check
	}
	opts.SetMatchETagExcept("*") // sends If-None-Match: *
	if b.locked {
		opts.Mode = minio.Compliance
		opts.RetainUntilDate = b.cfg.Now().Add(b.cfg.Retention)
	}
	_, err := b.client.PutObject(ctx, b.cfg.Bucket, key, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		if minio.ToErrorResponse(err).StatusCode == http.StatusPreconditionFailed {
			return fmt.Errorf("put %s: %w", key, supervision.Errorf(supervision.ErrConflict, "This document has already been written"))
		}
		return fmt.Errorf("put %s: %w", key, b.s3Error(err))
	}
	return nil
}

// Get opens an object for reading; a missing one is ErrNotFound.
func (b *S3Blobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	obj, err := b.client.GetObject(ctx, b.cfg.Bucket, key, minio.GetObjectOptions{})
	if err == nil {
		// GetObject is lazy: Stat sends the request, so a missing object
		// is found here rather than on the first Read.
		_, err = obj.Stat()
		if err != nil {
			obj.Close()
		}
	}
	if err != nil {
		if s3NotFound(err) {
			return nil, fmt.Errorf("get %s: %w", key, supervision.Errorf(supervision.ErrNotFound, "No such document"))
		}
		return nil, fmt.Errorf("get %s: %w", key, b.s3Error(err))
	}
	return &s3Reader{obj: obj, b: b, key: key}, nil
}

// s3Reader reports a connection lost while reading as ErrUnavailable too.
type s3Reader struct {
	obj *minio.Object
	b   *S3Blobs
	key string
}

func (r *s3Reader) Read(p []byte) (int, error) {
	n, err := r.obj.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("get %s: %w", r.key, r.b.s3Error(err))
	}
	return n, err
}

func (r *s3Reader) Close() error { return r.obj.Close() }

// s3NotFound reports whether the server said there is no such object: 404
// (but not for a missing bucket, which is a setting gone wrong), or 405 when
// the latest version is a delete marker.
func s3NotFound(err error) bool {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchBucket" {
		return false
	}
	return resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed
}

// Exists reports whether an object exists.
func (b *S3Blobs) Exists(ctx context.Context, key string) (bool, error) {
	if err := CheckKey(key); err != nil {
		return false, err
	}
	_, err := b.client.StatObject(ctx, b.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		if s3NotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("exists %s: %w", key, b.s3Error(err))
	}
	return true, nil
}

// List returns the keys of every object that starts with prefix, in lexical
// order.
func (b *S3Blobs) List(ctx context.Context, prefix string) ([]string, error) {
	// Cancelling stops the listing goroutine if we return early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var keys []string
	for obj := range b.client.ListObjects(ctx, b.cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, b.s3Error(obj.Err))
		}
		keys = append(keys, obj.Key)
	}
	// S3 lists in byte order already; sorting costs little and makes the
	// promise hold for servers that do not.
	slices.Sort(keys)
	return keys, nil
}

// PresignedGet returns a URL that downloads the object without keys for
// ttl (1 second to 7 days), as an attachment named filename.
func (b *S3Blobs) PresignedGet(ctx context.Context, key string, ttl time.Duration, filename string) (*url.URL, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	disposition := "attachment"
	if filename != "" {
		// FormatMediaType quotes the name, or encodes it (RFC 2231) when
		// it is not plain ASCII.
		disposition = mime.FormatMediaType("attachment", map[string]string{"filename": filename})
	}
	params := url.Values{"response-content-disposition": {disposition}}
	u, err := b.client.PresignedGetObject(ctx, b.cfg.Bucket, key, ttl, params)
	if err != nil {
		return nil, fmt.Errorf("presign %s: %w", key, b.s3Error(err))
	}
	return u, nil
}

// Retention reports an object's Object Lock mode ("COMPLIANCE" or
// "GOVERNANCE") and the date it is kept until; an object with no retention
// has mode "".
func (b *S3Blobs) Retention(ctx context.Context, key string) (mode string, until time.Time, err error) {
	if err := CheckKey(key); err != nil {
		return "", time.Time{}, err
	}
	m, u, err := b.client.GetObjectRetention(ctx, b.cfg.Bucket, key, "")
	if err != nil {
		code := minio.ToErrorResponse(err).Code
		switch {
		case s3NotFound(err):
			return "", time.Time{}, fmt.Errorf("retention %s: %w", key, supervision.Errorf(supervision.ErrNotFound, "No such document"))
		case code == "NoSuchObjectLockConfiguration" || (code == "InvalidRequest" && !b.locked):
			// The object has no retention, or the bucket has no Object
			// Lock at all (which the server says before looking for the
			// object).
			ok, err := b.Exists(ctx, key)
			if err == nil && !ok {
				err = supervision.Errorf(supervision.ErrNotFound, "No such document")
			}
			if err != nil {
				return "", time.Time{}, fmt.Errorf("retention %s: %w", key, err)
			}
			return "", time.Time{}, nil
		}
		return "", time.Time{}, fmt.Errorf("retention %s: %w", key, b.s3Error(err))
	}
	if m != nil {
		mode = string(*m)
	}
	if u != nil {
		until = *u
	}
	return mode, until, nil
}
