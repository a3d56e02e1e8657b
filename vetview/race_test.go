//go:build race

package vetview_test

// raceEnabled slows timing-bound tests down to what the race detector
// (which makes the pure-Go SQLite several times slower) can keep up with.
const raceEnabled = true
