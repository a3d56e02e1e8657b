package rx_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
)

// A veterinarian prescribes a flunixin protocol to a farm, the farm
// enrolls a cow, and the last dose is given late: the withhold moves.
func ExampleService_Enroll() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "rx-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	svc := &rx.Service{Store: db.Rx(), Clock: func() time.Time { return now }}

	// The administrator creates the vet; the vet adds a client farm.
	admin := rx.User{Uname: "administrator", Type: rx.SAOR, Firstname: "Ada", Lastname: "Admin"}
	db.Rx().CreateUser(ctx, &admin)
	vet, _ := svc.AddUser(ctx, rx.Actor{User: admin}, rx.User{Uname: "drhannah", Type: rx.VOR, Firstname: "Hannah", Lastname: "Herd"}, "")
	vetActor, _ := svc.Actor(ctx, vet.ID)
	farmUser, _ := svc.AddUser(ctx, vetActor, rx.User{Uname: "meadowfarm", Type: rx.MOR, Firstname: "Mia", Lastname: "Meadow"}, rx.Client)
	vetActor, _ = svc.Actor(ctx, vet.ID)
	farm, _ := svc.Actor(ctx, farmUser.ID)

	p, err := svc.Prescribe(ctx, vetActor, rx.PrescriptionRequest{Protocol: rxtest.Flunixin(), MOR: farm.ID(), Refills: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	hx, err := svc.Enroll(ctx, farm, rx.EnrollRequest{
		RxID: p.ID, AnimalID: "Bossie34", Initiation: now,
		Data:   &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)},
		Animal: protocol.Animal{Class: protocol.DairyCattle, Female: true},
		// The product's strength turns each dose into a volume.
		Products: map[string]protocol.Product{rxtest.FlunixinProduct: {Concentration: rxtest.FlunixinConcentration}},
		// A retry with the same key returns this case, not a second one.
		IdempotencyKey: "bossie34-fever-2026-03-02",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range hx.DoseTasks {
		fmt.Println(d.DoAt.Format(time.RFC3339), d.Dose, d.Volume, d.Route, d.Status)
	}
	fmt.Println("meat until", hx.Withhold.MeatUntil.Format(time.RFC3339))

	// The third dose is given at 20:00 instead of 06:00.
	now = time.Date(2026, 3, 4, 21, 0, 0, 0, time.UTC)
	hx, _ = svc.Execute(ctx, farm, rx.Execution{TaskID: hx.DoseTasks[2].ID, At: time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)})
	fmt.Println("meat until", hx.Withhold.MeatUntil.Format(time.RFC3339), "after the late dose")
	fmt.Println("dose 3 was", hx.DoseTasks[2].Delay(), "late; dose 1 is", hx.DoseTasks[0].Status)
	// Output:
	// 2026-03-02T06:00:00Z 1320 mg 26.4 ml IV DUE
	// 2026-03-03T06:00:00Z 1320 mg 26.4 ml IV REQUIRED
	// 2026-03-04T06:00:00Z 1320 mg 26.4 ml IV REQUIRED
	// meat until 2026-03-08T06:00:00Z
	// meat until 2026-03-08T20:00:00Z after the late dose
	// dose 3 was 14h0m0s late; dose 1 is OVERDUE
}

// Clear decides whether an animal's milk may go into the tank.
func ExampleClear() {
	ws := []rx.Withhold{{
		CaseID: 12, RxID: "Vi1y9kbpEj7Upqy7",
		Initiated: time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC),
		MeatUntil: time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC),
		MilkUntil: time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC),
		Milk:      rx.Cause{TaskID: 3, Product: "Flunixin meglumine 50 mg/mL", Term: "36h after administration"},
	}}
	now := time.Date(2026, 3, 5, 5, 0, 0, 0, time.UTC)
	c := rx.Clear("Bossie34", rx.Milk, time.Date(2026, 3, 5, 5, 0, 0, 0, time.UTC), now, ws)
	fmt.Println(c.Allowed, c.Until.Format(time.RFC3339), c.Cause.Product, c.Cause.Term)
	c = rx.Clear("Bossie34", rx.Milk, time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC), now, ws)
	fmt.Println(c.Allowed)
	// Output:
	// false 2026-03-05T18:00:00Z Flunixin meglumine 50 mg/mL 36h after administration
	// true
}

// The refill rule: Refills 2 allows three cases.
func ExamplePrescription_Usable() {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	p := rx.Prescription{ID: "Vi1y9kbpEj7Upqy7", Status: rx.Initiated, Refills: 2, FillsUsed: 2}
	fmt.Println(p.Fills(), p.FillsLeft(), p.Usable(now))
	p.FillsUsed = 3
	fmt.Println(p.Usable(now))
	// Output:
	// 3 1 <nil>
	// rx: prescription Vi1y9kbpEj7Upqy7: all 3 fills used (2 refills)
}
