package supervision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Sealer seals PDFs with the organisation's certificate and checks seals.
// The seal package provides one; the service needs only this much of it.
type Sealer interface {
	Seal(pdf []byte, info SealInfo) ([]byte, error)
	// Check reads a PDF's seal. An error means the bytes could not be read
	// as a PDF at all; a tampered PDF is a SealCheck with Intact false.
	Check(pdf []byte) (*SealCheck, error)
	// Fingerprint is the SHA-256 fingerprint of the organisation's
	// certificate, for the admin page.
	Fingerprint() string
}

// SealInfo is what a seal says about itself.
type SealInfo struct {
	Name, Reason, Location, ContactInfo string
	SignedAt                            time.Time
}

// SealCheck is what a PDF's seal says, and whether it holds.
type SealCheck struct {
	Sealed  bool   // the PDF has a seal at all
	Intact  bool   // the seal covers the whole file and its digest and signature hold
	Trusted bool   // sealed with this organisation's certificate
	Problem string // in plain words, when not sealed or not intact
	Signer  string // the certificate's name
	Reason  string // "Record <id>, version <n>"
	At      time.Time
	// An RFC 3161 timestamp in the seal, when the organisation uses a
	// timestamp authority: when and by whom, or what is wrong with it.
	Timestamped        bool
	TimestampAt        time.Time
	TimestampAuthority string
	TimestampProblem   string
	// Level is the PAdES baseline level of the seal ("B-B", "B-T",
	// "B-LT"), "" for another kind of signature.
	Level string
}

// sealReason is how a seal names its record; Verify reads it back.
func sealReason(recordID string, version int) string {
	return fmt.Sprintf("Record %s, version %d", recordID, version)
}

var reasonRE = regexp.MustCompile(`^Record (\S+), version (\d+)$`)

// Verification is the answer to "is this PDF a true copy from the file?".
type Verification struct {
	SHA256 string
	Seal   *SealCheck // nil when the service has no sealer
	InFile bool       // byte for byte the copy in the file
	// OwnSeal: sealed with this organisation's certificate, and intact.
	OwnSeal bool
	// Record is the record the PDF is, with its form and signers, only
	// when the PDF is the copy in the file or carries this organisation's
	// intact seal, and the person asking may read that record.
	Record  *Record
	Form    string // its form's title
	Signers []*Signature
	// Withheld: the PDF is one of this organisation's records, but the
	// person asking may not read it, so its details are not given.
	Withheld bool
	// Summary says it all in one sentence; Details add what a reader needs.
	Summary string
	Details []string
	Good    bool // sealed, intact and the copy in the file
}

// MinVerifyBytes is the least verify accepts, whatever the file holds.
const MinVerifyBytes = 16 << 20

// MaxVerifyBytes bounds a PDF verify accepts: the largest PDF the service has
// made (a sealed record's document, whatever its size), and at least
// MinVerifyBytes. So every document the service has given anyone can be
// checked.
func (s *Records) MaxVerifyBytes(ctx context.Context) (int64, error) {
	n, err := s.store.LargestDocument(ctx, "pdf")
	if err != nil {
		return 0, err
	}
	return max(n, MinVerifyBytes), nil
}

// TooLargeToVerify is the error for a file over limit bytes.
func TooLargeToVerify(limit int64) error {
	return &ValidationError{Fields: []FieldError{{Field: "file",
		Message: fmt.Sprintf("The file must be %d MB or smaller: no document in the file is larger", (limit+(1<<20)-1)>>20)}}}
}

// Verify checks an uploaded PDF: whether its seal is intact and this
// organisation's, whether it matches the copy in the file byte for byte,
// and, for those who may read the record, which record and version it is,
// who signed it and when. Anyone signed in may ask. A PDF sealed by another
// certificate is "not sealed by this organisation", with no record details
// whatever record it names; record details are given only for the copy in
// the file or a PDF with this organisation's intact seal, and only to those
// RecordAccess lets read the record.
func (s *Records) Verify(ctx context.Context, actor *Staff, pdf []byte) (*Verification, error) {
	if actor == nil {
		return nil, Errorf(ErrAuth, "Sign in to check a document")
	}
	if len(pdf) == 0 {
		return nil, &ValidationError{Fields: []FieldError{{Field: "file", Message: "Select a PDF file to check"}}}
	}
	limit, err := s.MaxVerifyBytes(ctx)
	if err != nil {
		return nil, err
	}
	if int64(len(pdf)) > limit {
		return nil, TooLargeToVerify(limit)
	}
	sum := sha256.Sum256(pdf)
	v := &Verification{SHA256: hex.EncodeToString(sum[:])}
	if s.cfg.Seal != nil {
		chk, err := s.cfg.Seal.Check(pdf)
		if err != nil {
			v.Summary = "This file is not a PDF that Supervision File can read."
			v.Details = append(v.Details, "It may be damaged, or another kind of file. Check that you chose the PDF you downloaded.")
			return v, nil
		}
		v.Seal = chk
		v.OwnSeal = chk.Sealed && chk.Intact && chk.Trusted
	}
	// The record the PDF is: the copy in the file, or the one this
	// organisation's intact seal names. What any other seal names is the
	// uploader's claim, and is not looked up.
	var rec *Record
	doc, err := s.store.DocumentBySHA256(ctx, v.SHA256)
	switch {
	case err == nil && doc.Kind == "pdf":
		v.InFile = true
		if rec, err = s.store.GetRecord(ctx, doc.RecordID); err != nil {
			return nil, err
		}
	case err == nil:
		v.Summary = "This file is in the supervision file, but it is not a PDF."
		return v, nil
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	if rec == nil && v.OwnSeal {
		if m := reasonRE.FindStringSubmatch(v.Seal.Reason); m != nil {
			r, err := s.store.GetRecord(ctx, m[1])
			switch {
			case err == nil:
				if n, _ := strconv.Atoi(m[2]); n == r.Version {
					rec = r
				}
			case !errors.Is(err, ErrNotFound):
				return nil, err
			}
		}
	}
	if rec != nil {
		switch _, err := s.RecordAccess(ctx, actor, rec); {
		case err == nil:
			v.Record = rec
		case errors.Is(err, ErrNotFound):
			v.Withheld = true
		default:
			return nil, err
		}
	}
	if v.Record != nil {
		if v.Signers, err = s.store.Signatures(ctx, v.Record.ID); err != nil {
			return nil, err
		}
		if def, ok := s.forms.GetVersion(v.Record.FormID, v.Record.FormVersion); ok {
			v.Form = def.Title
		}
	}
	s.explain(v)
	e := AccessEntry{Action: ActVerify, Detail: "SHA-256 " + v.SHA256}
	if rec != nil {
		e.FileID, e.RecordID = rec.StaffID, rec.ID
		if v.Withheld {
			e.Detail += " (record details withheld: no access)"
		}
	}
	if err := s.logActor(ctx, actor, "", e.Action, e.FileID, e.RecordID, e.Detail); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Records) explain(v *Verification) {
	foreign := v.Seal != nil && v.Seal.Sealed && v.Seal.Intact && !v.Seal.Trusted
	switch {
	case v.InFile && (v.OwnSeal || v.Seal == nil):
		v.Good = true
		v.Summary = "This is a true copy: it is byte for byte the signed document kept in the supervision file."
	case v.InFile:
		v.Summary = "This file is the copy kept in the supervision file, but its seal could not be confirmed."
	case v.Seal != nil && v.Seal.Sealed && !v.Seal.Intact:
		v.Summary = "This document has been changed since it was sealed. Do not rely on it: ask for a copy from the file."
	case foreign:
		v.Summary = "This PDF was not sealed by this organisation: its seal was made with another certificate, so it is not a document from this supervision file."
	case v.Record != nil || v.Withheld:
		v.Summary = "This PDF carries this organisation's seal and names a record in the file, but it is not the copy kept there."
	case v.OwnSeal:
		v.Summary = "This PDF carries this organisation's seal, but it is not a document kept in the supervision file."
	case v.Seal != nil && !v.Seal.Sealed:
		v.Summary = "This PDF has no seal and is not a document from the supervision file."
	default:
		v.Summary = "This PDF is not a document from this supervision file."
	}
	if v.Seal != nil {
		switch {
		case !v.Seal.Sealed:
			v.Details = append(v.Details, "Seal: none. "+v.Seal.Problem)
		case !v.Seal.Intact:
			v.Details = append(v.Details, "Seal: broken. "+v.Seal.Problem)
		case !v.Seal.Trusted:
			v.Details = append(v.Details, fmt.Sprintf("Seal: not sealed by this organisation. It is intact, but made with a certificate (%s) that is not this organisation's.", v.Seal.Signer))
		default:
			line := fmt.Sprintf("Seal: intact, made by %s on %s.", v.Seal.Signer, v.Seal.At.In(s.cfg.Location).Format("2 January 2006 at 15:04"))
			if v.Seal.Level != "" {
				line += " It is a PAdES " + v.Seal.Level + " signature."
			}
			v.Details = append(v.Details, line)
		}
		switch {
		case !v.OwnSeal:
		case v.Seal.Timestamped:
			v.Details = append(v.Details, fmt.Sprintf("Timestamp: %s, from the timestamp authority %s.",
				v.Seal.TimestampAt.In(s.cfg.Location).Format("2 January 2006 at 15:04:05"), v.Seal.TimestampAuthority))
		case v.Seal.TimestampProblem != "":
			v.Details = append(v.Details, "Timestamp: "+v.Seal.TimestampProblem)
		}
	}
	if v.Record != nil {
		v.Details = append(v.Details, fmt.Sprintf("Record: %s, %s, version %d.", v.Form, v.Record.ID, v.Record.Version))
		for _, sg := range v.Signers {
			v.Details = append(v.Details, fmt.Sprintf("Signed by %s (%s) on %s.", sg.Name, sg.Role, sg.SignedAt.In(s.cfg.Location).Format("2 January 2006 at 15:04")))
		}
	}
	if v.Withheld {
		v.Details = append(v.Details, "Record: you do not have access to this record, so its details are not shown.")
	}
	if v.InFile {
		v.Details = append(v.Details, "It matches the copy in the file byte for byte (SHA-256 "+v.SHA256+").")
	} else if v.Record != nil || v.Withheld {
		v.Details = append(v.Details, "It does not match the copy in the file (SHA-256 "+v.SHA256+").")
	}
}

// SealFingerprint is the SHA-256 fingerprint of the certificate that seals
// signed PDFs, or "" when documents are not sealed.
func (s *Records) SealFingerprint() string {
	if s.cfg.Seal == nil {
		return ""
	}
	return s.cfg.Seal.Fingerprint()
}
