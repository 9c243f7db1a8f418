package supervision_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/supervisionfile/supfile/supervision"
)

// An end date set ahead takes effect on the day: the sessions opened before
// it end when it comes, and sign-in stops.
func TestEndDateTakesEffectOnTheDay(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	token, _, err := w.svc.People.Login(ctx, "sian@testshire.gov.uk", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	y, m, d := w.clock.now().In(loc).Date()
	in3 := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 3).Format(time.DateOnly)
	if _, err := w.svc.People.EditStaff(ctx, w.admin, w.supervisee.ID, supervision.StaffPatch{EndDate: &in3}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.People.Authenticate(ctx, token); err != nil {
		t.Fatalf("before the end date the session ended: %v", err)
	}
	if _, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", nil); err != nil {
		t.Fatalf("before the end date the file is read-only: %v", err)
	}
	w.clock.later(4 * 24 * time.Hour)
	if _, err := w.svc.People.Authenticate(ctx, token); !errors.Is(err, supervision.ErrAuth) {
		t.Errorf("after the end date the session still works: %v", err)
	}
	if _, _, err := w.svc.People.Login(ctx, "sian@testshire.gov.uk", "a long password"); !errors.Is(err, supervision.ErrAuth) {
		t.Errorf("after the end date sign-in = %v", err)
	}
	if _, err := w.svc.Records.StartRecord(ctx, w.supervisor, w.supervisee.ID, "supervision-agreement", nil); !errors.Is(err, supervision.ErrForbidden) {
		t.Errorf("after the end date a record could be started: %v", err)
	}
	sup, err := w.svc.CurrentSupervisor(ctx, w.supervisee.ID)
	if err != nil || w.svc.Admin.HandoverNeeded(sup) {
		t.Errorf("the supervisee left, not the supervisor: handover needed = %v (%v)", w.svc.Admin.HandoverNeeded(sup), err)
	}
}

// An end date typed into the page's three boxes that is not a date gets the
// GOV.UK message for what is wrong; one sent over the API in another format
// gets the format the API takes.
func TestEndDateMessages(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for typed, want := range map[string]string{
		"27//2026":   "End date must include a month",
		"/3/2026":    "End date must include a day",
		"27/3/26":    "The year of end date must include 4 numbers",
		"31/2/2027":  "End date must be a real date",
		"2026-13-40": "End date must be a real date, for example 2026-03-27",
		"next week":  "End date must be a real date, for example 2026-03-27",
	} {
		_, err := w.svc.People.EditStaff(ctx, w.admin, w.supervisee.ID, supervision.StaffPatch{EndDate: &typed})
		var ve *supervision.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "end_date" {
			t.Errorf("end date %q: %v, want one problem with end_date", typed, err)
			continue
		}
		if got := ve.Fields[0].Message; got != want {
			t.Errorf("end date %q: %q, want %q", typed, got, want)
		}
	}
}
