package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// probe is the subcommand "probe URL": it GETs URL and reports through
// its exit status whether the answer was 200, for container health checks
// in images without a shell or curl (distroless):
//
//	vetlink-server probe http://127.0.0.1:8080/readyz
func probe(args []string, out io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(out, "usage: server probe URL   (exit status 0 when GET URL answers 200)")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		fmt.Fprintf(out, "probe %q: %v\n", args[0], err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(out, "probe %s: %v\n", args[0], err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(out, "probe %s: %s %s\n", args[0], resp.Status, body)
		return 1
	}
	return 0
}
