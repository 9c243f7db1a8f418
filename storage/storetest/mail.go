package storetest

import (
	"strings"
	"sync"
	"testing"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testMailSent: an email's key is settled once; settling it again, even
// from many at once, changes nothing; a bad key is refused.
func testMailSent(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	key := "sign:rec-1:1764553600000000000:staff-1"
	sent, err := db.MailSent(ctx, key)
	must(t, err, "MailSent before")
	if sent {
		t.Fatal("a key never marked is sent")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { must(t, db.MarkMailSent(ctx, key, base, "sent"), "MarkMailSent") })
	}
	wg.Wait()
	if sent, err = db.MailSent(ctx, key); err != nil || !sent {
		t.Fatalf("after marking: %v %v", sent, err)
	}
	if sent, _ := db.MailSent(ctx, key+"x"); sent {
		t.Error("another key is sent too")
	}
	wantKind(t, db.MarkMailSent(ctx, " ", base, "sent"), supervision.ErrInvalid, "empty key")
	wantKind(t, db.MarkMailSent(ctx, strings.Repeat("k", 501), base, "sent"), supervision.ErrInvalid, "long key")
	wantKind(t, db.MarkMailSent(ctx, "k", base, ""), supervision.ErrInvalid, "no outcome")

	// Switching someone's email off and on, twice each, changes only theirs.
	a, b := newStaff(t, db, "Siân Gwŷnedd-Jones"), newStaff(t, db, "Ahmed Khan")
	for _, off := range []bool{true, true, false, false, true} {
		must(t, db.SetEmailOff(ctx, a.ID, off, base), "SetEmailOff")
		if got, err := db.EmailOff(ctx, a.ID); err != nil || got != off {
			t.Fatalf("EmailOff after setting %v: %v %v", off, got, err)
		}
		if got, _ := db.EmailOff(ctx, b.ID); got {
			t.Fatal("someone else's email is off too")
		}
	}
	wantKind(t, db.SetEmailOff(ctx, "nobody", true, base), supervision.ErrNotFound, "off for nobody")
}
