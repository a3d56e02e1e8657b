package site_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
)

// Users of the tests: a SAOR (1), a VOR (2) whose CLIENT is the MOR (3),
// who employs the TOR (4); an unrelated MOR (5); a pending user (6); a
// removed user (7); a FARM (8).
func actor(id rx.UserID, t rx.UserType) rx.Actor {
	rels := []rx.Relation{{Kind: rx.Client, Left: 2, Right: 3}, {Kind: rx.Employee, Left: 3, Right: 4}}
	a := rx.Actor{User: rx.User{ID: id, Type: t}}
	for _, r := range rels {
		if r.Left == id || r.Right == id {
			a.Relations = append(a.Relations, r)
		}
	}
	return a
}

var (
	saor    = actor(1, rx.SAOR)
	vor     = actor(2, rx.VOR)
	mor     = actor(3, rx.MOR)
	tor     = actor(4, rx.TOR)
	other   = actor(5, rx.MOR)
	pending = actor(6, rx.Unconfirmed)
	removed = actor(7, rx.Removed)
	farm    = actor(8, rx.FARM)
	nobody  = rx.Actor{}
)

func TestAuthorization(t *testing.T) {
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"manage: self", site.MayManage(mor, 3), true},
		{"manage: pending self", site.MayManage(pending, 6), true},
		{"manage: SAOR anyone", site.MayManage(saor, 3), true},
		{"manage: VOR its client", site.MayManage(vor, 3), false},
		{"manage: other MOR", site.MayManage(other, 3), false},
		{"manage: removed self", site.MayManage(removed, 7), false},
		{"manage: farm self", site.MayManage(farm, 8), false},
		{"manage: not logged in", site.MayManage(nobody, 0), false},

		{"message: VOR to client", site.MayMessage(vor, 3), true},
		{"message: client to VOR", site.MayMessage(mor, 2), true},
		{"message: MOR to employee", site.MayMessage(mor, 4), true},
		{"message: TOR to employer", site.MayMessage(tor, 3), true},
		{"message: TOR to employer's VOR", site.MayMessage(tor, 2), false},
		{"message: VOR to stranger", site.MayMessage(vor, 5), false},
		{"message: SAOR to anyone", site.MayMessage(saor, 5), true},
		{"message: to SAOR unrelated", site.MayMessage(mor, 1), false},
		{"message: to self", site.MayMessage(vor, 2), false},
		{"message: pending", site.MayMessage(pending, 1), false},
		{"message: removed", site.MayMessage(removed, 1), false},

		{"comment: MOR", site.MayComment(mor), true},
		{"comment: pending", site.MayComment(pending), true},
		{"comment: removed", site.MayComment(removed), false},
		{"comment: not logged in", site.MayComment(nobody), false},

		{"help: SAOR edits", site.MayEditHelp(saor), true},
		{"help: VOR edits", site.MayEditHelp(vor), false},

		{"log: not logged in", site.MayLog(nobody), true},
		{"log: TOR", site.MayLog(tor), true},
		{"log: removed", site.MayLog(removed), false},
		{"read log: SAOR", site.MayReadLog(saor), true},
		{"read log: MOR", site.MayReadLog(mor), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ok && tt.err != nil {
				t.Fatalf("want allowed, got %v", tt.err)
			}
			if !tt.ok && !errors.Is(tt.err, rx.ErrForbidden) {
				t.Fatalf("want rx.ErrForbidden, got %v", tt.err)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	long := strings.Repeat("x", site.MaxField+1)
	good := site.Address{Address1: "123 Main St.", Town: "Anytown", Zip: "12345"}
	tests := []struct {
		name  string
		err   error
		field string // "" when valid
	}{
		{"address ok", good.Validate(), ""},
		{"address without street", site.Address{Town: "Anytown"}.Validate(), "address1"},
		{"address without town", site.Address{Address1: "1 Main"}.Validate(), "town"},
		{"address long zip", site.Address{Address1: "1 Main", Town: "T", Zip: long}.Validate(), "zip"},
		{"prefs long header", site.UserPrefs{RxHeader: long}.Validate(), "rxHeader"},
		{"profile short firstname", site.Profile{User: rx.User{Firstname: "E", Lastname: "User"}}.Validate(), "firstname"},
		{"profile bad address", site.Profile{User: rx.User{Firstname: "Ex", Lastname: "User"},
			Address: site.Address{Zip: "1"}}.Validate(), "address1"},
		{"profile no address", site.Profile{User: rx.User{Firstname: "Ex", Lastname: "User"}}.Validate(), ""},
		{"comment empty", site.Comment{}.Validate(), "comment"},
		{"comment long", site.Comment{Comment: strings.Repeat("x", site.MaxText+1)}.Validate(), "comment"},
		{"message no recipient", site.Message{Subject: "s", Message: "m"}.Validate(), "to"},
		{"message no subject", site.Message{To: 2, Message: "m"}.Validate(), "subject"},
		{"message no body", site.Message{To: 2, Subject: "s"}.Validate(), "message"},
		{"message bad UTF-8", site.Message{To: 2, Subject: "s", Message: "\xff"}.Validate(), "message"},
		{"message ok", site.Message{To: 2, Subject: "s", Message: "m"}.Validate(), ""},
		{"help ok", site.HelpScreen{Key: "rx.refills", Msg: "<p>Refills</p>", Lang: "es-MX"}.Validate(), ""},
		{"help key with slash", site.HelpScreen{Key: "../etc", Msg: "m"}.Validate(), "key"},
		{"help empty msg", site.HelpScreen{Key: "k"}.Validate(), "msg"},
		{"help bad lang", site.HelpScreen{Key: "k", Msg: "m", Lang: "english!"}.Validate(), "lang"},
		{"token malformed", site.CheckToken("2frfgjty"), "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.field == "" {
				if tt.err != nil {
					t.Fatalf("want valid, got %v", tt.err)
				}
				return
			}
			var e *site.Error
			if !errors.As(tt.err, &e) || !errors.Is(tt.err, rx.ErrInvalid) {
				t.Fatalf("want *site.Error wrapping rx.ErrInvalid, got %v", tt.err)
			}
			if !strings.HasPrefix(e.Input, tt.field) {
				t.Errorf("error names %q, want %q (%v)", e.Input, tt.field, tt.err)
			}
		})
	}
}

func TestToken(t *testing.T) {
	tok, hash := site.NewToken()
	if err := site.CheckToken(tok); err != nil {
		t.Fatal(err)
	}
	if len(tok) != 43 || hash != site.HashToken(tok) || len(hash) != 64 {
		t.Errorf("token %q (%d), hash %q", tok, len(tok), hash)
	}
	if tok2, _ := site.NewToken(); tok2 == tok {
		t.Error("two tokens alike")
	}
	// Published SHA-256 of "abc" (FIPS 180-2, appendix B.1).
	if got := site.HashToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashToken(abc) = %s", got)
	}
}

// The wire shapes of the VCPR schemas, member for member.
func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"Address", site.Address{UserID: 2, BusName: "testVOR Clinic", Address1: "123 Main St.", Town: "Anytown",
			State: "Any State", Zip: "12345-abcd", Country: "USA"},
			`{"userId":2,"busName":"testVOR Clinic","address1":"123 Main St.","address2":"","town":"Anytown","state":"Any State","zip":"12345-abcd","country":"USA"}`},
		{"UserPrefs", site.UserPrefs{UserID: 2, SandboxName: "sandbox", EmailTips: true, RxHeader: "Dr. Vet"},
			`{"userId":2,"sandboxName":"sandbox","emailTips":true,"emailNews":false,"rxHeader":"Dr. Vet"}`},
		{"Profile", site.Profile{
			User:    rx.User{ID: 2, Uname: "exampleUser", Type: rx.VOR, Email: "e@x.org", Firstname: "Example", Lastname: "User", Suffix: "DVM"},
			Address: site.Address{UserID: 2, Address1: "1 Main", Town: "Anytown", State: "NY", Zip: "12345"},
			Prefs:   site.UserPrefs{UserID: 2, EmailNews: true}},
			`{"id":2,"uname":"exampleUser","userType":"VOR","email":"e@x.org","firstname":"Example","lastname":"User","suffix":"DVM","userId":2,"address1":"1 Main","address2":"","town":"Anytown","state":"NY","zip":"12345","sandboxName":"","emailTips":false,"emailNews":true,"rxHeader":""}`},
		{"Comment", site.Comment{ID: 9, Comment: "this is an anonymous private comment"},
			`{"public":false,"comment":"this is an anonymous private comment"}`},
		{"Visit", site.Visit{UserID: 1, Message: "some message"}, `{"userId":1,"message":"some message"}`},
		{"Message", site.Message{From: 1, To: 2, Subject: "message from your vet", Message: "Hello world", Detail: "do not reply"},
			`{"_type":"models.SimpleMessage","from":1,"to":2,"subject":"message from your vet","message":"Hello world","detail":"do not reply"}`},
		{"HelpScreen", site.HelpScreen{Key: "k", Msg: "<p>hi</p>"}, `{"key":"k","msg":"\u003cp\u003ehi\u003c/p\u003e"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestProfileRoundTrip(t *testing.T) {
	in := `{"id":2,"uname":"exampleUser","userType":"VOR","email":"e@x.org","firstname":"Example","lastname":"User","suffix":"DVM","userId":2,"busName":"B","address1":"1 Main","address2":"","town":"T","state":"S","zip":"Z","country":"USA","sandboxName":"sb","emailTips":true,"emailNews":false,"rxHeader":"H"}`
	var p site.Profile
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	if p.Address.UserID != 2 || p.Prefs.SandboxName != "sb" || p.User.Suffix != "DVM" {
		t.Errorf("decoded %+v", p)
	}
	out, _ := json.Marshal(p)
	if string(out) != in {
		t.Errorf("round trip\n got %s\nwant %s", out, in)
	}
	err := json.Unmarshal([]byte(`{"id":2,"userId":3}`), &p)
	if !errors.Is(err, rx.ErrInvalid) {
		t.Errorf("id 2, userId 3: %v, want rx.ErrInvalid", err)
	}
}

func TestMessageRejectsRenewRequest(t *testing.T) {
	var m site.Message
	err := json.Unmarshal([]byte(`{"_type":"models.RenewRequest","from":1,"to":2,"subject":"s","message":"m","prescription":"LhSWzi5HQ0JmZgR9"}`), &m)
	if !errors.Is(err, rx.ErrInvalid) {
		t.Fatalf("RenewRequest: %v, want rx.ErrInvalid", err)
	}
	if err := json.Unmarshal([]byte(`{"_type":"models.SimpleMessage","from":1,"to":2,"subject":"s","message":"m"}`), &m); err != nil || m.To != 2 {
		t.Fatalf("SimpleMessage: %v, %+v", err, m)
	}
}
