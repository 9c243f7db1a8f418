package supervision

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/supervisionfile/supfile/supervision/printout"
)

// MaxExportReason bounds the reason given for an export.
const MaxExportReason = 500

// ExportName is the folder an export unpacks into, and its zip's name
// without ".zip".
func ExportName(staffID string) string { return "supervision-file-" + staffID }

// Export writes one supervisee's whole file as a zip to w: every signed
// document and record.json, under records/<record>/v<n>/, a staff.json
// saying whose file it is, and SHA256SUMS, which `sha256sum -c SHA256SUMS`
// checks from inside the unpacked folder. Each object is checked against the
// SHA-256 the index holds as it is copied, so an export never carries a
// document that has changed since it was signed. Only an administrator may
// export a file, and only giving a reason, which the access log keeps.
func (s *Files) Export(ctx context.Context, actor *Staff, staffID, reason string, w io.Writer) error {
	if actor == nil || !actor.IsAdmin {
		return Errorf(ErrForbidden, "Only an administrator can export a file")
	}
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return &ValidationError{Fields: []FieldError{{Field: "reason", Message: "Enter why you are exporting this file; the access log keeps the reason"}}}
	case n > MaxExportReason || !utf8.ValidString(reason):
		return &ValidationError{Fields: []FieldError{{Field: "reason", Message: fmt.Sprintf("The reason must be %d characters or fewer", MaxExportReason)}}}
	}
	if msg := printout.CheckText(reason, "the reason", printout.Lines, nil); msg != "" {
		return &ValidationError{Fields: []FieldError{{Field: "reason", Message: msg}}}
	}
	st, err := s.store.GetStaff(ctx, staffID)
	if err != nil {
		return err
	}
	if err := s.logActor(ctx, actor, "administrator", ActExport, staffID, "", reason); err != nil {
		return err
	}
	recs, err := s.store.ListRecords(ctx, staffID)
	if err != nil {
		return err
	}
	// With the group records they attended: one set of documents, kept in
	// the lead's file, exported under records/<record>/ like their own.
	attended, err := s.attendedRecords(ctx, staffID)
	if err != nil {
		return err
	}
	recs = append(recs, attended...)
	root := ExportName(staffID) + "/"
	zw := zip.NewWriter(w)
	var sums strings.Builder
	add := func(name string, modified time.Time, write func(io.Writer) error) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: root + name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		h := sha256.New()
		if err := write(io.MultiWriter(fw, h)); err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), name)
		return nil
	}
	person, err := json.MarshalIndent(struct {
		*person
		ExportedAt time.Time `json:"exported_at"`
		ExportedBy string    `json:"exported_by"`
	}{personOf(st), s.now(), actor.Name}, "", "  ")
	if err != nil {
		return err
	}
	if err := add("staff.json", s.now(), func(w io.Writer) error { _, err := w.Write(person); return err }); err != nil {
		return err
	}
	for _, r := range recs {
		if r.Status != StatusSigned {
			continue // drafts are work in progress, not part of the file
		}
		docs, err := s.store.Documents(ctx, r.ID)
		if err != nil {
			return err
		}
		atts, err := s.store.Attachments(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, a := range atts {
			docs = append(docs, &Document{RecordID: r.ID, Version: r.Version, Kind: "attachment", Key: a.Key, SHA256: a.SHA256, Size: a.Size})
		}
		for _, d := range docs {
			name := strings.TrimPrefix(d.Key, "files/"+r.StaffID+"/")
			modified := r.UpdatedAt
			if r.SignedAt != nil {
				modified = *r.SignedAt
			}
			err := add(name, modified, func(w io.Writer) error {
				rc, err := s.blobs.Get(ctx, d.Key)
				if err != nil {
					return err
				}
				defer rc.Close()
				h := sha256.New()
				if _, err := io.Copy(io.MultiWriter(w, h), rc); err != nil {
					return err
				}
				if got := hex.EncodeToString(h.Sum(nil)); got != d.SHA256 {
					return fmt.Errorf("%s has changed since it was signed: SHA-256 %s, the index says %s", d.Key, got, d.SHA256)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("export %s: %w", staffID, err)
			}
		}
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: root + "SHA256SUMS", Method: zip.Deflate, Modified: s.now()})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(fw, sums.String()); err != nil {
		return err
	}
	return zw.Close()
}
