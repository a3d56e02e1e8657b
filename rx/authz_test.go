package rx_test

import (
	"errors"
	"testing"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// The parties of the authorization tables: vet 1 has client farm 10, whose
// employee is tech 20; vet 2 and farm 11 are strangers to them; tech 21
// works for farm 11.
var (
	relVetFarm   = rx.Relation{Kind: rx.Client, Left: 1, Right: 10}
	relFarmTech  = rx.Relation{Kind: rx.Employee, Left: 10, Right: 20}
	relFarm2Tech = rx.Relation{Kind: rx.Employee, Left: 11, Right: 21}

	admin    = rx.Actor{User: rx.User{ID: 100, Type: rx.SAOR}}
	vet      = rx.Actor{User: rx.User{ID: 1, Type: rx.VOR}, Relations: []rx.Relation{relVetFarm}}
	vetAlone = rx.Actor{User: rx.User{ID: 1, Type: rx.VOR}} // vet 1 after the client left
	vet2     = rx.Actor{User: rx.User{ID: 2, Type: rx.VOR}}
	farm     = rx.Actor{User: rx.User{ID: 10, Type: rx.MOR}, Relations: []rx.Relation{relVetFarm, relFarmTech}}
	farm2    = rx.Actor{User: rx.User{ID: 11, Type: rx.MOR}, Relations: []rx.Relation{relFarm2Tech}}
	tech     = rx.Actor{User: rx.User{ID: 20, Type: rx.TOR}, Relations: []rx.Relation{relFarmTech}}
	tech2    = rx.Actor{User: rx.User{ID: 21, Type: rx.TOR}, Relations: []rx.Relation{relFarm2Tech}}
	removed  = rx.Actor{User: rx.User{ID: 10, Type: rx.Removed}, Relations: []rx.Relation{relVetFarm}}
	pending  = rx.Actor{User: rx.User{ID: 1, Type: rx.PreVOR}, Relations: []rx.Relation{relVetFarm}}
	farmAcct = rx.Actor{User: rx.User{ID: 30, Type: rx.FARM}}

	script         = &rx.Prescription{ID: "Vi1y9kbpEj7Upqy7", VOR: 1, MOR: 10, Status: rx.Prescribed}
	scriptMORsOnly = &rx.Prescription{ID: "Vi1y9kbpEj7Upqy8", VOR: 1, MOR: 10, Status: rx.Prescribed,
		Protocol: protocol.Protocol{CaseDefinition: &protocol.CaseDefinition{RequireMOR: true}}}
)

func checkAllowed(t *testing.T, name string, err error, allowed bool) {
	t.Helper()
	switch {
	case allowed && err != nil:
		t.Errorf("%s: refused: %v", name, err)
	case !allowed && err == nil:
		t.Errorf("%s: allowed, want refused", name)
	case !allowed && !errors.Is(err, rx.ErrForbidden) && !errors.Is(err, rx.ErrInvalid):
		t.Errorf("%s: error %v is neither ErrForbidden nor ErrInvalid", name, err)
	}
}

func TestMayPrescribe(t *testing.T) {
	client := rx.User{ID: 10, Type: rx.MOR}
	tests := []struct {
		name    string
		a       rx.Actor
		to      rx.User
		allowed bool
	}{
		{"vet to its client", vet, client, true},
		{"vet to a stranger farm", vet, rx.User{ID: 11, Type: rx.MOR}, false},
		{"vet to its client's technician", vet, rx.User{ID: 20, Type: rx.TOR}, false},
		{"vet after the relationship ended", vetAlone, client, false},
		{"other vet", vet2, client, false},
		{"farm to itself", farm, client, false},
		{"admin", admin, client, false},
		{"pending vet", pending, client, false},
		{"farm account", farmAcct, client, false},
	}
	for _, tc := range tests {
		checkAllowed(t, tc.name, rx.MayPrescribe(tc.a, tc.to), tc.allowed)
	}
}

func TestMayReadEnrollRecallDecline(t *testing.T) {
	type rules struct{ read, enroll, recall, decline, renew, approve bool }
	tests := []struct {
		name string
		a    rx.Actor
		p    *rx.Prescription
		want rules
	}{
		{"prescribing vet", vet, script, rules{read: true, enroll: true, recall: true, approve: true}},
		{"prescribing vet, client gone", vetAlone, script, rules{read: true, recall: true}},
		{"prescribing vet, requireMOR", vet, scriptMORsOnly, rules{read: true, recall: true, approve: true}},
		{"client", farm, script, rules{read: true, enroll: true, decline: true, renew: true}},
		{"client, requireMOR", farm, scriptMORsOnly, rules{read: true, enroll: true, decline: true, renew: true}},
		{"client's technician", tech, script, rules{read: true}},
		{"other farm's technician", tech2, script, rules{}},
		{"other vet", vet2, script, rules{}},
		{"other farm", farm2, script, rules{}},
		{"admin", admin, script, rules{read: true}},
		{"removed client", removed, script, rules{}},
		{"pending vet", pending, script, rules{}},
		{"farm account", farmAcct, script, rules{}},
	}
	for _, tc := range tests {
		checkAllowed(t, tc.name+" read", rx.MayRead(tc.a, tc.p), tc.want.read)
		checkAllowed(t, tc.name+" enroll", rx.MayEnroll(tc.a, tc.p), tc.want.enroll)
		checkAllowed(t, tc.name+" recall", rx.MayRecall(tc.a, tc.p), tc.want.recall)
		checkAllowed(t, tc.name+" decline", rx.MayDecline(tc.a, tc.p), tc.want.decline)
		checkAllowed(t, tc.name+" request renewal", rx.MayRequestRenewal(tc.a, tc.p), tc.want.renew)
		checkAllowed(t, tc.name+" approve", rx.MayApprove(tc.a, tc.p), tc.want.approve)
	}
}

func TestMayExecute(t *testing.T) {
	open := &rx.Task{ID: 5}
	forTech := &rx.Task{ID: 6, Executor: 20}
	forOther := &rx.Task{ID: 7, Executor: 22}
	tests := []struct {
		name    string
		a       rx.Actor
		task    *rx.Task
		allowed bool
	}{
		{"client", farm, open, true},
		{"client, task assigned to its technician", farm, forTech, true},
		{"prescribing vet", vet, open, true},
		{"technician", tech, open, true},
		{"technician, assigned to them", tech, forTech, true},
		{"technician, assigned to another", tech, forOther, false},
		{"other farm's technician", tech2, open, false},
		{"other vet", vet2, open, false},
		{"admin", admin, open, false},
		{"removed", removed, open, false},
	}
	for _, tc := range tests {
		checkAllowed(t, tc.name, rx.MayExecute(tc.a, script, tc.task), tc.allowed)
	}
}

func TestMayReadFarm(t *testing.T) {
	tests := []struct {
		name    string
		a       rx.Actor
		allowed bool
	}{
		{"the farm", farm, true},
		{"its technician", tech, true},
		{"its vet", vet, true},
		{"a vet it left", vetAlone, false},
		{"admin", admin, true},
		{"another farm", farm2, false},
		{"another farm's technician", tech2, false},
		{"another vet", vet2, false},
		{"removed", removed, false},
	}
	for _, tc := range tests {
		checkAllowed(t, tc.name, rx.MayReadFarm(tc.a, 10), tc.allowed)
		// Recording a calving follows the same parties, except the SAOR,
		// who writes nothing clinical.
		checkAllowed(t, tc.name+" records an event", rx.MayRecordEvent(tc.a, 10), tc.allowed && tc.a.User.Type != rx.SAOR)
	}
}

func TestMayRelate(t *testing.T) {
	vorU, morU, torU := rx.User{ID: 1, Type: rx.VOR}, rx.User{ID: 10, Type: rx.MOR}, rx.User{ID: 20, Type: rx.TOR}
	clinic, farmU := rx.User{ID: 40, Type: rx.CLINIC}, rx.User{ID: 30, Type: rx.FARM}
	tests := []struct {
		name        string
		a           rx.Actor
		r           rx.Relation
		left, right rx.User
		allowed     bool
	}{
		{"vet adds its client", vet, rx.Relation{Kind: rx.Client, Left: 1, Right: 10}, vorU, morU, true},
		{"vet adds a client for another vet", vet2, rx.Relation{Kind: rx.Client, Left: 1, Right: 10}, vorU, morU, false},
		{"vet makes a technician its client", vet, rx.Relation{Kind: rx.Client, Left: 1, Right: 20}, vorU, torU, false},
		{"farm adds its technician", farm, rx.Relation{Kind: rx.Employee, Left: 10, Right: 20}, morU, torU, true},
		{"technician adds itself", tech, rx.Relation{Kind: rx.Employee, Left: 10, Right: 20}, morU, torU, false},
		{"admin adds a clinic member", admin, rx.Relation{Kind: rx.Member, Left: 40, Right: 1}, clinic, vorU, true},
		{"admin adds a farm manager", admin, rx.Relation{Kind: rx.Member, Left: 30, Right: 10}, farmU, morU, true},
		{"admin adds a vet to a farm", admin, rx.Relation{Kind: rx.Member, Left: 30, Right: 1}, farmU, vorU, false},
		{"unknown kind", admin, rx.Relation{Kind: "FRIEND", Left: 1, Right: 10}, vorU, morU, false},
		{"vet adds a clinic", vet, rx.Relation{Kind: rx.Member, Left: 40, Right: 1}, clinic, vorU, false},
	}
	for _, tc := range tests {
		checkAllowed(t, tc.name, rx.MayRelate(tc.a, tc.r, tc.left, tc.right), tc.allowed)
	}
}

func TestMayReadUser(t *testing.T) {
	tests := []struct {
		name    string
		a       rx.Actor
		u       rx.User
		allowed bool
	}{
		{"self", tech, tech.User, true},
		{"pending self", pending, pending.User, true},
		{"removed self", removed, removed.User, false},
		{"vet reads its client", vet, farm.User, true},
		{"vet reads another farm", vet, farm2.User, false},
		{"farm reads its technician", farm, tech.User, true},
		{"technician reads its farm", tech, farm.User, false},
		{"admin reads anyone", admin, farm2.User, true},
	}
	for _, tc := range tests {
		checkAllowed(t, tc.name, rx.MayReadUser(tc.a, tc.u), tc.allowed)
	}
}

func TestForbiddenMessageNamesActorAndRule(t *testing.T) {
	err := rx.MayRecall(farm, script)
	want := "rx: user 10 (MOR): only the prescribing veterinarian recalls"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}
