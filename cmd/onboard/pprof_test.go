package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/onboardkyb/onboard/internal/storetest"
)

func TestProfilerOnTheMetricsListener(t *testing.T) {
	metricsAddr := regexp.MustCompile(`"msg":"metrics listening","addr":"([^"]+)"`)
	for _, profile := range []bool{false, true} {
		args := []string{"--database-url", storetest.SQLiteURL(t), "--metrics-addr", "127.0.0.1:0"}
		if profile {
			args = append(args, "--pprof")
		}
		srv := startServe(t, args...)
		m := metricsAddr.FindStringSubmatch(srv.stderr.String())
		if m == nil {
			t.Fatalf("no metrics address in the log:\n%s", srv.stderr)
		}
		for path, want := range map[string]int{"/metrics": 200, "/debug/pprof/cmdline": map[bool]int{false: 404, true: 200}[profile]} {
			resp, err := http.Get("http://" + m[1] + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("pprof %v: GET %s = %d, want %d", profile, path, resp.StatusCode, want)
			}
		}
		// The public listener never serves the profiler.
		resp, err := http.Get(srv.URL + "/debug/pprof/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public GET /debug/pprof/cmdline = %d, want 404", resp.StatusCode)
		}
	}
	if _, err := cli(t, "serve", "--pprof", "--database-url", storetest.SQLiteURL(t)); err == nil || !strings.Contains(err.Error(), "pprof: needs metrics-addr") {
		t.Errorf("serve --pprof without --metrics-addr: error = %v", err)
	}
}
