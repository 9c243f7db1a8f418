package supervision

import "context"

// VerifyStore tells verify how large a document the service has made, so
// that verify accepts every one of them.
type VerifyStore interface {
	// LargestDocument is the size in bytes of the largest stored document
	// of the kind ("pdf"), 0 when there is none.
	LargestDocument(ctx context.Context, kind string) (int64, error)
}
