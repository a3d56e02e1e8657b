package site

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/vetlink/vetlink/rx"
)

// Bounds on the text a user may store. They keep one request from filling
// the database and are generous for their purpose.
const (
	// MaxField bounds a one-line field: a name, an address line, a subject.
	MaxField = 200
	// MaxText bounds a comment.
	MaxText = 4000
	// MaxHTML bounds a message body or a help screen.
	MaxHTML = 64 << 10
	// MaxLogMessage is the length a client log line is cut to.
	MaxLogMessage = 2000
	// MaxList bounds the rows one listing returns (visits, comments,
	// messages, log lines), newest first.
	MaxList = 100
)

// Address is a user's mailing address (VCPR Address). A user has at most
// one; UserID is its owner.
type Address struct {
	UserID   rx.UserID `json:"userId"`
	BusName  string    `json:"busName,omitempty"`
	Address1 string    `json:"address1"`
	Address2 string    `json:"address2"`
	Town     string    `json:"town"`
	State    string    `json:"state"`
	Zip      string    `json:"zip"`
	Country  string    `json:"country,omitempty"`
}

// Validate checks that the street and town are given and that no field is
// longer than MaxField bytes.
func (ad Address) Validate() error {
	if err := nonEmpty("address1", ad.Address1); err != nil {
		return err
	}
	if err := nonEmpty("town", ad.Town); err != nil {
		return err
	}
	return fields(map[string]string{"busName": ad.BusName, "address1": ad.Address1, "address2": ad.Address2,
		"town": ad.Town, "state": ad.State, "zip": ad.Zip, "country": ad.Country})
}

// UserPrefs are the settings a user chooses (VCPR UserPrefs).
type UserPrefs struct {
	UserID rx.UserID `json:"userId"`
	// SandboxName is the name a VOR gives its sandbox client.
	SandboxName string `json:"sandboxName"`
	EmailTips   bool   `json:"emailTips"`
	EmailNews   bool   `json:"emailNews"`
	// RxHeader is the header a VOR prints on its prescriptions.
	RxHeader string `json:"rxHeader"`
}

// Validate checks that no field is longer than MaxField bytes.
func (p UserPrefs) Validate() error {
	return fields(map[string]string{"sandboxName": p.SandboxName, "rxHeader": p.RxHeader})
}

// Profile is a user with their address and preferences (VCPR Profile,
// the allOf of User, Address and UserPrefs): one flat JSON object in which
// "id" and "userId" both name the user.
//
// A user without a stored address or preferences has a Profile all the
// same, with those parts zero.
type Profile struct {
	User    rx.User
	Address Address
	Prefs   UserPrefs
}

// profileJSON is the wire form of a Profile. Embedding the three structs
// would not do: encoding/json drops a member ("userId") that two embedded
// structs at the same depth both have.
type profileJSON struct {
	ID          rx.UserID   `json:"id"`
	Uname       string      `json:"uname"`
	Type        rx.UserType `json:"userType"`
	Email       string      `json:"email"`
	Firstname   string      `json:"firstname"`
	Lastname    string      `json:"lastname"`
	Suffix      string      `json:"suffix"`
	Phone       string      `json:"phone,omitempty"`
	SandboxOf   rx.UserID   `json:"sandboxOf,omitempty"`
	UserID      rx.UserID   `json:"userId"`
	BusName     string      `json:"busName,omitempty"`
	Address1    string      `json:"address1"`
	Address2    string      `json:"address2"`
	Town        string      `json:"town"`
	State       string      `json:"state"`
	Zip         string      `json:"zip"`
	Country     string      `json:"country,omitempty"`
	SandboxName string      `json:"sandboxName"`
	EmailTips   bool        `json:"emailTips"`
	EmailNews   bool        `json:"emailNews"`
	RxHeader    string      `json:"rxHeader"`
}

// MarshalJSON writes the flat VCPR Profile.
func (p Profile) MarshalJSON() ([]byte, error) {
	u, ad, pr := p.User, p.Address, p.Prefs
	return json.Marshal(profileJSON{
		ID: u.ID, Uname: u.Uname, Type: u.Type, Email: u.Email, Firstname: u.Firstname,
		Lastname: u.Lastname, Suffix: u.Suffix, Phone: u.Phone, SandboxOf: u.SandboxOf,
		UserID: u.ID, BusName: ad.BusName, Address1: ad.Address1, Address2: ad.Address2,
		Town: ad.Town, State: ad.State, Zip: ad.Zip, Country: ad.Country,
		SandboxName: pr.SandboxName, EmailTips: pr.EmailTips, EmailNews: pr.EmailNews, RxHeader: pr.RxHeader,
	})
}

// UnmarshalJSON reads a flat VCPR Profile. The user is "id", or "userId"
// when "id" is absent; the two must agree when both are given.
func (p *Profile) UnmarshalJSON(b []byte) error {
	var w profileJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	id := w.ID
	if id == 0 {
		id = w.UserID
	}
	if w.UserID != 0 && w.UserID != id {
		return invalid(fmt.Sprintf("userId %d", w.UserID), fmt.Sprintf("differs from id %d", id))
	}
	*p = Profile{
		User: rx.User{ID: id, Uname: w.Uname, Type: w.Type, Email: w.Email, Firstname: w.Firstname,
			Lastname: w.Lastname, Suffix: w.Suffix, Phone: w.Phone, SandboxOf: w.SandboxOf},
		Address: Address{UserID: id, BusName: w.BusName, Address1: w.Address1, Address2: w.Address2,
			Town: w.Town, State: w.State, Zip: w.Zip, Country: w.Country},
		Prefs: UserPrefs{UserID: id, SandboxName: w.SandboxName, EmailTips: w.EmailTips,
			EmailNews: w.EmailNews, RxHeader: w.RxHeader},
	}
	return nil
}

// Validate checks the parts of a profile a user may change: names as
// rx.User requires them (at least 2 characters), suffix and phone, the
// address when one is given (any of its lines set), and the preferences.
func (p Profile) Validate() error {
	u := p.User
	if len(u.Firstname) < 2 {
		return invalid("firstname "+quote(u.Firstname), "must be at least 2 characters")
	}
	if len(u.Lastname) < 2 {
		return invalid("lastname "+quote(u.Lastname), "must be at least 2 characters")
	}
	if err := fields(map[string]string{"firstname": u.Firstname, "lastname": u.Lastname,
		"suffix": u.Suffix, "phone": u.Phone}); err != nil {
		return err
	}
	if p.Address.given() {
		if err := p.Address.Validate(); err != nil {
			return err
		}
	}
	return p.Prefs.Validate()
}

// given reports whether any line of the address is set.
func (ad Address) given() bool {
	ad.UserID = 0
	return ad != Address{}
}

// Visit is one login of a user (VCPR Login): when, and a line about it
// (the client, the address it came from).
type Visit struct {
	UserID  rx.UserID `json:"userId"`
	When    time.Time `json:"when,omitzero"`
	Message string    `json:"message"`
}

// Comment is a user's comment to the site managers (VCPR Comment). UserID
// zero is an anonymous comment; a private one (Public false) is read by
// the SAOR only.
type Comment struct {
	// ID is the store's key, returned by Service.RecordComment.
	ID      int64     `json:"-"`
	UserID  rx.UserID `json:"userId,omitempty"`
	Public  bool      `json:"public"`
	Created time.Time `json:"created,omitzero"`
	Comment string    `json:"comment"`
}

// Validate checks that the comment is not empty and at most MaxText bytes.
func (c Comment) Validate() error {
	if err := nonEmpty("comment", c.Comment); err != nil {
		return err
	}
	return maxLen("comment", c.Comment, MaxText)
}

// HelpScreen is a help message shown in a popup (VCPR HelpScreen): Msg is
// HTML, Lang a language tag ("en", "es-MX").
type HelpScreen struct {
	Key  string `json:"key"`
	Msg  string `json:"msg"`
	Lang string `json:"lang,omitempty"`
}

var (
	helpKeyRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	langRE    = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)
)

// CheckHelpKey reports whether key may name a help screen: 1 to 100
// letters, digits, '.', '_' or '-', starting with a letter or digit, so
// that it is safe in a URL path.
func CheckHelpKey(key string) error {
	if !helpKeyRE.MatchString(key) {
		return invalid("key "+quote(key), "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return nil
}

// Validate checks the key (CheckHelpKey), that the message is given and at
// most MaxHTML bytes, and that Lang, when set, looks like a language tag.
func (h HelpScreen) Validate() error {
	if err := CheckHelpKey(h.Key); err != nil {
		return err
	}
	if err := nonEmpty("msg", h.Msg); err != nil {
		return err
	}
	if err := maxLen("msg", h.Msg, MaxHTML); err != nil {
		return err
	}
	if h.Lang != "" && (len(h.Lang) > 35 || !langRE.MatchString(h.Lang)) {
		return invalid("lang "+quote(h.Lang), "must be a language tag such as en or es-MX")
	}
	return nil
}

// Level is the severity of a client log line (the VCPR logging severity).
type Level string

// The severities; the empty Level means LevelInfo.
const (
	LevelDebug Level = "DEBUG"
	LevelInfo  Level = "INFO"
	LevelWarn  Level = "WARN"
	LevelError Level = "ERROR"
)

// Valid reports whether l is one of the four severities.
func (l Level) Valid() bool {
	switch l {
	case LevelDebug, LevelInfo, LevelWarn, LevelError:
		return true
	}
	return false
}

// LogEntry is one line a client logged to the server. User is zero for a
// caller who was not logged in.
type LogEntry struct {
	ID      int64     `json:"-"`
	Level   Level     `json:"level"`
	Message string    `json:"message"`
	User    rx.UserID `json:"user,omitempty"`
	Time    time.Time `json:"time"`
}

// ---- field checks

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func nonEmpty(field, v string) error {
	if v == "" {
		return invalid(field, "must not be empty")
	}
	return nil
}

func maxLen(field, v string, n int) error {
	if len(v) > n {
		return invalid(field, fmt.Sprintf("longer than %d bytes", n))
	}
	if !utf8.ValidString(v) {
		return invalid(field, "not valid UTF-8")
	}
	return nil
}

// fields checks each one-line field against MaxField, in a fixed order
// so that the error names the same field every time.
func fields(m map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if err := maxLen(name, m[name], MaxField); err != nil {
			return err
		}
	}
	return nil
}
