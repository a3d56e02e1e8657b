//go:build !unix

package mllp

// processCPU is not available on this platform; see the unix version.
func processCPU() int64 { return -1 }
