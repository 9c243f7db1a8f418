package supervision_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/supervisionfile/supfile/supervision"
)

// groupData is a group session led by Ahmed Khan, as the lead enters it.
func groupData(session string) map[string]any {
	return map[string]any{
		"session_date": session, "lead_name": "Ahmed Khan", "lead_job_title": "Team Manager",
		"team": "Children in Need, North", "focus": "case", "case_reference": "LL-1234567",
		"external_participants": []any{map[string]any{"name": "Dr Ola Bankole", "role": "Named GP"}},
		"worried":               "Neglect: the children are hungry at school.",
		"working_well":          "Grandmother helps every morning.",
		"needs_to_happen":       "A danger statement the family understands.",
		"actions":               []any{map[string]any{"action": "Draft the danger statement", "owner": "Siân", "due": "2099-01-31"}},
	}
}

// TestGroupSupervision: the lead starts a group record in their own file
// and adds three attendees; each writes only their own learning and signs;
// the one record is then in every attendee's file, readable by whoever
// stands to an attendee's file, counted as supervision held, and exported
// with each attendee's file.
func TestGroupSupervision(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	add := func(name, email, role string) *supervision.Staff {
		st, err := w.svc.People.CreateStaff(ctx, w.admin, supervision.NewStaff{Name: name, Email: email, JobTitle: "Social Worker",
			Role: role, StartDate: "2024-01-08", Password: "a long password"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	lead := w.supervisor
	grace := add("Grace Okafor", "grace@testshire.gov.uk", "team_manager")
	bea := add("Bea Lewis", "bea@testshire.gov.uk", "social_worker")
	cai := add("Cai Morgan", "cai@testshire.gov.uk", "asye")
	stranger := add("Dee Patel", "dee@testshire.gov.uk", "social_worker")
	if _, err := w.svc.Admin.SetSupervisor(ctx, w.admin, bea.ID, grace.ID, "2025-01-06"); err != nil {
		t.Fatal(err)
	}
	team := []*supervision.Staff{w.supervisee, bea, cai}

	// Only someone who may lead starts one, and only in their own file.
	if _, err := w.svc.Records.StartRecord(ctx, bea, bea.ID, "group-supervision", nil); !errors.Is(err, supervision.ErrForbidden) {
		t.Errorf("a social worker starts group supervision: %v", err)
	}
	if _, err := w.svc.Records.StartRecord(ctx, lead, w.supervisee.ID, "group-supervision", nil); !errors.Is(err, supervision.ErrForbidden) {
		t.Errorf("the lead starts it in a supervisee's file: %v", err)
	}
	session := w.clock.now().In(w.svc.Location()).Format("2006-01-02")
	r, err := w.svc.Records.StartRecord(ctx, lead, lead.ID, "group-supervision", groupData(session))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Records.Submit(ctx, lead, r.ID); !errors.Is(err, supervision.ErrInvalid) {
		t.Errorf("submitted with no attendee: %v", err)
	}
	for _, st := range team {
		if _, err := w.svc.Records.InviteToRecord(ctx, lead, r.ID, st.ID, ""); err != nil {
			t.Fatalf("add %s: %v", st.Name, err)
		}
	}
	if _, err := w.svc.Records.InviteToRecord(ctx, lead, r.ID, bea.ID, "attendee"); !errors.Is(err, supervision.ErrInvalid) {
		t.Errorf("Bea added twice: %v", err)
	}
	if _, err := w.svc.Records.InviteToRecord(ctx, w.supervisee, r.ID, stranger.ID, "attendee"); !errors.Is(err, supervision.ErrForbidden) {
		t.Errorf("an attendee adds someone: %v", err)
	}

	// Each attendee has a row of the learning to fill, and fills only theirs.
	v, err := w.svc.Records.Record(ctx, bea, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := v.Data["learning"].([]any); len(rows) != 3 || !v.CanEdit || v.CanSubmit {
		t.Fatalf("Bea sees %d learning rows, can edit %v, submit %v", len(rows), v.CanEdit, v.CanSubmit)
	}
	if _, err := w.svc.Records.Submit(ctx, lead, r.ID); !errors.Is(err, supervision.ErrInvalid) {
		t.Errorf("submitted before the attendees wrote their learning: %v", err)
	}
	for i, st := range team {
		v, err := w.svc.Records.Record(ctx, st, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		data := map[string]any{"worried": "Changed by " + st.Name, "learning": []any{
			map[string]any{"attendee": team[0].ID, "learning": "Overwritten by " + st.Name},
			map[string]any{"attendee": team[1].ID, "learning": "Overwritten by " + st.Name},
			map[string]any{"attendee": team[2].ID, "learning": "Overwritten by " + st.Name},
		}}
		data["learning"].([]any)[i].(map[string]any)["learning"] = "What " + st.Name + " learnt"
		if _, err := w.svc.Records.SaveDraft(ctx, st, r.ID, data, v.Record.Revision); err != nil {
			t.Fatalf("%s saves their learning: %v", st.Name, err)
		}
	}
	v, err = w.svc.Records.Record(ctx, lead, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Data["worried"] != "Neglect: the children are hungry at school." {
		t.Errorf("an attendee changed the lead's part: %v", v.Data["worried"])
	}
	for i, row := range v.Data["learning"].([]any) {
		cells := row.(map[string]any)
		if cells["attendee"] != team[i].ID || cells["learning"] != "What "+team[i].Name+" learnt" {
			t.Errorf("learning row %d: %v", i, cells)
		}
	}
	if v, err = w.svc.Records.Submit(ctx, lead, r.ID); err != nil {
		t.Fatal(err)
	}
	if len(v.Pending) != 4 || v.Pending[0].Role != "lead" || v.Pending[3].Label != "Attendee: Cai Morgan" {
		t.Errorf("pending: %+v", v.Pending)
	}
	if err := w.svc.Records.RemoveFromRecord(ctx, lead, r.ID, cai.ID, "attendee"); !errors.Is(err, supervision.ErrConflict) {
		t.Errorf("an attendee taken off after submission: %v", err)
	}

	// Who may read it: the attendees, those who stand to an attendee's
	// file (Grace supervises Bea), and nobody else.
	if _, err := w.svc.Records.Record(ctx, grace, r.ID); err != nil {
		t.Errorf("Bea's supervisor reads it: %v", err)
	}
	if _, err := w.svc.Records.Record(ctx, stranger, r.ID); !errors.Is(err, supervision.ErrNotFound) {
		t.Errorf("someone else reads it: %v", err)
	}
	if v, _ := w.svc.Records.Record(ctx, grace, r.ID); v != nil && (v.SignAs != "" || v.CanEdit) {
		t.Errorf("Bea's supervisor may sign as %q or edit %v", v.SignAs, v.CanEdit)
	}

	for _, st := range append([]*supervision.Staff{lead}, team...) {
		v, err = w.svc.Records.Sign(ctx, st, r.ID, supervision.SignInput{Name: st.Name, Confirm: true})
		if err != nil {
			t.Fatalf("%s signs: %v", st.Name, err)
		}
		if _, err := w.svc.Records.Sign(ctx, st, r.ID, supervision.SignInput{Name: st.Name, Confirm: true}); err == nil {
			t.Errorf("%s signed twice", st.Name)
		}
	}
	if v.Record.Status != supervision.StatusSigned || len(v.Documents) == 0 {
		t.Fatalf("after everyone signed: %s, %d documents", v.Record.Status, len(v.Documents))
	}
	for _, d := range v.Documents {
		if !strings.HasPrefix(d.Key, "files/"+lead.ID+"/records/"+r.ID+"/") {
			t.Errorf("document %s is not kept once, in the lead's file", d.Key)
		}
	}

	// In every attendee's file, as the same record, and supervision held.
	for _, st := range team {
		fv, err := w.svc.Files.File(ctx, st, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range fv.Records {
			found = found || e.Record.ID == r.ID && len(e.Documents) == len(v.Documents)
		}
		if !found {
			t.Errorf("the group record is not in %s's file", st.Name)
		}
		due, err := w.svc.Files.FileDue(ctx, st, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if due.LastHeld == nil || due.LastHeld.Format("2006-01-02") != session {
			t.Errorf("%s: last held %v, want %s", st.Name, due.LastHeld, session)
		}
	}
	if fv, err := w.svc.Files.File(ctx, grace, bea.ID); err != nil || !containsRecord(fv, r.ID) {
		t.Errorf("Bea's supervisor does not see it in Bea's file: %v", err)
	}
	if fv, err := w.svc.Files.File(ctx, stranger, stranger.ID); err != nil || containsRecord(fv, r.ID) {
		t.Errorf("it is in a file of someone who did not attend: %v", err)
	}

	// Exported with an attendee's file, its documents with their hashes.
	var buf bytes.Buffer
	if err := w.svc.Files.Export(ctx, w.admin, cai.ID, "Subject access request", &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	sums := ""
	for _, f := range zr.File {
		names = append(names, f.Name)
		if strings.HasSuffix(f.Name, "SHA256SUMS") {
			rc, _ := f.Open()
			b := new(bytes.Buffer)
			_, _ = b.ReadFrom(rc)
			rc.Close()
			sums = b.String()
		}
	}
	for _, d := range v.Documents {
		name := strings.TrimPrefix(d.Key, "files/"+lead.ID+"/")
		if !strings.Contains(sums, d.SHA256+"  "+name) {
			t.Errorf("the export of Cai's file lacks %s with SHA-256 %s: %v", name, d.SHA256, names)
		}
	}
}

func containsRecord(fv *supervision.FileView, id string) bool {
	for _, e := range fv.Records {
		if e.Record.ID == id {
			return true
		}
	}
	return false
}
