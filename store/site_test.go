package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// siteSetup makes a SAOR, a VOR and its CLIENT MOR, and a Service whose
// clock the test moves.
func siteSetup(t *testing.T, db *store.DB) (svc *site.Service, now *time.Time, saor, vor, mor rx.Actor) {
	t.Helper()
	ctx := context.Background()
	mk := func(uname string, typ rx.UserType) rx.User {
		u := rx.User{Uname: uname, Type: typ, Email: uname + "@example.org", Firstname: "Example", Lastname: "User"}
		if err := db.Rx().CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	a, v, m := mk("siteadmin", rx.SAOR), mk("sitevet1", rx.VOR), mk("sitefarm1", rx.MOR)
	rel := rx.Relation{Kind: rx.Client, Left: v.ID, Right: m.ID}
	if err := db.Rx().AddRelation(ctx, rel); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	now = &clock
	svc = &site.Service{Store: db.Site(), Clock: func() time.Time { return *now }}
	return svc, now, rx.Actor{User: a}, rx.Actor{User: v, Relations: []rx.Relation{rel}}, rx.Actor{User: m, Relations: []rx.Relation{rel}}
}

func TestSiteProfile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _, saor, vor, mor := siteSetup(t, db)
		if _, err := svc.Address(ctx, mor, mor.ID()); !errors.Is(err, rx.ErrNotFound) {
			t.Fatalf("address before any: %v, want rx.ErrNotFound", err)
		}
		p, err := svc.Profile(ctx, mor, mor.ID())
		if err != nil || p.User.Uname != "sitefarm1" || p.Address.UserID != mor.ID() {
			t.Fatalf("empty profile: %+v, %v", p, err)
		}
		p.User.Firstname, p.User.Email, p.User.Type = "Farmer", "changed@example.org", rx.SAOR
		p.Address = site.Address{Address1: "1 Farm Rd", Town: "Anytown", State: "NY", Zip: "12345", Country: "USA"}
		p.Prefs = site.UserPrefs{SandboxName: "sb", EmailTips: true, RxHeader: "Farm"}
		got, err := svc.UpdateProfile(ctx, mor, p)
		if err != nil {
			t.Fatal(err)
		}
		want := site.Address{UserID: mor.ID(), Address1: "1 Farm Rd", Town: "Anytown", State: "NY", Zip: "12345", Country: "USA"}
		if got.User.Firstname != "Farmer" || got.Address != want || !got.Prefs.EmailTips || got.Prefs.RxHeader != "Farm" {
			t.Errorf("updated profile %+v", got)
		}
		if got.User.Email != "sitefarm1@example.org" || got.User.Type != rx.MOR {
			t.Errorf("profile update changed e-mail or type: %s %s", got.User.Email, got.User.Type)
		}
		// The SAOR reads anyone's; the VOR not even its client's.
		if ad, err := svc.Address(ctx, saor, mor.ID()); err != nil || ad != want {
			t.Errorf("SAOR reads address: %+v, %v", ad, err)
		}
		if _, err := svc.Profile(ctx, vor, mor.ID()); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR reads client's profile: %v, want rx.ErrForbidden", err)
		}
		// Bad input names the field and changes nothing.
		_, err = svc.UpdateAddress(ctx, mor, site.Address{Address1: "2 Farm Rd", Town: strings.Repeat("x", 300)})
		var e *site.Error
		if !errors.As(err, &e) || e.Input != "town" || !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("long town: %v", err)
		}
		if ad, _ := svc.Address(ctx, mor, mor.ID()); ad != want {
			t.Errorf("after refused update: %+v", ad)
		}
		if _, err := svc.UpdateAddress(ctx, saor, site.Address{UserID: 99999, Address1: "x", Town: "y"}); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("address of unknown user: %v, want rx.ErrNotFound", err)
		}
		// Deleting the user deletes their rows.
		if err := db.Rx().DeleteUser(ctx, mor.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Site().Address(ctx, mor.ID()); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("address after user deleted: %v", err)
		}
	})
}

func TestSiteMessages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, now, saor, vor, mor := siteSetup(t, db)
		m := site.Message{To: mor.ID(), Subject: "renewal", Message: "Renew <b>now</b>?"}
		sent, token, err := svc.Send(ctx, vor, m, true)
		if err != nil {
			t.Fatal(err)
		}
		if sent.ID == 0 || token == "" || sent.Message.From != vor.ID() || !sent.Expires.Equal(now.Add(48*time.Hour)) {
			t.Fatalf("sent %+v, token %q", sent, token)
		}
		if _, _, err := svc.Send(ctx, mor, site.Message{To: saor.ID(), Subject: "s", Message: "m"}, false); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("MOR to unrelated SAOR: %v, want rx.ErrForbidden", err)
		}
		if _, tok, err := svc.Send(ctx, saor, site.Message{To: mor.ID(), Subject: "s", Message: "m"}, false); err != nil || tok != "" {
			t.Errorf("SAOR to anyone, no question: %q, %v", tok, err)
		}
		if _, _, err := svc.Send(ctx, saor, site.Message{To: 99999, Subject: "s", Message: "m"}, false); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("to unknown user: %v, want rx.ErrNotFound", err)
		}
		*now = now.Add(time.Hour)
		answered, err := svc.Answer(ctx, token, true)
		if err != nil || answered.Answer == nil || !*answered.Answer || !answered.Answered.Equal(*now) {
			t.Fatalf("answer: %+v, %v", answered, err)
		}
		if _, err := svc.Answer(ctx, token, false); !errors.Is(err, rx.ErrConflict) {
			t.Errorf("second answer: %v, want rx.ErrConflict", err)
		}
		unknown, _ := site.NewToken()
		if _, err := svc.Answer(ctx, unknown, true); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("unknown token: %v, want rx.ErrNotFound", err)
		}
		_, late, _ := svc.Send(ctx, mor, site.Message{To: vor.ID(), Subject: "s", Message: "m"}, true)
		*now = now.Add(48 * time.Hour)
		if _, err := svc.Answer(ctx, late, true); !errors.Is(err, site.ErrExpired) {
			t.Errorf("expired token: %v, want site.ErrExpired", err)
		}
		ms, err := svc.Messages(ctx, mor, mor.ID())
		if err != nil || len(ms) != 3 || ms[0].Message.From != mor.ID() || ms[2].Answer == nil {
			t.Errorf("MOR's messages: %d, %v", len(ms), err)
		}
		if _, err := svc.Messages(ctx, vor, mor.ID()); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR reads MOR's messages: %v", err)
		}
	})
}

func TestSiteEmailToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, now, _, vor, mor := siteSetup(t, db)
		if _, _, err := svc.IssueEmailToken(ctx, vor, mor.ID()); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR issues MOR's token: %v", err)
		}
		tok, token, err := svc.IssueEmailToken(ctx, mor, mor.ID())
		if err != nil || tok.Email != "sitefarm1@example.org" {
			t.Fatalf("issue: %+v, %v", tok, err)
		}
		got, err := svc.ConfirmEmail(ctx, token)
		if err != nil || got.UserID != mor.ID() || !got.Used.Equal(*now) {
			t.Fatalf("confirm: %+v, %v", got, err)
		}
		if _, err := svc.ConfirmEmail(ctx, token); !errors.Is(err, rx.ErrConflict) {
			t.Errorf("second confirm: %v, want rx.ErrConflict", err)
		}
		_, token, _ = svc.IssueEmailToken(ctx, mor, mor.ID())
		*now = now.Add(49 * time.Hour)
		if _, err := svc.ConfirmEmail(ctx, token); !errors.Is(err, site.ErrExpired) {
			t.Errorf("expired: %v, want site.ErrExpired", err)
		}
		if _, err := svc.ConfirmEmail(ctx, "2frfgjty"); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("malformed: %v, want rx.ErrInvalid", err)
		}
	})
}

func TestSiteHelpCommentsVisitsLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, now, saor, vor, mor := siteSetup(t, db)

		h := site.HelpScreen{Key: "rx.refills", Msg: "<p>Refills</p>", Lang: "en"}
		if _, err := svc.PutHelp(ctx, vor, h); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR writes help: %v", err)
		}
		for _, k := range []string{"rx.refills", "case.new"} {
			h.Key = k
			if _, err := svc.PutHelp(ctx, saor, h); err != nil {
				t.Fatal(err)
			}
		}
		h.Msg = "<p>Refills, again</p>"
		svc.PutHelp(ctx, saor, h)
		if got, err := svc.Help(ctx, "case.new"); err != nil || got != h {
			t.Errorf("help: %+v, %v", got, err)
		}
		if keys, err := svc.HelpKeys(ctx); err != nil || strings.Join(keys, ",") != "case.new,rx.refills" {
			t.Errorf("keys: %v, %v", keys, err)
		}
		if err := svc.DeleteHelp(ctx, saor, "case.new"); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteHelp(ctx, saor, "case.new"); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}

		if _, err := svc.RecordComment(ctx, mor, site.Comment{Comment: "anonymous, private"}); err != nil {
			t.Fatal(err)
		}
		c, err := svc.RecordComment(ctx, vor, site.Comment{UserID: vor.ID(), Public: true, Comment: "public"})
		if err != nil || c.ID == 0 {
			t.Fatal(c, err)
		}
		if _, err := svc.RecordComment(ctx, vor, site.Comment{UserID: mor.ID(), Comment: "as someone else"}); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("comment as another: %v", err)
		}
		if cs, _ := svc.Comments(ctx, saor); len(cs) != 2 {
			t.Errorf("SAOR sees %d comments, want 2", len(cs))
		}
		if cs, _ := svc.Comments(ctx, mor); len(cs) != 1 || cs[0].UserID != vor.ID() {
			t.Errorf("MOR sees %+v, want the public one", cs)
		}

		svc.RecordVisit(ctx, mor.ID(), "first")
		*now = now.Add(time.Hour)
		svc.RecordVisit(ctx, mor.ID(), "second")
		vs, err := svc.Visits(ctx, mor, mor.ID())
		if err != nil || len(vs) != 2 || vs[0].Message != "second" || !vs[0].When.Equal(*now) {
			t.Errorf("visits: %+v, %v", vs, err)
		}
		if _, err := svc.Visits(ctx, vor, mor.ID()); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR reads MOR's visits: %v", err)
		}

		e, err := svc.Log(ctx, rx.Actor{}, "", strings.Repeat("é", site.MaxLogMessage))
		if err != nil || e.Level != site.LevelInfo || len(e.Message) != site.MaxLogMessage {
			t.Fatalf("log: %d bytes, %v", len(e.Message), err)
		}
		if _, err := svc.Log(ctx, mor, "TRACE", "x"); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("bad severity: %v", err)
		}
		*now = now.Add(time.Hour)
		svc.Log(ctx, mor, site.LevelError, "boom")
		if _, err := svc.LogEntries(ctx, mor, time.Time{}); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("MOR reads log: %v", err)
		}
		es, err := svc.LogEntries(ctx, saor, time.Time{})
		if err != nil || len(es) != 2 || es[0].Message != "boom" || es[0].User != mor.ID() {
			t.Errorf("log entries: %+v, %v", es, err)
		}
		if n, err := svc.PruneLog(ctx, saor, *now); err != nil || n != 1 {
			t.Errorf("prune: %d, %v", n, err)
		}
	})
}
