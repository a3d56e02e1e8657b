package jobs_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
)

// A reference server registers the HL7 kinds on its store at start-up;
// jobs of these kinds are then configured through the vetview API.
func ExampleNAHLNReportKind() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "vetlink")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()

	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.MLLPListenerKind(db.HL7(), jobs.MLLPListenerOptions{}))
	vetview.MustRegister(&kinds, jobs.NAHLNReportKind(db.HL7(), jobs.NAHLNOptions{}))
	for _, k := range kinds.Kinds() {
		fmt.Printf("%s: %s\n  %s\n", k.Name, k.Title, k.Defaults)
	}
	// Output:
	// hl7-mllp-listener: Receive lab instrument results (HL7 over MLLP)
	//   {"addr":":2575","windowMinutes":10,"readTimeoutSeconds":300}
	// nahln-report: Report results to NAHLN
	//   {"url":"","batch":20,"maxAttempts":8,"retryMinutes":5}
}
