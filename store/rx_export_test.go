package store

// The rx queries whose plans rx_plan_test.go checks.
var (
	RxDueTasksSQL        = rxDueTasksSQL
	RxWithholdsSQL       = rxWithholdsSQL
	RxAnimalWithholdsSQL = rxAnimalWithholdsSQL
	RxOverdueCasesSQL    = rxOverdueCasesSQL
)
