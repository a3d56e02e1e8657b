package rx_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// The PTask example of the VCPR document decodes, and its PData keeps the
// discriminator spelling it came with.
func TestPTaskFromVCPRExample(t *testing.T) {
	var task rx.Task
	require.NoError(t, json.Unmarshal(readFixture(t, "ptask.json"), &task))
	require.Equal(t, rx.PromiseTaskKind, task.Kind)
	require.Equal(t, int64(23), task.CaseID)
	require.Equal(t, int64(1), task.PromID)
	require.Equal(t, rx.UserID(2), task.Executor)
	require.Equal(t, time.Date(2020, 5, 16, 16, 19, 12, 0, time.UTC), task.DoAt)
	require.Equal(t, rx.PDataString, task.Data.Kind)
	require.Equal(t, "promise response string", task.Data.Text)
	out, err := json.Marshal(task.Data)
	require.NoError(t, err)
	require.JSONEq(t, `{"_type":"models.PDataString","promiseId":5,"dat":"promise response string"}`, string(out))
}

func TestDoseTaskRoundTrip(t *testing.T) {
	in := readFixture(t, "dosetask.json")
	var task rx.Task
	require.NoError(t, json.Unmarshal(in, &task))
	require.Equal(t, "1320 mg", task.Dose.String())
	require.Equal(t, "IV", task.Route)
	out, err := json.Marshal(task)
	require.NoError(t, err)
	require.JSONEq(t, `{"_type":"models.DoseTask","id":7,"caseId":23,"morId":2,"vorId":1,"animalId":"Bossie34",
		"doAt":"2026-03-03T06:00:00Z","status":"EXECUTED","product":"Flunixin meglumine 50 mg/mL","route":"IV",
		"dose":{"quantity":{"dimension":"Mass","value":1320,"symbol":"mg"}},"treatment":0,"promise":0,"promId":0}`, string(out))
	var bad rx.Task
	require.Error(t, json.Unmarshal([]byte(`{"_type":"models.Visit"}`), &bad))
}

func TestCaseRoundTrip(t *testing.T) {
	in := readFixture(t, "case.json")
	var c rx.Case
	require.NoError(t, json.Unmarshal(in, &c))
	w, ok := c.Data.(*protocol.WeightData)
	require.True(t, ok, "caseData is %T", c.Data)
	require.Equal(t, "600 kg", w.Weight.String())
	out, err := json.Marshal(c)
	require.NoError(t, err)
	require.JSONEq(t, string(in), string(out))

	hx := rx.CaseHx{Case: c, Withhold: &rx.Withhold{ID: 1, CaseID: 123, AnimalID: "Bossie34",
		Initiated: c.Initiation, MeatUntil: c.Initiation, MilkUntil: c.Initiation}}
	out, err = json.Marshal(hx)
	require.NoError(t, err)
	var back rx.CaseHx
	require.NoError(t, json.Unmarshal(out, &back))
	require.Equal(t, "Bossie34", back.AnimalID)
	require.Equal(t, []rx.Task{}, back.DoseTasks)
	require.Equal(t, int64(123), back.Withhold.CaseID)
	require.Contains(t, string(out), `"doseTasks":[]`)
	require.Contains(t, string(out), `"Withhold":{`)
}

func TestPData(t *testing.T) {
	tests := []struct {
		in, out string
		text    string
		err     error
	}{
		{`{"_type":"models.PdataNone","promiseId":3}`, `{"_type":"models.PdataNone","promiseId":3}`, "", nil},
		{`{"_type":"models.PDataNone","promiseId":3}`, `{"_type":"models.PDataNone","promiseId":3}`, "", nil},
		{`{"_type":"models.PdataString","promiseId":3,"dat":"ok"}`, `{"_type":"models.PdataString","promiseId":3,"dat":"ok"}`, "ok", nil},
		{`{"_type":"models.PdataNumber","promiseId":3,"dat":42.3}`, `{"_type":"models.PdataNumber","promiseId":3,"dat":42.3}`, "42.3", nil},
		{`{"_type":"models.PDataBoolean","promiseId":3,"dat":true}`, `{"_type":"models.PDataBoolean","promiseId":3,"dat":true}`, "yes", nil},
		{`{"_type":"models.PdataMass","promiseId":3,"dat":{"dimension":"Mass","value":612,"symbol":"kg"}}`,
			`{"_type":"models.PdataMass","promiseId":3,"dat":{"dimension":"Mass","value":612,"symbol":"kg"}}`, "612 kg", nil},
		{`{"_type":"models.PdataMass","promiseId":3,"dat":{"dimension":"Volume","value":5,"symbol":"ml"}}`, "", "", rx.ErrInvalid},
		{`{"_type":"models.PdataString","promiseId":3}`, "", "", rx.ErrInvalid},
		{`{"_type":"models.PdataNumber","promiseId":3,"dat":"many"}`, "", "", rx.ErrInvalid},
		{`{"_type":"models.Pdata","promiseId":3}`, "", "", rx.ErrInvalid},
	}
	for _, tc := range tests {
		var d rx.PData
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.text, d.String(), tc.in)
		out, err := json.Marshal(d)
		require.NoError(t, err)
		require.JSONEq(t, tc.out, string(out), tc.in)
	}
}

// FuzzPData checks that whatever decodes re-encodes, and decodes again to
// the same text.
func FuzzPData(f *testing.F) {
	for _, s := range []string{
		`{"_type":"models.PdataNone","promiseId":3}`,
		`{"_type":"models.PdataString","promiseId":3,"dat":"ok"}`,
		`{"_type":"models.PdataNumber","promiseId":3,"dat":42.3}`,
		`{"_type":"models.PDataBoolean","promiseId":3,"dat":false}`,
		`{"_type":"models.PdataMass","promiseId":3,"dat":{"dimension":"Mass","value":612,"symbol":"kg"}}`,
		`{"_type":"models.pdatamass","dat":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d rx.PData
		if err := json.Unmarshal(b, &d); err != nil {
			var e *rx.Error
			if errors.As(err, &e) && !errors.Is(err, rx.ErrInvalid) {
				t.Fatalf("rx error %v is not ErrInvalid", err)
			}
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("decoded %q but cannot encode: %v", b, err)
		}
		var again rx.PData
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if again.String() != d.String() || again.Kind != d.Kind {
			t.Fatalf("round trip changed %q → %q", d.String(), again.String())
		}
	})
}

func TestTaskStatusAt(t *testing.T) {
	doAt := time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC)
	grace := 4 * time.Hour
	tests := []struct {
		stored rx.TaskStatus
		now    time.Time
		want   rx.TaskStatus
	}{
		{rx.TaskRequired, doAt.Add(-time.Minute), rx.TaskRequired},
		{rx.TaskRequired, doAt, rx.TaskDue},
		{rx.TaskRequired, doAt.Add(4*time.Hour - time.Second), rx.TaskDue},
		{rx.TaskRequired, doAt.Add(4 * time.Hour), rx.TaskOverdue},
		{rx.TaskRequired, doAt.Add(30 * 24 * time.Hour), rx.TaskOverdue},
		{rx.TaskExecuted, doAt.Add(30 * 24 * time.Hour), rx.TaskExecuted},
		{rx.TaskCancelled, doAt.Add(5 * time.Hour), rx.TaskCancelled},
		{rx.TaskRecalled, doAt.Add(5 * time.Hour), rx.TaskRecalled},
	}
	for _, tc := range tests {
		task := rx.Task{DoAt: doAt, Status: tc.stored}
		if got := task.StatusAt(tc.now, grace); got != tc.want {
			t.Errorf("%s at %s: got %s, want %s", tc.stored, tc.now.Format(time.RFC3339), got, tc.want)
		}
	}
}
