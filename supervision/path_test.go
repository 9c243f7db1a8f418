package supervision_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/supervisionfile/supfile/internal/pngtest"
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
	// once: the command read the record's view once, no more.
	// No command reads the audit trail (it grows with every save), but the
	// last signature, whose documents carry it.
	once := func(what string, extraSignatures int) {
		t.Helper()
		want := map[string]int{"GetRecord": 1}
		if what == "last signature" {
			want["Events"] = 1
		}
		// A first version in draft is alone in its series: its versions
		// are not read (every save of a new record); nor are a draft's
		// signatures and documents, of which it has none.
		if what == "first signature" || what == "last signature" {
			want["Series"] = 1
			want["Signatures"], want["Documents"] = 1+extraSignatures, 1
		}
		if d := cmp.Diff(want, w.store.reads()); d != "" {
			t.Errorf("%s read the record more than once (-want +got):\n%s", what, d)
		}
	}
	same := func(what string, actor *supervision.Staff, got *supervision.RecordView) {
		t.Helper()
		w.store.reads()
		defer w.store.reads()
		fresh, err := w.svc.Records.Record(ctx, actor, got.Record.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(show(fresh), show(got)); d != "" {
			t.Errorf("%s: the view returned differs from a fresh read (-read +returned):\n%s", what, d)
		}
	}
	r, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.store.reads()
	// The page's post, saved and sent for signatures in one go: an
	// incomplete draft is saved, refused for signatures, and the view
	// answered is the saved draft.
	v, err := w.svc.Records.SaveDraftPost(ctx, w.supervisor, r.ID, supervision.DraftPost{
		Values: url.Values{"location": {"Room 3"}}, Revision: r.Revision, Submit: true})
	if _, ok := err.(*supervision.ValidationError); !ok || v == nil || v.Data["location"] != "Room 3" {
		t.Fatalf("incomplete draft posted for signatures: %v", err)
	}
	once("save and submit", 0)
	same("save refused for signatures", w.supervisor, v)
	r = v.Record
	data := agreement()
	v, err = w.svc.Records.SaveDraft(ctx, w.supervisor, r.ID, data, r.Revision)
	if err != nil {
		t.Fatal(err)
	}
	once("save", 0)
	same("save", w.supervisor, v)
	// The trail, read for the record's page, has the save last.
	if err := w.svc.Records.History(ctx, v); err != nil {
		t.Fatal(err)
	}
	if n := len(v.Events); n == 0 || v.Events[n-1].Action != "saved draft" || v.Events[n-1].ActorID != w.supervisor.ID {
		t.Errorf("history after a save: %v", show(v).Events)
	}
	w.store.reads()
	if v.Record.Revision != r.Revision+1 {
		t.Errorf("revision after save: %d, want %d", v.Record.Revision, r.Revision+1)
	}
	// A stale save is refused and shows what was entered.
	if v2, err := w.svc.Records.SaveDraft(ctx, w.supervisor, r.ID, map[string]any{"location": "Room 9"}, r.Revision); err == nil || v2 == nil || v2.Data["location"] != "Room 9" {
		t.Errorf("stale save: %v, view %v", err, v2 != nil)
	}
	once("stale save", 0)
	v, err = w.svc.Records.Submit(ctx, w.supervisor, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	once("submit", 0)
	same("submit", w.supervisor, v)
	v, err = w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	once("first signature", 1)
	same("first signature", w.supervisee, v)
	v, err = w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Record.Status != supervision.StatusSigned || len(v.Documents) != 3 || len(v.Signatures) != 2 {
		t.Fatalf("last signature answers status %s, %d documents, %d signatures", v.Record.Status, len(v.Documents), len(v.Signatures))
	}
	once("last signature", 1)
	same("last signature", w.supervisor, v)
}

// A crash in the renderer at the last signature keeps both signatures and
// marks the record "documents failed" with the reason; it is logged at ERROR
// once, not retried before its back-off, retried with a growing wait, and
// completed once the renderer works.
func TestDocumentsFailedOnACrash(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.submitted(t)
	if _, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true}); err != nil {
		t.Fatal(err)
	}
	w.renderer.crash.Store(true)
	v, err := w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true})
	if err != nil {
		t.Fatalf("the last signature must be kept when the renderer crashes: %v", err)
	}
	f := v.DocumentsFailed
	if !v.DocumentsPending || len(v.Signatures) != 2 || f == nil || f.Attempts != 1 ||
		f.Reason != "making the PDF failed (runtime error: index out of range [1] with length 0)" {
		t.Fatalf("after the crash: pending %v, %d signatures, failure %+v", v.DocumentsPending, len(v.Signatures), f)
	}
	if got := f.RetryAt.Sub(f.FailedAt); got != 30*time.Second {
		t.Errorf("first retry after %v, want 30s", got)
	}
	read, err := w.svc.Records.Record(ctx, w.supervisee, r.ID)
	if err != nil || read.DocumentsFailed == nil || read.DocumentsFailed.Reason != f.Reason {
		t.Fatalf("a read does not show the failure: %v %+v", err, read)
	}
	// One finish job is queued, due when the back-off ends.
	if q := w.jobs.list(); len(q) != 1 || q[0].recordID != r.ID || !q[0].at.Equal(f.RetryAt) {
		t.Fatalf("queued after the crash: %+v, want one finish job at %s", q, f.RetryAt)
	}
	// Not before its time: the job is told when to come back.
	var later *supervision.RetryLaterError
	if err := w.svc.Records.FinishDocuments(ctx, r.ID); !errors.As(err, &later) || !later.At.Equal(f.RetryAt) {
		t.Fatalf("finish job before the back-off: %v, want retry at %s", err, f.RetryAt)
	}
	if done, pending, err := w.svc.Records.FinalizePending(ctx); err != nil || done != 0 || pending != 1 {
		t.Fatalf("retry before the back-off: done %d pending %d err %v", done, pending, err)
	}
	w.clock.later(31 * time.Second)
	if err := w.svc.Records.FinishDocuments(ctx, r.ID); !errors.As(err, &later) || !within(later.At.Sub(w.clock.now()), time.Minute) {
		t.Fatalf("second attempt: %v, want a retry a minute later", err)
	}
	read, _ = w.svc.Records.Record(ctx, w.supervisee, r.ID)
	if f2 := read.DocumentsFailed; f2 == nil || f2.Attempts != 2 || !f2.FailedAt.Equal(f.FailedAt) || f2.RetryAt.Sub(w.clock.now()) < 59*time.Second {
		t.Fatalf("after the second crash: %+v", f2)
	}
	if n := w.logs.count(slog.LevelError, "documents failed"); n != 1 {
		t.Errorf("logged the crash at ERROR %d times, want once", n)
	}
	if n := w.logs.count(slog.LevelWarn, "documents failed again"); n != 1 {
		t.Errorf("logged the repeat at WARN %d times, want once", n)
	}
	// The renderer is fixed: the next attempt after the back-off completes
	// the record and forgets the failure.
	w.renderer.crash.Store(false)
	w.clock.later(61 * time.Second)
	if err := w.svc.Records.FinishDocuments(ctx, r.ID); err != nil {
		t.Fatalf("after the fix: %v", err)
	}
	read, _ = w.svc.Records.Record(ctx, w.supervisee, r.ID)
	if read.Record.Status != supervision.StatusSigned || read.DocumentsFailed != nil || len(read.Documents) != 3 {
		t.Fatalf("after the fix: status %s failure %+v documents %d", read.Record.Status, read.DocumentsFailed, len(read.Documents))
	}
}

// A drawn signature is decoded in full and kept as a plain PNG; one that
// does not decode is refused at signing, with a message on the drawing.
func TestDrawingsAreDecodedAndReencoded(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.submitted(t)
	var ve *supervision.ValidationError
	_, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true, DrawingPNG: pngtest.Grey(pngtest.EmptyTRNS)})
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "drawing" {
		t.Fatalf("a grey PNG with an empty tRNS chunk: %v", err)
	}
	v, err := w.svc.Records.Sign(ctx, w.supervisee, r.ID, supervision.SignInput{Name: w.supervisee.Name, Confirm: true, DrawingPNG: pngtest.Grey(pngtest.PHYs)})
	if err != nil {
		t.Fatal(err)
	}
	kept := v.Signatures[0].DrawingPNG
	if got := pngtest.Chunks(kept); !slices.Equal(got, []string{"IHDR", "IDAT", "IEND"}) {
		t.Errorf("kept drawing has chunks %v", got)
	}
	if len(kept) < 26 || kept[24] != 8 || (kept[25] != 6 && kept[25] != 2) {
		t.Errorf("kept drawing is not 8-bit RGB(A)")
	}
	img, err := png.Decode(bytes.NewReader(kept))
	if err != nil || img.Bounds().Dx() != 120 || img.Bounds().Dy() != 40 {
		t.Fatalf("kept drawing: %v", err)
	}
	if r, _, _, _ := img.At(50, 20).RGBA(); r != 0 {
		t.Errorf("the ink was lost")
	}
	v, err = w.svc.Records.Sign(ctx, w.supervisor, r.ID, supervision.SignInput{Name: w.supervisor.Name, Confirm: true, DrawingPNG: pngtest.Grey(pngtest.EmptyPHYs)})
	if err != nil || v.Record.Status != supervision.StatusSigned || len(v.Documents) != 3 {
		t.Fatalf("signed with drawings: %v", err)
	}
}

// Both parties sign at the same moment: whichever signature completes the
// record finalises it (both may try; the second finds it done), and both
// answers show it as the store has it.
func TestSimultaneousLastSignatures(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for range 5 {
		r := w.submitted(t)
		var wg sync.WaitGroup
		views := make([]*supervision.RecordView, 2)
		errs := make([]error, 2)
		for i, who := range []*supervision.Staff{w.supervisee, w.supervisor} {
			wg.Go(func() {
				views[i], errs[i] = w.svc.Records.Sign(ctx, who, r.ID, supervision.SignInput{Name: who.Name, Confirm: true})
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("signing together: %v, %v", errs[0], errs[1])
		}
		v, err := w.svc.Records.Record(ctx, w.supervisor, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Records.History(ctx, v); err != nil {
			t.Fatal(err)
		}
		if v.Record.Status != supervision.StatusSigned || len(v.Documents) != 3 || len(v.Signatures) != 2 {
			t.Fatalf("after both signed together: status %s, %d documents, %d signatures", v.Record.Status, len(v.Documents), len(v.Signatures))
		}
		finalised := 0
		for _, e := range v.Events {
			if e.Action == "finalised" {
				finalised++
			}
		}
		if finalised != 1 {
			t.Errorf("finalised %d times", finalised)
		}
		signedViews := 0
		for _, sv := range views {
			if sv.Record.Status == supervision.StatusSigned {
				signedViews++
			}
		}
		if signedViews == 0 {
			t.Errorf("neither answer shows the record signed")
		}
	}
}
