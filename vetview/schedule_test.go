package vetview_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/vetview"
)

func TestScheduleNextSkipsMissedOccurrences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		schedule  vetview.Schedule
		prev, now string
		want      string
	}{
		{"on time", vetview.Every(5 * time.Minute), "2026-03-02 10:00:00", "2026-03-02 10:01:00", "2026-03-02 10:05:00"},
		{"finished exactly at the next tick", vetview.Every(5 * time.Minute), "2026-03-02 10:00:00", "2026-03-02 10:05:00", "2026-03-02 10:10:00"},
		{"after 17 min downtime: once, on the grid", vetview.Every(5 * time.Minute), "2026-03-02 10:00:00", "2026-03-02 10:17:00", "2026-03-02 10:20:00"},
		{"after two days downtime", vetview.Every(time.Hour), "2026-03-02 10:00:00", "2026-03-04 09:59:59", "2026-03-04 10:00:00"},
		{"clock behind prev", vetview.Every(5 * time.Minute), "2026-03-02 10:00:00", "2026-03-02 09:59:00", "2026-03-02 10:05:00"},
		{"cron on time", vetview.CronSchedule("0 * * * *"), "2026-03-02 10:00:00", "2026-03-02 10:00:03", "2026-03-02 11:00:00"},
		{"cron after downtime", vetview.CronSchedule("0 * * * *"), "2026-03-02 10:00:00", "2026-03-02 13:30:00", "2026-03-02 14:00:00"},
		{"cron clock behind prev", vetview.CronSchedule("0 * * * *"), "2026-03-02 10:00:00", "2026-03-02 09:59:59", "2026-03-02 11:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, at(tt.want), tt.schedule.Next(at(tt.prev), at(tt.now)))
		})
	}
}

func TestScheduleFirst(t *testing.T) {
	t.Parallel()
	require.Equal(t, at("2026-03-02 10:05:00"), vetview.Every(5*time.Minute).First(at("2026-03-02 10:00:00")))
	require.Equal(t, at("2026-03-02 11:00:00"), vetview.CronSchedule("0 * * * *").First(at("2026-03-02 10:20:00")))
	require.True(t, vetview.Every(-time.Minute).First(at("2026-03-02 10:00:00")).IsZero())
	require.True(t, vetview.Every(-time.Minute).Next(at("2026-03-02 10:00:00"), at("2026-03-02 10:00:00")).IsZero())
}

func TestScheduleValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		schedule vetview.Schedule
		want     string // "" for valid
	}{
		{vetview.Every(time.Minute), ""},
		{vetview.Every(vetview.MinEvery), ""},
		{vetview.CronSchedule("*/5 * * * *"), ""},
		{vetview.Schedule{}, `vetview: schedule "": set an interval (every) or a cron expression`},
		{vetview.Every(-5 * time.Second), `vetview: schedule.every "-5s": must be positive`},
		{vetview.Every(time.Millisecond), `vetview: schedule.every "1ms": must be at least 10ms`},
		{vetview.Schedule{Every: time.Minute, Cron: "* * * * *"}, `vetview: schedule "every 1m0s, cron * * * * *": set either an interval or a cron expression, not both`},
		{vetview.CronSchedule("61 * * * *"), `vetview: cron "61 * * * *": minute value 61: must be between 0 and 59`},
	}
	for _, tt := range tests {
		t.Run(tt.schedule.String(), func(t *testing.T) {
			err := tt.schedule.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, vetview.ErrInvalid)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestScheduleString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "every 5m0s", vetview.Every(5*time.Minute).String())
	require.Equal(t, "cron 0 6 * * 1-5", vetview.CronSchedule("0 6 * * 1-5").String())
}
