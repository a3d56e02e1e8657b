//go:build !race

package vetview_test

const raceEnabled = false
