//go:build !unix

package hl7

// processCPU is not available on this platform; see the unix version.
func processCPU() int64 { return -1 }
