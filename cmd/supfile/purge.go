package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// purgeFlags takes --dry-run out of purge's arguments.
func purgeFlags(args []string) (rest []string, dryRun bool) {
	for _, a := range args {
		switch a {
		case "--dry-run", "-dry-run", "--dry-run=true", "-dry-run=true":
			dryRun = true
		case "--dry-run=false", "-dry-run=false":
			dryRun = false
		default:
			rest = append(rest, a)
		}
	}
	return rest, dryRun
}

// runPurge lists (dry run) or deletes the files of leavers whose retention
// date has passed: their database rows and their documents. A file with a
// document still under Object Lock is left whole, saying until when.
func runPurge(ctx context.Context, cfg *Config, dryRun bool, out io.Writer) error {
	m := NewMain(cfg, io.Discard)
	defer m.Close()
	if err := m.openService(ctx); err != nil {
		return err
	}
	if dryRun {
		items, err := m.svc.Admin.PurgeDue(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "files past retention (%d years after the end date): %d\n", m.svc.Admin.RetentionYears(), len(items))
		for _, it := range items {
			fmt.Fprintf(out, "  %s  %s  left %s  kept until %s  documents %d", it.Staff.ID, it.Staff.Name,
				it.Staff.EndDate.Format(time.DateOnly), it.RetentionUntil.Format(time.DateOnly), len(it.Keys))
			if !it.LockedUntil.IsZero() {
				fmt.Fprintf(out, "  (cannot be purged yet: %s is under Object Lock until %s)", it.LockedKey, it.LockedUntil.UTC().Format(time.DateOnly))
			}
			fmt.Fprintln(out)
		}
		fmt.Fprintln(out, "dry run: nothing was deleted")
		return nil
	}
	items, err := m.svc.Admin.Purge(ctx)
	if err != nil {
		return err
	}
	var purged, refused, failed int
	for _, it := range items {
		switch {
		case it.Done:
			purged++
			fmt.Fprintf(out, "purged  %s  %s  left %s  kept until %s  documents deleted %d",
				it.Staff.ID, it.Staff.Name, it.Staff.EndDate.Format(time.DateOnly), it.RetentionUntil.Format(time.DateOnly), len(it.Keys))
			if it.StaffKept {
				fmt.Fprint(out, "  (their name stays: other files refer to them)")
			}
			fmt.Fprintln(out)
		case !it.LockedUntil.IsZero():
			refused++
			fmt.Fprintf(out, "refused %s  %s  %s is under Object Lock until %s: run purge again after that date\n",
				it.Staff.ID, it.Staff.Name, it.LockedKey, it.LockedUntil.UTC().Format(time.DateOnly))
		default:
			failed++
			fmt.Fprintf(out, "failed  %s  %s  %v\n", it.Staff.ID, it.Staff.Name, it.Err)
		}
	}
	fmt.Fprintf(out, "files purged: %d, refused (Object Lock): %d, failed: %d\n", purged, refused, failed)
	if refused+failed > 0 {
		return fmt.Errorf("%d file(s) could not be purged", refused+failed)
	}
	return nil
}
