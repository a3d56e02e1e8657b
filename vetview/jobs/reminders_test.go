package jobs_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// reminderSetup enrolls the cow Bossie34 on rxtest's three-dose flunixin
// protocol at Monday 2 March 2026 06:00 UTC, in a real SQLite store:
// doses at Mon, Tue and Wed 06:00, "Tag the animal" at Mon 06:00 and
// "Recheck temperature" at Tue 18:00.
func reminderSetup(t *testing.T) (*rxtest.Fixture, rx.Store) {
	t.Helper()
	st := storetest.SQLite(t).Rx()
	f := rxtest.NewFixture(t, st, "r")
	p := f.Prescribe(t, 0, time.Time{})
	_, err := f.Service.Enroll(context.Background(), f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	return f, st
}

func runReminders(t *testing.T, st rx.Store, addr string, at time.Time, s jobs.ReminderSettings) error {
	t.Helper()
	sender := &jobs.SMTPSender{Addr: addr, From: "reminders@clinic.example"}
	kind := jobs.ReminderKind(st, sender)
	return kind.Run(context.Background(), vetview.RunInfo{ScheduledAt: at}, s)
}

func TestReminderKindMailsTheFarm(t *testing.T) {
	t.Parallel()
	f, st := reminderSetup(t)
	monday := func(h int) time.Time { return time.Date(2026, 3, 2, h, 0, 0, 0, time.UTC) }
	tests := []struct {
		name      string
		at        time.Time
		lookahead int
		subject   string
		body      string // "" when no mail is sent
	}{
		{
			name: "a day ahead, at 11:00", at: monday(11), lookahead: 24 * 60,
			subject: "Subject: Mia Meadow: 2 overdue, 1 due soon",
			body: "Tasks for Mia Meadow as of 2026-03-02 11:00 UTC:\n\n" +
				"- OVERDUE  2026-03-02 06:00  Bossie34: Flunixin meglumine 50 mg/mL 26.4 ml IV\n" +
				"- OVERDUE  2026-03-02 06:00  Bossie34: Tag the animal\n" +
				"- due soon 2026-03-03 06:00  Bossie34: Flunixin meglumine 50 mg/mL 26.4 ml IV\n" +
				"\nRecord each task as done or skipped in vetlink to stop these reminders.\n",
		},
		{
			name: "due now, within the grace period", at: monday(7), lookahead: 0,
			subject: "Subject: Mia Meadow: 2 due",
			body: "Tasks for Mia Meadow as of 2026-03-02 07:00 UTC:\n\n" +
				"- due      2026-03-02 06:00  Bossie34: Flunixin meglumine 50 mg/mL 26.4 ml IV\n" +
				"- due      2026-03-02 06:00  Bossie34: Tag the animal\n" +
				"\nRecord each task as done or skipped in vetlink to stop these reminders.\n",
		},
		{name: "nothing due yet: no mail", at: monday(5), lookahead: 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, got := smtpServer(t, "")
			err := runReminders(t, st, addr, tt.at, jobs.ReminderSettings{
				Farms:            []jobs.FarmRecipient{{Farm: f.Farm.ID(), To: []string{"mia@meadow.example"}}},
				LookaheadMinutes: tt.lookahead,
			})
			require.NoError(t, err)
			if tt.body == "" {
				require.Empty(t, got)
				return
			}
			m := <-got
			require.Equal(t, []string{"mia@meadow.example"}, m.to)
			head, body, _ := strings.Cut(m.data, "\n\n")
			require.Contains(t, head, tt.subject)
			require.Equal(t, tt.body, body)
		})
	}
}

func TestReminderKindReportsEachFailingFarm(t *testing.T) {
	t.Parallel()
	f, st := reminderSetup(t)
	addr, got := smtpServer(t, "gone@meadow.example")
	err := runReminders(t, st, addr, rxtest.Start.Add(time.Hour), jobs.ReminderSettings{
		Farms: []jobs.FarmRecipient{
			{Farm: f.Vet.ID()},  // not a farm
			{Farm: f.Farm.ID()}, // the fixture's farm has no e-mail address
			{Farm: f.Farm.ID(), To: []string{"gone@meadow.example"}},
			{Farm: f.Farm.ID(), To: []string{"mia@meadow.example"}},
			{Farm: 999},
		},
	})
	require.Error(t, err)
	msg := err.Error()
	require.Contains(t, msg, "is a VOR, not a farm (MOR)")
	require.Contains(t, msg, "2 tasks to remind of, but no e-mail address")
	require.Contains(t, msg, `RCPT TO gone@meadow.example: 550 "no such user"`)
	require.Contains(t, msg, "farm 999:")
	require.ErrorIs(t, err, rx.ErrNotFound)
	m := <-got
	require.Equal(t, []string{"mia@meadow.example"}, m.to, "the other farms' failures do not stop this one")
}

func TestReminderSettingsValidate(t *testing.T) {
	t.Parallel()
	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.ReminderKind(nil, nil))
	tests := []struct {
		settings string
		want     string // "" for valid
	}{
		{`{"farms":[{"farm":4,"to":["mia@meadow.example"]}],"lookaheadMinutes":1440}`, ""},
		{`{"farms":[]}`, ""}, // the default: no farm yet; runs fail until one is named
		{``, ""},             // the defaults, which name no user
		{`{"farms":[{"farm":0}]}`, "farm 0: must be a user ID"},
		{`{"farms":[{"farm":4}],"lookaheadMinutes":-1}`, "lookaheadMinutes -1: must be between 0 and 44640"},
		{`{"farms":[{"farm":4}],"graceMinutes":-5}`, "graceMinutes -5: must not be negative"},
		{`{"farms":[{"farm":4}],"lookahead":5}`, `unknown field "lookahead"`},
	}
	for _, tt := range tests {
		t.Run(tt.settings, func(t *testing.T) {
			err := kinds.ValidateSettings(jobs.ReminderKindName, json.RawMessage(tt.settings))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, vetview.ErrInvalid)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestReminderKindDefaultsNameNoFarm: a job created with the kind's
// defaults reminds no fixed user ID; each run fails saying what to set.
func TestReminderKindDefaultsNameNoFarm(t *testing.T) {
	t.Parallel()
	kind := jobs.ReminderKind(nil, nil)
	require.Empty(t, kind.Defaults.Farms)
	err := kind.Run(context.Background(), vetview.RunInfo{}, kind.Defaults)
	require.EqualError(t, err, "farms: none configured; name at least one farm (MOR user ID) in the job's settings")
}
