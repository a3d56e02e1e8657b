package hl7

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// corpusFiles lists the messages under testdata written for this package.
func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.hl7"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

// parseCorpus parses a corpus file, leniently for the files whose name
// says they use LF terminators.
func parseCorpus(data []byte, name string) (*Message, error) {
	return ParseOptions{Lenient: strings.Contains(name, "_lf")}.Parse(data)
}

// TestCorpusGolden checks every corpus message against its hand-written
// .golden file and checks that Bytes gives back the input byte for byte.
func TestCorpusGolden(t *testing.T) {
	for _, file := range corpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".hl7")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			m, err := parseCorpus(data, name)
			require.NoError(t, err)
			require.Equal(t, data, m.Bytes(), "round trip must be byte-exact")

			g, err := os.Open(strings.TrimSuffix(file, ".hl7") + ".golden")
			require.NoError(t, err)
			defer g.Close()
			sc := bufio.NewScanner(g)
			checked := 0
			for sc.Scan() {
				line := sc.Text()
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				parts := strings.Split(line, "\t")
				require.GreaterOrEqual(t, len(parts), 2, "golden line %q", line)
				checked++
				switch parts[0] {
				case "@segments":
					var ids []string
					for _, s := range m.Segments() {
						ids = append(ids, s.Name())
					}
					require.Equal(t, parts[1], strings.Join(ids, " "))
				case "@len":
					got, err := m.Get(parts[1])
					require.NoError(t, err)
					want, _ := strconv.Atoi(parts[2])
					require.Len(t, got, want, parts[1])
				case "@reps":
					v, err := m.Value(parts[1])
					require.NoError(t, err)
					want, _ := strconv.Atoi(parts[2])
					require.Equal(t, want, v.Reps(), parts[1])
				default:
					want := parts[1]
					if len(want) > 2 && want[0] == '"' {
						want, err = strconv.Unquote(want)
						require.NoError(t, err, line)
					}
					got, err := m.Get(parts[0])
					require.NoError(t, err)
					require.Equal(t, want, got, parts[0])
				}
			}
			require.NoError(t, sc.Err())
			require.Positive(t, checked)
		})
	}
}
