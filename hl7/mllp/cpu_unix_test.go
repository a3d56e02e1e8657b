//go:build unix

package mllp

import "syscall"

// processCPU returns the CPU time (user and system) the test process has
// used so far, in nanoseconds, or -1 when it cannot be read. Benchmarks
// report it beside wall time because the machines they run on are shared:
// a process that waits for a core adds wall time but no CPU time.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
