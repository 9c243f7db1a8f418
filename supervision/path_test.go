package supervision_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/supervision"
)

// shown is what a page or the API shows of a view, to compare a command's
// answer with a fresh read.
type shown struct {
	Status                       supervision.Status
	Revision                     int
	Data                         map[string]any
	Signed, Events, Docs         []string
	Pending                      []string
	CanEdit, CanSubmit, DocsWait bool
	SignAs, Party                string
}

func show(v *supervision.RecordView) shown {
	s := shown{Status: v.Record.Status, Revision: v.Record.Revision, Data: v.Data, CanEdit: v.CanEdit, CanSubmit: v.CanSubmit,
		DocsWait: v.DocumentsPending, SignAs: v.SignAs, Party: v.ActorParty}
	for _, sg := range v.Signatures {
		s.Signed = append(s.Signed, sg.Role+" "+sg.Name)
	}
	for _, e := range v.Events {
		s.Events = append(s.Events, e.ActorID+" "+e.Action+" "+e.Detail)
	}
	for _, d := range v.Documents {
		s.Docs = append(s.Docs, d.Kind+" "+d.SHA256)
	}
	for _, p := range v.Pending {
		s.Pending = append(s.Pending, p.Role)
	}
	return s
}

// Each command answers with the view a fresh read gives, so that no page or
// API handler needs to read the record again.
func TestCommandsReturnTheViewAReadGives(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	same := func(what string, actor *supervision.Staff, got *supervision.RecordView) {
		t.Helper()
		fresh, err := w.svc.Record(ctx, actor, got.Record.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(show(fresh), show(got)); d != "" {
			t.Errorf("%s: the view returned differs from a fresh read (-read +returned):\n%s", what, d)
		}
	}
	r, err := w.svc.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The page's post, saved and sent for signatures in one go: an
	// incomplete draft is saved, refused for signatures, and the view
	// answered is the saved draft.
	v, err := w.svc.SaveDraftPost(ctx, w.supervisor, r.ID, supervision.DraftPost{
		Values: url.Values{"location": {"Room 3"}}, Revision: r.Revision, Submit: true})
	if _, ok := err.(*supervision.ValidationError); !ok || v == nil || v.Data["location"] != "Room 3" {
		t.Fatalf("incomplete draft posted for signatures: %v", err)
	}
	same("save refused for signatures", w.supervisor, v)
	r = v.Record
	data := agreement()
	v, err = w.svc.SaveDraft(ctx, w.supervisor, r.ID, data, r.Revision)
	if err != nil {
		t.Fatal(err)
	}
	same("save", w.supervisor, v)
	if v.Record.Revision != r.Revision+1 {
		t.Errorf("revision after save: %d, want %d", v.Record.Revision, r.Revision+1)
	}
	// A stale save is refused and shows what was entered.
	if v2, err := w.svc.SaveDraft(ctx, w.supervisor, r.ID, map[string]any{"location": "Room 9"}, r.Revision); err == nil || v2 == nil || v2.Data["location"] != "Room 9" {
		t.Errorf("stale save: %v, view %v", err, v2 != nil)
	}
	v, err = w.svc.Submit(ctx, w.supervisor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	same("submit", w.supervisor, v)
	v, err = w.svc.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	same("first signature", w.supervisee, v)
	v, err = w.svc.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Record.Status != supervision.StatusSigned || len(v.Documents) != 3 || len(v.Signatures) != 2 {
		t.Fatalf("last signature answers status %s, %d documents, %d signatures", v.Record.Status, len(v.Documents), len(v.Signatures))
	}
	same("last signature", w.supervisor, v)
}

// The retry's wait doubles from its first step and stays at its cap; it
// never drops back to the first step while something is still pending.
func TestRetryBackoffIsCapped(t *testing.T) {
	var got []time.Duration
	d := time.Duration(0)
	for range 10 {
		d = supervision.NextBackoff(d, time.Second, time.Minute)
		got = append(got, d)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60, 60}
	for i := range want {
		want[i] *= time.Second
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("back-off (-want +got):\n%s", d)
	}
}
