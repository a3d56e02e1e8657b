package store_test

import (
	"testing"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/vetview/jobs/hl7jobstest"
)

func TestHL7Store(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		hl7jobstest.TestStore(t, func(t *testing.T) jobs.HL7Store {
			// Each subtest starts empty: the suite's IDs never collide, but
			// listings by source would see earlier rows.
			_, err := db.SQL().ExecContext(t.Context(), `DELETE FROM hl7_inbound_messages; DELETE FROM hl7_nahln_reports`)
			if err != nil {
				t.Fatal(err)
			}
			return db.HL7()
		})
	})
}
