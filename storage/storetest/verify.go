package storetest

import (
	"testing"
	"time"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/supervision"
)

// testLargestDocument: the largest stored document of a kind, 0 when none.
func testLargestDocument(t *testing.T, db *storage.DB) {
	ctx := t.Context()
	n, err := db.LargestDocument(ctx, "pdf")
	must(t, err, "LargestDocument of an empty store")
	diff(t, "largest PDF of an empty store", int64(0), n)

	staff := newStaff(t, db, "Ann Supervisee")
	author := newStaff(t, db, "Sam Supervisor")
	signed := base.Add(2 * time.Hour)
	for i, sizes := range [][2]int64{{10 << 20, 3 << 30}, {30 << 20, 5}} {
		id := []string{"rec-a", "rec-b"}[i]
		r := &supervision.Record{ID: id, StaffID: staff.ID, FormID: "supervision-agreement", FormVersion: 1, Version: 1,
			Status: supervision.StatusSigned, Revision: 1, Data: []byte(`{}`), AuthorID: author.ID,
			CreatedAt: base, UpdatedAt: signed, SignedAt: &signed, DataSHA256: "feed"}
		docs := []*supervision.Document{
			{Version: 1, Kind: "pdf", Key: "files/x/records/" + id + "/v1/a.pdf", SHA256: id + "pdf", Size: sizes[0]},
			{Version: 1, Kind: "docx", Key: "files/x/records/" + id + "/v1/a.docx", SHA256: id + "docx", Size: sizes[1]},
		}
		must(t, db.ImportRecord(ctx, r, nil, nil, docs), "ImportRecord")
	}
	n, err = db.LargestDocument(ctx, "pdf")
	must(t, err, "LargestDocument")
	diff(t, "largest PDF", int64(30<<20), n)
	n, err = db.LargestDocument(ctx, "docx")
	must(t, err, "LargestDocument docx")
	diff(t, "largest DOCX (over 2 GB)", int64(3<<30), n)
}
