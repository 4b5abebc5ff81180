// Package conformance drives the gateway with the providers' official Go SDKs — the ones Terraform's
// alicloud and tencentcloud providers and Packer's builders are built on — and checks that nothing
// tells it apart from the provider: requests are accepted as the SDKs sign and shape them, answers
// decode into the SDKs' models, and refusals come back through each SDK's own error type with the
// provider's code and a request id.
//
// It needs a running gateway with its control plane on (infra/local/test.sh starts one):
//
//	GATEWAY_ENDPOINT=127.0.0.1:18080 go test ./...   (or tests/go/run.sh)
//
// The gateway serves the reference world (infra/worlds/reference.json). Tests make their own
// resources with unique names, wait for them by moving the gateway's virtual clock (put back to real
// time when the test ends), and delete what they made, so they depend neither on their order nor on
// one another, and the suite can run again on the same gateway.
package conformance

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// endpoint is host:port of the gateway under test (GATEWAY_ENDPOINT), plain http.
var endpoint string

func TestMain(m *testing.M) {
	endpoint = strings.TrimSpace(os.Getenv("GATEWAY_ENDPOINT"))
	if endpoint == "" {
		fmt.Fprintln(os.Stderr, "FAIL: GATEWAY_ENDPOINT is not set. These tests need a running gateway with "+
			"--control-plane: run them through infra/local/test.sh (or tests/go/run.sh with "+
			"GATEWAY_ENDPOINT=host:port of a gateway you started).")
		os.Exit(1)
	}
	if strings.Contains(endpoint, "://") {
		fmt.Fprintf(os.Stderr, "FAIL: GATEWAY_ENDPOINT=%q must be host:port (plain http), without a scheme.\n", endpoint)
		os.Exit(1)
	}
	if err := health(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the gateway at GATEWAY_ENDPOINT=%s does not answer its control plane (%v). "+
			"Run the tests through infra/local/test.sh, or start the gateway with --control-plane.\n", endpoint, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// --------------------------------------------------------------------------- control plane --

var plain = &http.Client{Timeout: 60 * time.Second}

func control(method, path string, body any) (int, map[string]any, error) {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, "http://"+endpoint+"/_emulator/"+path, reader)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := plain.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s /_emulator/%s answered %d %q: %v", method, path, resp.StatusCode, raw, err)
	}
	return resp.StatusCode, out, nil
}

func health() error {
	status, body, err := control("GET", "health", nil)
	if err != nil {
		return err
	}
	if status != 200 || body["status"] != "running" {
		return fmt.Errorf("GET /_emulator/health answered %d %v", status, body)
	}
	return nil
}

// virtualClock lets the test move the gateway's clock and puts it back to real time when the test
// ends (registered first, so it runs after the test's own cleanups, which delete what it made).
//
// Putting the clock back is a move backwards: what was made during the test at a virtual time is
// then in the future again. The test deletes all of it, but a disk keeps its in-progress lock
// (busy_until, the moment its snapshot was ready) when an accomplished snapshot is deleted, so the
// lock is in force again after the move back, until real time passes it (at most the snapshot's
// duration, 2 s in the reference world, after it was made). Hence each test that waits on a
// snapshot by the clock uses disks of its own, and moves the clock back once, at its end.
func virtualClock(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		status, body, err := control("POST", "clock", map[string]any{"real": true})
		if err != nil || status != 200 {
			t.Errorf("putting the clock back to real time: %d %v %v", status, body, err)
		}
	})
}

// awaitIdle waits, in real time, until none of the disks and instances named (of that account) is
// held by a lock a deleted resource left behind: the gateway keeps a disk's busy_until and an
// instance's imaging_until when the snapshot or image that set them is deleted after it was ready,
// and a move of the clock back to real time puts such a lock in force again (see virtualClock).
// Within one run each test uses resources of its own, so this only waits when a run follows
// another on the same gateway within a few seconds. It reads the control plane's state.
func awaitIdle(t *testing.T, account string, ids ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	status, body, err := control("GET", "state?account="+account, nil)
	if err != nil || status != 200 {
		t.Fatalf("GET /_emulator/state?account=%s: %d %v", account, status, err)
	}
	now, err := time.Parse(time.RFC3339Nano, fmt.Sprint(body["time"]))
	if err != nil {
		t.Fatalf("GET /_emulator/state: time %v: %v", body["time"], err)
	}
	var until time.Time
	var holder string
	accounts, _ := body["accounts"].([]any)
	for _, a := range accounts {
		acct, _ := a.(map[string]any)
		for _, kind := range []string{"disks", "instances"} {
			items, _ := acct[kind].([]any)
			for _, item := range items {
				res, _ := item.(map[string]any)
				id, _ := res["id"].(string)
				if !want[id] {
					continue
				}
				for _, field := range []string{"busy_until", "imaging_until"} {
					if ms, ok := res[field].(float64); ok {
						if u := time.UnixMilli(int64(ms)); u.After(until) {
							until, holder = u, id+" "+field
						}
					}
				}
			}
		}
	}
	wait := until.Sub(now)
	if wait <= 0 {
		return
	}
	if wait > 60*time.Second {
		t.Fatalf("%s is held until %s (%s from now): something on the gateway is still being made", holder,
			until.Format(time.RFC3339), wait.Round(time.Second))
	}
	t.Logf("waiting %s: %s is still held by a lock a deleted resource left behind", wait.Round(time.Millisecond), holder)
	time.Sleep(wait + 100*time.Millisecond)
}

// advance moves the virtual clock forward.
func advance(t *testing.T, by string) {
	t.Helper()
	status, body, err := control("POST", "clock", map[string]any{"advance": by})
	if err != nil || status != 200 {
		t.Fatalf("advancing the clock %s: %d %v %v", by, status, body, err)
	}
}

// waitFor reads until done says so, moving the virtual clock a second between reads (as a tool's
// poll would wait), and returns the value that made it. The test must have called virtualClock.
func waitFor[T any](t *testing.T, what string, read func() T, done func(T) bool) T {
	t.Helper()
	var value T
	for i := 0; i < 30; i++ {
		value = read()
		if done(value) {
			return value
		}
		advance(t, "1s")
	}
	t.Fatalf("%s never came (30 reads, 30 s of virtual time); last read: %s", what, show(value))
	return value
}

// ------------------------------------------------------------------------------- helpers --

// unique returns prefix-<12 hex digits>: names no other run uses.
func unique(prefix string) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + "-" + hex.EncodeToString(b)
}

// show renders a value (an SDK model) as JSON for failure messages.
func show(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	if len(raw) > 1500 {
		return string(raw[:1500]) + "…"
	}
	return string(raw)
}

// isUUID: the request ids of both providers' answers here.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}
