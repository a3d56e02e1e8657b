package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/vetview"
)

// ReminderKindName is the kind name of the task reminder job.
const ReminderKindName = "task-reminders"

// TaskSource is what the reminder job reads from rx: the farm (its name
// and e-mail) and its pending tasks. rx.Store satisfies it.
type TaskSource interface {
	User(ctx context.Context, id rx.UserID) (rx.User, error)
	DueTasks(ctx context.Context, mor rx.UserID, before time.Time) ([]rx.Task, error)
}

// ReminderSettings configure a job of kind "task-reminders".
type ReminderSettings struct {
	// Farms are the MORs (farm managers) to remind. A new job starts with
	// none (no default can know a site's user IDs); until one is named,
	// each run fails saying so, and the job's status shows it.
	Farms []FarmRecipient `json:"farms"`
	// LookaheadMinutes widens the reminder to tasks due up to this long
	// after the run's scheduled time; 0 lists the tasks due and overdue
	// at that time only. A job that runs daily at 06:00 with 1440 lists the
	// day's work.
	LookaheadMinutes int `json:"lookaheadMinutes"`
	// GraceMinutes is how long after its time a task is DUE before it is
	// OVERDUE; 0 means rx.DefaultGrace.
	GraceMinutes int `json:"graceMinutes,omitempty"`
}

// FarmRecipient names a farm and who is told about its tasks.
type FarmRecipient struct {
	Farm rx.UserID `json:"farm"`
	// To overrides the farm user's e-mail address.
	To []string `json:"to,omitempty"`
}

// errNoFarms is a run's error while the job names no farm.
var errNoFarms = errors.New("farms: none configured; name at least one farm (MOR user ID) in the job's settings")

// maxLookahead bounds LookaheadMinutes: a reminder for more than a month
// ahead is a report, not a reminder.
const maxLookahead = 31 * 24 * 60

// Validate checks the settings when a job is configured.
func (s ReminderSettings) Validate() error {
	for _, f := range s.Farms {
		if f.Farm <= 0 {
			return fmt.Errorf("farms: farm %d: must be a user ID", f.Farm)
		}
	}
	if s.LookaheadMinutes < 0 || s.LookaheadMinutes > maxLookahead {
		return fmt.Errorf("lookaheadMinutes %d: must be between 0 and %d", s.LookaheadMinutes, maxLookahead)
	}
	if s.GraceMinutes < 0 {
		return fmt.Errorf("graceMinutes %d: must not be negative", s.GraceMinutes)
	}
	return nil
}

// ReminderKind returns the kind "task-reminders": each run sends every
// configured farm one notification listing its tasks that are overdue, due,
// or due within the lookahead, as of the run's scheduled time. A farm with
// nothing to do gets no message.
//
// Runs are stateless: a task stays in the reminders until it is done, and
// a run repeated after a crash sends its reminders again. Schedule the job
// as often as farms want the list (e.g. cron "0 6 * * *").
//
// A failure for one farm (no address, the mail server refusing) does not
// stop the others; the run's error lists every farm that failed.
func ReminderKind(tasks TaskSource, send Sender) vetview.Kind[ReminderSettings] {
	return vetview.Kind[ReminderSettings]{
		Name:        ReminderKindName,
		Title:       "Task reminders",
		Description: "Tells farms which treatment and promise tasks are overdue or due soon.",
		// No farm by default: a fixed user ID would remind whichever user
		// happens to have it on a site (issue 12).
		Defaults: ReminderSettings{Farms: []FarmRecipient{}, LookaheadMinutes: 24 * 60},
		Run: func(ctx context.Context, run vetview.RunInfo, s ReminderSettings) error {
			if len(s.Farms) == 0 {
				return errNoFarms
			}
			at := run.ScheduledAt
			var errs []error
			for _, f := range s.Farms {
				if err := remindFarm(ctx, tasks, send, f, s, at); err != nil {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		},
	}
}

func remindFarm(ctx context.Context, src TaskSource, send Sender, f FarmRecipient, s ReminderSettings, at time.Time) error {
	farm, err := src.User(ctx, f.Farm)
	if err != nil {
		return fmt.Errorf("farm %d: %w", f.Farm, err)
	}
	if farm.Type != rx.MOR {
		return fmt.Errorf("farm %d (%s): is a %s, not a farm (MOR)", f.Farm, farm.Uname, farm.Type)
	}
	horizon := at.Add(time.Duration(s.LookaheadMinutes) * time.Minute)
	tasks, err := src.DueTasks(ctx, f.Farm, horizon.Add(time.Nanosecond))
	if err != nil {
		return fmt.Errorf("farm %d (%s): %w", f.Farm, farm.Uname, err)
	}
	if len(tasks) == 0 {
		return nil
	}
	to := f.To
	if len(to) == 0 && farm.Email != "" {
		to = []string{farm.Email}
	}
	if len(to) == 0 {
		return fmt.Errorf("farm %d (%s): %d tasks to remind of, but no e-mail address", f.Farm, farm.Uname, len(tasks))
	}
	grace := rx.DefaultGrace
	if s.GraceMinutes > 0 {
		grace = time.Duration(s.GraceMinutes) * time.Minute
	}
	n := Notification{To: to}
	n.Subject, n.Body = reminderText(farm, tasks, at, grace)
	if err := send.Send(ctx, n); err != nil {
		return fmt.Errorf("farm %d (%s): %w", f.Farm, farm.Uname, err)
	}
	return nil
}

// reminderText writes the subject and body of a farm's reminder.
func reminderText(farm rx.User, tasks []rx.Task, at time.Time, grace time.Duration) (subject, body string) {
	var overdue, due, soon int
	var b strings.Builder
	fmt.Fprintf(&b, "Tasks for %s as of %s:\n\n", farm.Name(), at.UTC().Format("2006-01-02 15:04 UTC"))
	for i := range tasks {
		t := &tasks[i]
		status := t.StatusAt(at, grace)
		label := "due soon"
		switch status {
		case rx.TaskOverdue:
			overdue++
			label = "OVERDUE"
		case rx.TaskDue:
			due++
			label = "due"
		default:
			soon++
		}
		fmt.Fprintf(&b, "- %-8s %s  %s\n", label, t.DoAt.UTC().Format("2006-01-02 15:04"), describeTask(t))
	}
	b.WriteString("\nRecord each task as done or skipped in vetlink to stop these reminders.\n")
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{overdue, "overdue"}, {due, "due"}, {soon, "due soon"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return fmt.Sprintf("%s: %s", farm.Name(), strings.Join(parts, ", ")), b.String()
}

func describeTask(t *rx.Task) string {
	animal := t.AnimalID
	if animal == "" {
		animal = "(no animal ID)"
	}
	if t.Kind == rx.PromiseTaskKind {
		return fmt.Sprintf("%s: %s", animal, t.PromiseName)
	}
	s := fmt.Sprintf("%s: %s", animal, t.Product)
	if !t.Volume.Value.IsZero() {
		s += " " + t.Volume.String()
	} else if !t.Dose.Value.IsZero() {
		s += " " + t.Dose.String()
	}
	if t.Route != "" {
		s += " " + t.Route
	}
	return s
}
