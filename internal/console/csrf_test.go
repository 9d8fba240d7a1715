package console

import (
	"net/http/httptest"
	"testing"
)

func TestCSRFToken(t *testing.T) {
	a, b := csrfToken("ocs_session-one"), csrfToken("ocs_session-two")
	if a != csrfToken("ocs_session-one") {
		t.Error("a session's CSRF token changes between requests")
	}
	if a == b {
		t.Error("two sessions share a CSRF token")
	}
	if len(a) < 40 {
		t.Errorf("CSRF token %q is short", a)
	}
	for _, tt := range []struct {
		got  string
		want bool
	}{{a, true}, {b, false}, {"", false}, {a[:len(a)-1], false}} {
		if sameToken(tt.got, a) != tt.want {
			t.Errorf("sameToken(%q) = %t", tt.got, !tt.want)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tt := range []struct {
		origin string
		want   bool
	}{{"", true}, {"http://console.example.com", true}, {"https://console.example.com", true}, {"http://evil.example.com", false}, {"null", false}} {
		r := httptest.NewRequest("POST", "http://console.example.com/console/logout", nil)
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if got := sameOrigin(r); got != tt.want {
			t.Errorf("sameOrigin with Origin %q = %t, want %t", tt.origin, got, tt.want)
		}
	}
}

func TestSecureCookies(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1:8083": false, "localhost:8083": false, "[::1]:8083": false, "localhost": false,
		"onboard.example.com": true, "10.0.0.5:8083": true, "[2001:db8::1]:443": true} {
		r := httptest.NewRequest("GET", "/console/", nil)
		r.Host = host
		if got := secure(r); got != want {
			t.Errorf("secure(%s) = %t, want %t", host, got, want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/console/customers/cus_1?x=1":      "/console/customers/cus_1?x=1",
		"/console/":                         "/console/",
		"":                                  "/console/",
		"https://evil.example.com/console/": "/console/",
		"//evil.example.com/console/":       "/console/",
		"/console/\\evil":                   "/console/",
		"/admin/customers":                  "/console/",
		"javascript:alert(1)":               "/console/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
