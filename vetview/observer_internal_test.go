package vetview

import (
	"testing"
	"time"
)

func TestMissedBetween(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name            string
		schedule        Schedule
		scheduled, next time.Time
		want            int
	}{
		{"next on the grid", Every(time.Minute), t0, t0.Add(time.Minute), 0},
		{"nine skipped", Every(time.Minute), t0, t0.Add(10 * time.Minute), 9},
		{"next before scheduled", Every(time.Minute), t0, t0.Add(-time.Minute), 0},
		{"zero next", Every(time.Minute), t0, time.Time{}, 0},
		{"cron hourly, three skipped", CronSchedule("0 * * * *"), t0, t0.Add(4 * time.Hour), 3},
		{"cron, none skipped", CronSchedule("0 * * * *"), t0, t0.Add(time.Hour), 0},
		{"invalid schedule", Schedule{}, t0, t0.Add(time.Hour), 0},
		{"bounded", Every(MinEvery), t0, t0.Add(24 * time.Hour), maxMissedCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := missedBetween(tt.schedule, tt.scheduled, tt.next); got != tt.want {
				t.Errorf("missedBetween(%s, %s, %s) = %d, want %d", tt.schedule, tt.scheduled, tt.next, got, tt.want)
			}
		})
	}
}
