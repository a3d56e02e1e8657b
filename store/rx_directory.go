package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/vetlink/vetlink/rx"
)

// Users implements [rx.Store]: the users of the given types, by last
// name, first name, then ID. No type lists no one.
func (s *RxStore) Users(ctx context.Context, types []rx.UserType) ([]rx.User, error) {
	if len(types) == 0 {
		return nil, nil
	}
	marks := make([]string, len(types))
	args := make([]any, len(types))
	for i, t := range types {
		marks[i] = "$" + strconv.Itoa(i+1)
		args[i] = string(t)
	}
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT `+rxUserColumns+` FROM rx_users
		WHERE user_type IN (`+strings.Join(marks, ", ")+`) ORDER BY lastname, firstname, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rx.User
	for rows.Next() {
		u, err := scanRxUser(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
