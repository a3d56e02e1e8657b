package mail_test

import "testing"

// BenchmarkMessageBytes renders the prescription mail of the tests with
// its attachment: headers, quoted-printable text and a base64 PDF.
func BenchmarkMessageBytes(b *testing.B) {
	m := rxMessage()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Bytes("id", date); err != nil {
			b.Fatal(err)
		}
	}
}
