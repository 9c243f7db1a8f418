package supervision

import "context"

// WriteDocuments exposes the document half of finalising to the benchmarks.
func (s *Records) WriteDocuments(ctx context.Context, v *RecordView, actor *Staff) ([]*Document, error) {
	return s.writeDocuments(ctx, v, Event{RecordID: v.Record.ID, At: s.now(), ActorID: actor.ID, Action: "finalised"})
}
