package client_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestEnrollmentSurvivesALostAnswer: the server enrolls the case but its
// answer is lost on the way back; the API sends the enrollment again with
// the same Idempotency-Key and gets the first case, and the prescription
// has one case, not two. On both engines, through the fault proxy.
func TestEnrollmentSurvivesALostAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newAPIEnv(t, db)
		ctx := context.Background()
		vorUser := e.user(t, rx.VOR, "vet-idem")
		morUser := e.user(t, rx.MOR, "farm-idem")
		require.NoError(t, db.Rx().AddRelation(ctx, rx.Relation{Kind: rx.Client, Left: vorUser.ID, Right: morUser.ID}))
		vor, err := client.New(ctx, e.URL, client.WithAPIKey(e.APIKey), client.WithLogin("vet-idem", password))
		require.NoError(t, err)
		created, err := client.Check(vor.CreatePrescriptionWithResponse(ctx, rx.PrescriptionRequest{Protocol: flunixin(t), MOR: morUser.ID, Refills: 5}))
		require.NoError(t, err)
		p := created.JSON201.Prescription

		f := newFaultProxy(t, e.URL)
		mor, err := client.New(ctx, f.URL, client.WithAPIKey(e.APIKey),
			client.WithLogin("farm-idem", password), client.WithRetry(fastRetries(nil)))
		require.NoError(t, err)
		enrollment := func(animal string) rx.Case {
			return rx.Case{RxID: p.ID, AnimalID: animal, Initiation: p.Created, Species: protocol.DairyCattle,
				Data: &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)}}
		}
		casesOf := func() int {
			cs, err := db.Rx().Cases(ctx, p.ID)
			require.NoError(t, err)
			return len(cs)
		}

		tests := []struct {
			name   string
			animal string
			enroll func(c rx.Case) (int64, error)
			sent   int // attempts the proxy saw
		}{
			{"enrollCase, key of the API's own", "Bossie34", func(c rx.Case) (int64, error) {
				r, err := client.Check(mor.EnrollCaseWithResponse(ctx, nil, c))
				if err != nil {
					return 0, err
				}
				return *r.JSON200.Case.Id, nil
			}, 2},
			{"enrollCase, the caller's key", "Clover", func(c rx.Case) (int64, error) {
				key := "herd-import-2026-12-02-clover"
				r, err := client.Check(mor.EnrollCaseWithResponse(ctx, &client.EnrollCaseParams{IdempotencyKey: &key}, c))
				if err != nil {
					return 0, err
				}
				require.Equal(t, []string{key, key}, f.postKeys())
				return *r.JSON200.Case.Id, nil
			}, 2},
			{"deprecatedEnrollCase", "Daisy", func(c rx.Case) (int64, error) {
				r, err := client.Check(mor.DeprecatedEnrollCaseWithResponse(ctx, nil, c))
				if err != nil {
					return 0, err
				}
				return *r.JSON200.Case.Id, nil
			}, 2},
		}
		for n, tc := range tests {
			f.inject(0, dropAnswer)
			id, err := tc.enroll(enrollment(tc.animal))
			require.NoError(t, err, tc.name)
			require.NotZero(t, id, tc.name)
			pending, seen := f.state()
			require.Zero(t, pending, tc.name)
			require.Equal(t, tc.sent, seen, "%s: the lost answer's request and its retry", tc.name)
			keys := f.postKeys()
			require.Len(t, keys, tc.sent, tc.name)
			require.NotEmpty(t, keys[0], tc.name)
			require.Equal(t, keys[0], keys[1], "%s: the retry carries the first attempt's key", tc.name)
			require.Equal(t, n+1, casesOf(), "%s: one case enrolled, not two", tc.name)
		}

		// Each call has a key of its own: a second enrollment of another
		// animal is not taken for a replay of the first.
		first := f.postKeys()[0]
		f.inject(0)
		_, err = client.Check(mor.EnrollCaseWithResponse(ctx, nil, enrollment("Ermintrude")))
		require.NoError(t, err)
		require.Len(t, f.postKeys(), 1)
		require.NotEqual(t, first, f.postKeys()[0])
		require.Equal(t, len(tests)+1, casesOf())

		// A POST without a key is sent once, even when its answer is lost.
		viaProxy, err := client.New(ctx, f.URL, client.WithAPIKey(e.APIKey), client.WithToken(vor.Token()), client.WithRetry(fastRetries(nil)))
		require.NoError(t, err)
		f.inject(0, dropAnswer)
		_, err = viaProxy.CreateProtocolWithResponse(ctx, flunixin(t))
		require.Error(t, err, "the lost answer is the caller's to judge")
		_, seen := f.state()
		require.Equal(t, 1, seen)
	})
}
