package kyb_test

import (
	"net/netip"
	"testing"

	"github.com/onboardkyb/onboard/internal/kyb"
)

func TestPublicAddress(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"93.184.215.14", true},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", true},
		{"::ffff:93.184.215.14", true},
		{"127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"255.255.255.255", false},
		{"224.0.0.1", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"240.0.0.1", false},
		{"::1", false},
		{"::", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::7f00:1", false},
		{"::a00:1", false},
		{"64:ff9b::a00:1", false},
		{"64:ff9b:1::a00:1", false},
		{"2002:a00:1::1", false},
		{"2002:5db8:d70e::1", false},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", false},
		{"2001:db8::1", false},
		{"100::1", false},
		{"fec0::1", false},
		{"fc00::1", false},
		{"fe80::1", false},
		{"ff02::1", false},
	}
	for _, tt := range tests {
		if got := kyb.PublicAddress(netip.MustParseAddr(tt.addr)); got != tt.public {
			t.Errorf("PublicAddress(%s) = %v, want %v", tt.addr, got, tt.public)
		}
	}
}
