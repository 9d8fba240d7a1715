package command

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"testing"
)

func TestExitStatus(t *testing.T) {
	tests := []struct {
		err    error
		status int
		stderr string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{Usage("no command given"), 2, "prog: no command given\n"},
		{fmt.Errorf("seed: %w", Usage("--customers must be a positive number")), 2, "prog: seed: --customers must be a positive number\n"},
		{errors.New("disk full"), 1, "prog: disk full\n"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		if got := exitStatus("prog", tt.err, &stderr); got != tt.status || stderr.String() != tt.stderr {
			t.Errorf("exitStatus(%v) = %d, printing %q; want %d, printing %q", tt.err, got, stderr.String(), tt.status, tt.stderr)
		}
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	newFS := func() *flag.FlagSet {
		fs := NewFlagSet("prog", "cmd", "cmd [--n N]", &stderr)
		fs.Int("n", 0, "a number")
		return fs
	}
	var u usageError
	if err := ParseFlags(newFS(), []string{"--n", "x"}); !errors.As(err, &u) {
		t.Errorf("a bad value: %v, want a usage error", err)
	}
	if err := ParseFlags(newFS(), []string{"stray"}); !errors.As(err, &u) {
		t.Errorf("a stray argument: %v, want a usage error", err)
	}
	stderr.Reset()
	if err := ParseFlags(newFS(), []string{"--help"}); !errors.Is(err, flag.ErrHelp) || !bytes.Contains(stderr.Bytes(), []byte("Usage: prog cmd [--n N]")) {
		t.Errorf("--help: %v, printing %q", err, stderr.String())
	}
	if err := ParseFlags(newFS(), []string{"--n", "3"}); err != nil {
		t.Errorf("good flags: %v", err)
	}
}
