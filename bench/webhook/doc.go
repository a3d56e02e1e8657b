// Package webhook holds the interoperability tests and side-by-side
// benchmarks of vetlink's webhook signing against the Standard Webhooks
// reference Go library (github.com/standard-webhooks/standard-webhooks/libraries).
//
// It lives in the separate bench module so that vetlink's own go.mod never
// depends on a peer library. Run it from /bench:
//
//	go test ./webhook/
//	go test ./webhook/ -run '^$' -bench . -benchmem -count 5
//
// BenchmarkSign and BenchmarkVerify run each library on its own, one after
// the other, with the allocations of each. BenchmarkPair runs them
// interleaved, so that the load of other jobs on a shared machine falls on
// both alike, and reports the ratio ("x-faster") with two floors measured
// in the same loop: sha256 of the signed bytes, and the standard library's
// HMAC-SHA256 of them with its keyed state reused. At 2 KB the floor is
// most of the cost of either library: SHA-256 (with the SHA-NI
// instructions, about 1 GB/s here, as fast as OpenSSL's) bounds how much
// faster any HMAC signer can be.
package webhook
