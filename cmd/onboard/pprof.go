package main

import (
	"net/http"
	"net/http/pprof"
)

// withProfiler adds Go's profiler under /debug/pprof/ to h, when on; it
// belongs on the private metrics listener only. For example, a CPU profile
// of 10 s of load:
//
//	go tool pprof 'http://127.0.0.1:9090/debug/pprof/profile?seconds=10'
func withProfiler(h http.Handler, on bool) http.Handler {
	if !on {
		return h
	}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
