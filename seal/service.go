package seal

import "github.com/supervisionfile/supfile/supervision"

// ForService returns s as the service's Sealer: it seals signed PDFs and
// checks uploaded ones, trusting only s's certificate.
func (s *Sealer) ForService() supervision.Sealer { return serviceSealer{s} }

type serviceSealer struct{ s *Sealer }

var _ supervision.Sealer = serviceSealer{}

func (a serviceSealer) Seal(pdf []byte, info supervision.SealInfo) ([]byte, error) {
	return a.s.Seal(pdf, Info{Name: info.Name, Reason: info.Reason, Location: info.Location,
		ContactInfo: info.ContactInfo, SignedAt: info.SignedAt})
}

func (a serviceSealer) Check(pdf []byte) (*supervision.SealCheck, error) {
	r, err := Verify(pdf)
	if err != nil {
		return nil, err
	}
	return &supervision.SealCheck{Sealed: r.Sealed, Intact: r.Intact, Trusted: a.s.Trusts(r), Problem: r.Problem,
		Signer: r.SignerName, Reason: r.Reason, At: r.SignedAt, Timestamped: r.Timestamped, TimestampAt: r.TimestampAt,
		TimestampAuthority: r.TimestampAuthority, TimestampProblem: r.TimestampProblem, Level: r.Level}, nil
}

func (a serviceSealer) Fingerprint() string { return a.s.Fingerprint() }
