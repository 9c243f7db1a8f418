package main

import "runtime/debug"

// tuneGC trades memory the service has room for against time spent
// collecting garbage: under load the collector took a tenth of the CPU at
// the default GOGC=100. The heap may grow to three times what is live
// (GOGC=200) while that stays under a soft limit of 80 MiB, past which the
// collector works harder again, so peak RSS stays within its goal (150 MB,
// bench/RESULTS.md). GOGC or GOMEMLIMIT in the environment win.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
}
