package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/vetlink/vetlink/rx"
)

// bootstrap makes a fresh database usable: an API key for the first
// application, the first administrator (SAOR), and the reference data.
// On a database that has them it changes nothing, so every start may run
// it, on every server sharing the database.
//
// What it generates (a key, a password) it prints to out, once: neither is
// stored in the clear, so it cannot be shown again.
func bootstrap(ctx context.Context, s *server, cfg config, logger *slog.Logger, out io.Writer) error {
	var (
		apiKey   = cfg.APIKey
		password = cfg.AdminPassword
		newKey   bool
		newAdmin bool
	)
	if apiKey != "" {
		if _, err := s.auth.EnsureAPIKey(ctx, "VETLINK_API_KEY", apiKey); err != nil {
			return fmt.Errorf("adopting VETLINK_API_KEY: %w", err)
		}
	} else {
		keys, err := s.auth.APIKeys(ctx)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			if apiKey, _, err = s.auth.CreateAPIKey(ctx, "first application"); err != nil {
				return err
			}
			newKey = true
		}
	}

	name := cfg.AdminUsername
	if name == "" {
		name = "administrator" // rx wants 7 characters or more
	}
	creds, err := s.db.Auth().Credentials(ctx, name)
	if err != nil {
		return err
	}
	admin := creds.User
	if admin == 0 {
		if password == "" {
			password = rand.Text()
		}
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			// The first administrator is the root of trust: no actor can
			// create it through rx's rules, so it is written directly.
			u := rx.User{Uname: name, Type: rx.SAOR, Firstname: "vetlink", Lastname: "administrator"}
			if err := s.db.Rx().CreateUser(ctx, &u); err != nil {
				return err
			}
			admin = u.ID
			return s.auth.SetPassword(ctx, u.ID, password)
		})
		if err != nil {
			return fmt.Errorf("creating the administrator %q: %w", name, err)
		}
		newAdmin = true
		logger.Info("created the administrator", "uname", name, "id", int64(admin))
	}

	actor, err := s.rx.Actor(ctx, admin)
	if err != nil {
		return err
	}
	if actor.User.Type == rx.SAOR {
		counts, err := s.library.Seed(ctx, actor)
		if err != nil {
			return fmt.Errorf("seeding the reference data: %w", err)
		}
		if counts != (rx.SeedCounts{}) {
			logger.Info("seeded the reference data", "eligibilities", counts.Eligibilities, "diagnoses", counts.Diagnoses, "promises", counts.Promises,
				"labelClaims", counts.LabelClaims, "greenbookDrugs", counts.GreenbookDrugs)
		}
	} else if newAdmin {
		return errors.New("the administrator is not a SAOR")
	}

	if newKey || (newAdmin && cfg.AdminPassword == "") {
		fmt.Fprintln(out, "vetlink: a fresh database. Log in with:")
		shownKey := apiKey
		if shownKey == "" {
			shownKey = "<your API key>"
		}
		shownPassword := password
		if !newAdmin || cfg.AdminPassword != "" {
			shownPassword = "<the administrator's password>"
		}
		fmt.Fprintf(out, "  curl -s -X POST localhost%s/api/users/logins -H 'Content-Type: application/json' \\\n", portOf(cfg.Addr))
		fmt.Fprintf(out, "    -d '{\"apikey\":\"%s\",\"identifier\":\"%s\",\"password\":\"%s\"}'\n", shownKey, name, shownPassword)
		fmt.Fprintln(out, "  The API key and password are shown this once; only their hashes are stored.")
	}
	return nil
}

// portOf returns ":8080" of ":8080" or "0.0.0.0:8080".
func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ":" + addr
}
