package client_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/store"
)

func TestFilterConditions(t *testing.T) {
	t.Parallel()
	helsinki := time.FixedZone("EET", 2*3600)
	at := time.Date(2026, 3, 1, 6, 0, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		cond client.Condition
		want string // the query string, or the error when it starts with "!"
	}{
		{"eq int", client.Filter("farm").Eq(42), "farm__eq=42"},
		{"eq int64", client.Filter("farm").Eq(int64(1) << 40), "farm__eq=1099511627776"},
		{"neq text", client.Filter("status").Neq("ACTIVE"), "status__neq=ACTIVE"},
		{"gte time", client.Filter("admitted_time").Gte(at), "admitted_time__gte=2026-03-01+06%3A00%2B01%3A00"},
		{"lt time utc", client.Filter("do_at").Lt(at.UTC()), "do_at__lt=2026-03-01+05%3A00%2B00%3A00"},
		{"time with seconds", client.Filter("do_at").Lte(time.Date(2026, 3, 1, 6, 0, 7, 0, helsinki)), "do_at__lte=2026-03-01+06%3A00%3A07%2B02%3A00"},
		{"range", client.Filter("head").Range(1, 10), "head__range=1%2C10"},
		{"not in range times", client.Filter("initiation").NotInRange(at, at.Add(time.Hour)), "initiation__not_in_range=2026-03-01+06%3A00%2B01%3A00%2C2026-03-01+07%3A00%2B01%3A00"},
		{"in", client.Filter("animal_id").In("Bossie34", "Clover & co"), "animal_id__in=Bossie34%2CClover+%26+co"},
		{"not in", client.Filter("id").NotIn(1, 2, 3), "id__not_in=1%2C2%2C3"},
		{"contains", client.Filter("note").Contains("50% off=yes"), "note__contains=50%25+off%3Dyes"},
		{"contains a comma", client.Filter("note").Contains("a,b"), "note__contains=a%2Cb"},
		{"icontains_not", client.Filter("note").IContainsNot("lame"), "note__icontains_not=lame"},
		{"contains_not", client.Filter("note").ContainsNot("x"), "note__contains_not=x"},
		{"icontains", client.Filter("note").IContains("x"), "note__icontains=x"},
		{"gt", client.Filter("seq").Gt(int32(2)), "seq__gt=2"},
		{"is null", client.Filter("done_at").IsNull(true), "done_at__is_null=true"},
		{"bool", client.Filter("active").Eq(false), "active__eq=false"},
		{"related", client.Filter("prescription.status").Eq("ACTIVE"), "prescription.status__eq=ACTIVE"},

		{"empty field", client.Filter("").Eq(1), `!client: filter field "": must be lowercase letters`},
		{"method in the field", client.Filter("farm__gte").Eq(1), `!client: filter field "farm__gte": must be lowercase letters`},
		{"upper case", client.Filter("Farm").Eq(1), `!client: filter field "Farm"`},
		{"an ampersand", client.Filter("farm&limit").Eq(1), `!client: filter field "farm&limit"`},
		{"two dots", client.Filter("a.b.c").Eq(1), `!client: filter field "a.b.c"`},
		{"limit", client.Filter("limit").Eq(1), `!client: filter field "limit": is a parameter of the list, not a field`},
		{"expose", client.Filter("expose_farm").Eq(true), `!client: filter field "expose_farm": is a parameter of the list`},
		{"a float", client.Filter("head").Eq(1.5), "!client: filter head__eq: 1.5 (float64): a filter value is a string, an integer, a bool or a time.Time"},
		{"empty text", client.Filter("note").Eq(""), "!client: filter note__eq: value: must not be empty"},
		{"zero time", client.Filter("do_at").Gte(time.Time{}), "!client: filter do_at__gte: time: must not be the zero time"},
		{"sub-second time", client.Filter("do_at").Gte(at.Add(time.Millisecond)), "!client: filter do_at__gte: time 2026-03-01T06:00:00.001+01:00: the server reads whole seconds; truncate it first"},
		{"comma in an in value", client.Filter("animal_id").In("a,b", "c"), `!client: filter animal_id__in: value "a,b": contains a comma, which separates the values of in`},
		{"comma in a range", client.Filter("note").Range("a,", "b"), `!client: filter note__range: value "a,": contains a comma`},
		{"in of nothing", client.Filter("id").In(), "!client: filter id__in: needs at least one value"},
		{"not in of nothing", client.Filter("id").NotIn(), "!client: filter id__not_in: needs at least one value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := client.Query(tc.cond)
			if msg, ok := strings.CutPrefix(tc.want, "!"); ok {
				require.ErrorContains(t, err, msg)
				require.Equal(t, err, tc.cond.Err())
				require.Empty(t, tc.cond.String())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, q)
			require.Equal(t, tc.want, tc.cond.String())
		})
	}
}

// TestFilterTimesParseOnTheServer: every time a Condition writes, the
// server's parser reads as the same instant.
func TestFilterTimesParseOnTheServer(t *testing.T) {
	t.Parallel()
	for _, at := range []time.Time{
		time.Date(2026, 3, 1, 6, 0, 0, 0, time.FixedZone("CET", 3600)),
		time.Date(2026, 3, 1, 6, 0, 59, 0, time.FixedZone("NST", -(3*3600+1800))),
		time.Date(1999, 12, 31, 23, 59, 0, 0, time.UTC),
	} {
		v, err := url.ParseQuery(client.Filter("do_at").Eq(at).String())
		require.NoError(t, err)
		got, err := store.ParseFilterTime(v.Get("do_at__eq"))
		require.NoError(t, err)
		require.True(t, at.Equal(got), "%s read as %s", v.Get("do_at__eq"), got)
	}
}

func TestQueryStopsAtTheFirstBadCondition(t *testing.T) {
	t.Parallel()
	q, err := client.Query(client.Filter("farm").Eq(1), client.Filter("farm").Lt(9))
	require.NoError(t, err)
	require.Equal(t, "farm__eq=1&farm__lt=9", q)
	_, err = client.Query(client.Filter("farm").Eq(1), client.Filter("head").Eq(0.5), client.Filter("").Eq(1))
	require.ErrorContains(t, err, "head__eq")
}

// FuzzFilter: whatever the field and value, a Condition is an error or a
// query string that parses back into exactly the parameter and value it
// was built from.
func FuzzFilter(f *testing.F) {
	f.Add("admitted_time", "2026-03-01 06:00+01:00", int64(3))
	f.Add("prescription.status", "A&B=C", int64(-1))
	f.Add("farm__eq", "%2B", int64(0))
	f.Add("note", "a,b", int64(7))
	f.Fuzz(func(t *testing.T, field, value string, n int64) {
		for _, c := range []client.Condition{
			client.Filter(field).Eq(value), client.Filter(field).IContains(value),
			client.Filter(field).In(value, n), client.Filter(field).Gte(n),
		} {
			if c.Err() != nil {
				continue
			}
			v, err := url.ParseQuery(c.String())
			require.NoError(t, err)
			require.Len(t, v, 1, c.String())
			for name, vals := range v {
				require.Len(t, vals, 1)
				param, method, ok := strings.Cut(name, "__")
				require.True(t, ok, name)
				require.Equal(t, field, param)
				require.NotContains(t, method, "__")
				require.NotEmpty(t, vals[0])
			}
		}
	})
}
