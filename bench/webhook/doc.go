// Package webhook holds the interoperability tests and side-by-side
// benchmarks of vetlink's webhook signing against the Standard Webhooks
// reference Go library (github.com/standard-webhooks/standard-webhooks/libraries).
//
// It lives in the separate bench module so that vetlink's own go.mod never
// depends on a peer library. Run it from /bench:
//
//	go test ./webhook/
//	go test ./webhook/ -run XXX -bench . -benchtime 1s
package webhook
