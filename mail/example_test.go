package mail_test

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	vmail "github.com/vetlink/vetlink/mail"
)

// A message is written with its headers encoded: the non-ASCII name and
// subject become RFC 2047 encoded words, the body quoted-printable.
func ExampleMessage_Bytes() {
	m := vmail.Message{
		From:    mail.Address{Name: "Dr. Zoë Brandt", Address: "vet@example.org"},
		To:      []mail.Address{{Name: "Bossie's farm", Address: "farm@example.org"}},
		Subject: "Withdrawal ends Thursday — Bossie34",
		Text:    "Milk may be sold from Thursday 06:00.\n",
	}
	b, err := m.Bytes("7f3a", time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(string(b), "\r\n", "\n"))
	// Output:
	// From: =?utf-8?b?RHIuIFpvw6sgQnJhbmR0?= <vet@example.org>
	// To: "Bossie's farm" <farm@example.org>
	// Subject: =?utf-8?q?Withdrawal_ends_Thursday_=E2=80=94_Bossie34?=
	// Date: Sat, 14 Mar 2026 09:26:53 +0000
	// Message-ID: <7f3a@example.org>
	// MIME-Version: 1.0
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Milk may be sold from Thursday 06:00.
}

// A subject with a line break is refused, never folded into a header.
func ExampleMessage_Validate() {
	m := vmail.Message{
		To:      []mail.Address{{Address: "farm@example.org"}},
		Subject: "Hello\r\nBcc: everyone@example.org",
	}
	fmt.Println(m.Validate())
	// Output:
	// mail: invalid header value: subject "Hello\r\nBcc: everyone@example.org": must not contain control characters (CR, LF)
}
