package screening

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// The publishers' own addresses of the lists: OFAC's folder of the SDN
// list in its CSV layout (sdn.csv, alt.csv and add.csv are fetched from
// it), and the UN Security Council's Consolidated List XML.
const (
	DefaultOFACURL = "https://www.treasury.gov/ofac/downloads/"
	DefaultUNURL   = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
)

// Bounds of a download: the largest file today is about 2 MB.
const (
	MaxFetchSize = 64 << 20
	FetchTimeout = 2 * time.Minute
)

// Fetcher downloads publications from their publishers.
type Fetcher struct {
	// Client makes the requests; nil is a client that gives up after
	// FetchTimeout.
	Client *http.Client
	// MaxSize bounds each file; 0 is MaxFetchSize.
	MaxSize int64
}

// Fetch downloads a source's publication from address and parses it: for
// SourceOFAC the folder of its three CSV files, for SourceUN the XML file.
// A file that does not arrive whole, or does not parse, is an error naming
// it; nothing is returned of it.
func (f Fetcher) Fetch(ctx context.Context, source, address string) (List, error) {
	switch source {
	case SourceOFAC:
		var files [3]io.Reader
		for i, name := range []string{"sdn.csv", "alt.csv", "add.csv"} {
			u, err := url.JoinPath(address, name)
			if err != nil {
				return List{}, fmt.Errorf("%s: %w", source, err)
			}
			b, err := f.get(ctx, u)
			if err != nil {
				return List{}, err
			}
			files[i] = bytes.NewReader(b)
		}
		return ParseOFAC(files[0], files[1], files[2])
	case SourceUN:
		b, err := f.get(ctx, address)
		if err != nil {
			return List{}, err
		}
		return ParseUN(bytes.NewReader(b))
	}
	return List{}, fmt.Errorf("unknown list source %q: want %s or %s", source, SourceOFAC, SourceUN)
}

// errDowngrade refuses a redirect from https to plain http.
var errDowngrade = errors.New("redirected from https to http")

// get downloads one file whole, within the size bound.
func (f Fetcher) get(ctx context.Context, address string) ([]byte, error) {
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%s: not an http or https URL", address)
	}
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: FetchTimeout}
	}
	checked := *client
	checked.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return errDowngrade
		}
		return nil
	}
	limit := f.MaxSize
	if limit <= 0 {
		limit = MaxFetchSize
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", address, err)
	}
	resp, err := checked.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", address, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: status %d", address, resp.StatusCode)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("fetch %s: %d bytes, more than the %d allowed", address, resp.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		// A connection cut short, or a body shorter than its length.
		return nil, fmt.Errorf("fetch %s: %w", address, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("fetch %s: more than the %d bytes allowed", address, limit)
	}
	return b, nil
}
