package drill

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Proxy is a TCP proxy between the service and its database that can
// stop forwarding without closing anything: in a blackhole, connections
// stay open and accepted, but every byte either way is read and dropped,
// as when a firewall or a dead network path silently drops packets.
type Proxy struct {
	ln        net.Listener
	target    string
	blackhole atomic.Bool
	mu        sync.Mutex
	conns     map[net.Conn]struct{}
	done      sync.WaitGroup
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.done.Go(p.accept)
	return p, nil
}

// Addr is where the proxy listens.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Blackhole stops (on) or resumes (off) forwarding.
func (p *Proxy) Blackhole(on bool) { p.blackhole.Store(on) }

// Close stops listening and closes every connection.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.done.Wait()
}

// track remembers c until the returned function forgets it.
func (p *Proxy) track(c net.Conn) (forget func()) {
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		forget := p.track(client)
		p.done.Go(func() { p.serve(client); forget() })
	}
}

// serve forwards one connection. The upstream connection is opened even
// in a blackhole, so that what the client sees is an open connection that
// never answers.
func (p *Proxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer p.track(server)()
	defer server.Close()
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(server, client); server.Close() })
	p.pipe(client, server)
	client.Close()
	wg.Wait()
}

// pipe copies from src to dst until src ends, dropping what it reads while
// the proxy is a blackhole.
func (p *Proxy) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.blackhole.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
