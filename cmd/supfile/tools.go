package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/supervisionfile/supfile/supervision"
)

// runTool runs one of the administrator's commands against the configured
// database and document store, then exits.
func runTool(ctx context.Context, cmd string, operands []string, reason string, cfg *Config, stdout io.Writer) error {
	m := NewMain(cfg, io.Discard)
	defer m.Close()
	if err := m.openService(ctx); err != nil {
		return err
	}
	switch cmd {
	case "reindex":
		return reindex(ctx, m.svc, stdout)
	case "export":
		return export(ctx, m.svc, operands, reason, stdout)
	case "verify":
		return verify(ctx, m.svc, operands, stdout)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func reindex(ctx context.Context, svc *supervision.Service, out io.Writer) error {
	rep, err := svc.Admin.Reindex(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "record.json objects found: %d\nrecords added to the index: %d\nrecords finalised from documents already written: %d\nrecords already indexed: %d\n",
		rep.Found, rep.Indexed, rep.Adopted, rep.AlreadyThere)
	if len(rep.StaffCreated) > 0 {
		fmt.Fprintf(out, "staff restored from the file (set their passwords on the admin pages): %d\n", len(rep.StaffCreated))
		for _, s := range rep.StaffCreated {
			fmt.Fprintf(out, "  %s\n", s)
		}
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(out, "objects that could not be indexed: %d\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(out, "  %s\n", p)
		}
		return fmt.Errorf("%d record(s) could not be indexed", len(rep.Problems))
	}
	return nil
}

// export writes a supervisee's file to OUT (default
// supervision-file-ID.zip in the current folder), never over an existing
// file, and removes a partial zip if anything fails.
func export(ctx context.Context, svc *supervision.Service, operands []string, reason string, out io.Writer) error {
	if len(operands) < 1 || len(operands) > 2 || strings.TrimSpace(reason) == "" {
		return errors.New("usage: supfile export STAFF-ID [OUT.zip] --reason TEXT (why the file is exported: the access log keeps it)")
	}
	staffID := operands[0]
	name := supervision.ExportName(staffID) + ".zip"
	if len(operands) == 2 {
		name = operands[1]
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	// The command line is the administrator's own tool.
	admin := &supervision.Staff{ID: "system", Name: "supfile export", IsAdmin: true}
	ctx = supervision.WithRequestInfo(ctx, supervision.RequestInfo{UserAgent: "supfile export (command line)"})
	err = svc.Files.Export(ctx, admin, staffID, reason, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(out, "wrote %s\n", name)
	return nil
}

// verify checks PDFs against the file and says what it found; it fails
// unless every one is a true copy.
func verify(ctx context.Context, svc *supervision.Service, operands []string, out io.Writer) error {
	if len(operands) == 0 {
		return errors.New("usage: supfile verify FILE.pdf [FILE.pdf ...]")
	}
	// The operator at the server's console checks with an administrator's
	// access: record details for what an administrator may read.
	checker := &supervision.Staff{ID: "system", Name: "supfile verify", IsAdmin: true}
	ctx = supervision.WithRequestInfo(ctx, supervision.RequestInfo{UserAgent: "supfile verify (command line)"})
	bad := 0
	for _, name := range operands {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		v, err := svc.Records.Verify(ctx, checker, b)
		if err != nil {
			return fmt.Errorf("verify %s: %w", name, err)
		}
		fmt.Fprintf(out, "%s: %s\n", name, v.Summary)
		for _, d := range v.Details {
			fmt.Fprintf(out, "  %s\n", d)
		}
		if !v.Good {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d file(s) are not true copies", bad, len(operands))
	}
	return nil
}

// reasonFlag takes --reason TEXT (or --reason=TEXT) out of export's
// arguments.
func reasonFlag(args []string) (rest []string, reason string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--reason" || a == "-reason":
			if i+1 < len(args) {
				reason = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--reason="), strings.HasPrefix(a, "-reason="):
			_, reason, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	return rest, reason
}
