package main

import (
	"fmt"
	"os"
	"runtime/debug"
)

// The garbage collector's settings for serve. A server's heap is mostly
// short-lived garbage of requests over a live heap of a few megabytes, so
// the default (a collection each time the heap doubles) collects hundreds
// of times a second under load: a sixth of the CPU time of a create.
// Letting the heap grow five times over the live one collects a quarter
// as often for some tens of megabytes; the soft limit makes the collector
// keener again should the live heap grow large.
const (
	gcPercent     = 400
	gcMemoryLimit = 256 << 20
)

// tuneGC applies those settings unless GOGC or GOMEMLIMIT choose others,
// and describes what it did for the start-up log.
func tuneGC() string {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return "as set by GOGC and GOMEMLIMIT"
	}
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(gcMemoryLimit)
	return fmt.Sprintf("GOGC=%d GOMEMLIMIT=%dMiB", gcPercent, gcMemoryLimit>>20)
}
