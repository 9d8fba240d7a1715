package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onboardkyb/onboard/api"
	"github.com/onboardkyb/onboard/internal/kyb"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Ceiling is an HTTP server on a loopback port that answers the workload's
// routes doing only what any implementation of them must: a create reads
// the body, decodes it into a api.Profile and encodes the new customer; a
// read decodes stored customers and encodes them. It skips
// authentication, validation and the audit trail. Its Storage decides
// whether a request also runs one statement on a database.
type Ceiling struct {
	URL     string
	storage Storage
	srv     *http.Server
	done    chan error
}

// Storage is where a ceiling keeps customers' JSON.
type Storage interface {
	// Insert stores a new document.
	Insert(ctx context.Context, id string, doc []byte) error
	// Get returns the document with an id, or ErrNoDoc.
	Get(ctx context.Context, id string) ([]byte, error)
	// Page returns up to limit documents whose ids are below before (any,
	// when before is empty), highest id first.
	Page(ctx context.Context, before string, limit int) ([][]byte, error)
	// Load stores documents before a run, all at once.
	Load(ctx context.Context, docs []Doc) error
	Close() error
}

// ErrNoDoc is the answer of Storage.Get for an unknown id.
var ErrNoDoc = errors.New("no such document")

// StartCeiling loads docs into storage, with enough more documents below
// them that every page a list asks for is full, and serves.
func StartCeiling(ctx context.Context, storage Storage, docs []Doc, limit int) (*Ceiling, error) {
	load := make([]Doc, 0, len(docs)+limit+1)
	seen := map[string]bool{}
	for _, d := range docs {
		if !seen[d.ID] {
			seen[d.ID] = true
			load = append(load, d)
		}
	}
	if len(docs) > 0 {
		for i := range limit + 1 {
			// Real ids start with the hex of their millisecond, so these
			// sort below every one of them.
			load = append(load, Doc{ID: fmt.Sprintf("%s%032d", kyb.PrefixCustomer, i), JSON: docs[i%len(docs)].JSON})
		}
	}
	if err := storage.Load(ctx, load); err != nil {
		return nil, fmt.Errorf("load ceiling documents: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &Ceiling{URL: "http://" + ln.Addr().String(), storage: storage, done: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/customers/create", c.create)
	mux.HandleFunc("GET /api/customers/{customer_id}", c.get)
	mux.HandleFunc("GET /api/customers", c.list)
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second}
	go func() { c.done <- c.srv.Serve(ln) }()
	return c, nil
}

// Close stops the server and closes its storage.
func (c *Ceiling) Close() error {
	err := c.srv.Close()
	<-c.done
	return errors.Join(err, c.storage.Close())
}

func (c *Ceiling) create(w http.ResponseWriter, r *http.Request) {
	buf := bytes.NewBuffer(make([]byte, 0, max(r.ContentLength, 512)+1))
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var p api.Profile
	if err := json.Unmarshal(buf.Bytes(), &p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	cust := kyb.Customer{ID: kyb.NewID(kyb.PrefixCustomer, now), Status: kyb.StatusPending, CreatedAt: now.Truncate(time.Second), Profile: p}
	doc, err := encode(cust.View())
	if err == nil {
		err = c.storage.Insert(r.Context(), cust.ID, doc)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	write(w, doc)
}

func (c *Ceiling) get(w http.ResponseWriter, r *http.Request) {
	doc, err := c.storage.Get(r.Context(), r.PathValue("customer_id"))
	if errors.Is(err, ErrNoDoc) {
		http.NotFound(w, r)
		return
	}
	var v api.Customer
	if err == nil {
		err = json.Unmarshal(doc, &v)
	}
	if err == nil {
		doc, err = encode(v)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	write(w, doc)
}

func (c *Ceiling) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil {
		limit = kyb.DefaultPageSize
	}
	docs, err := c.storage.Page(r.Context(), q.Get("starting_after"), limit+1)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := struct {
		Data       []api.Customer `json:"data"`
		HasMore    bool           `json:"has_more"`
		NextCursor string         `json:"next_cursor,omitempty"`
	}{Data: make([]api.Customer, len(docs))}
	for i, d := range docs {
		if err := json.Unmarshal(d, &out.Data[i]); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	if len(out.Data) > limit {
		out.Data, out.HasMore = out.Data[:limit], true
		out.NextCursor = out.Data[limit-1].CustomerID
	}
	doc, err := encode(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	write(w, doc)
}

// encode is how onboard encodes its answers: non-ASCII text unescaped.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

func write(w http.ResponseWriter, doc []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
}

// Memory is a Storage that keeps nothing it is sent: the ceiling of the
// HTTP and JSON work alone. Documents loaded before the run are read from
// memory.
func Memory() Storage { return &memory{docs: map[string][]byte{}} }

type memory struct {
	ids  []string // sorted
	docs map[string][]byte
}

func (m *memory) Insert(context.Context, string, []byte) error { return nil }

func (m *memory) Get(_ context.Context, id string) ([]byte, error) {
	doc, ok := m.docs[id]
	if !ok {
		return nil, ErrNoDoc
	}
	return doc, nil
}

func (m *memory) Page(_ context.Context, before string, limit int) ([][]byte, error) {
	end := len(m.ids)
	if before != "" {
		end, _ = slices.BinarySearch(m.ids, before)
	}
	var out [][]byte
	for i := end - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, m.docs[m.ids[i]])
	}
	return out, nil
}

func (m *memory) Load(_ context.Context, docs []Doc) error {
	for _, d := range docs {
		m.docs[d.ID] = d.JSON
		m.ids = append(m.ids, d.ID)
	}
	slices.Sort(m.ids)
	return nil
}

func (m *memory) Close() error { return nil }

// scratchName is a table or file name no one else uses.
func scratchName() string {
	var b [6]byte
	rand.Read(b[:])
	return "onboard_bench_ceiling_" + hex.EncodeToString(b[:])
}

// SQLiteScratch is a Storage in a new SQLite file in dir, set up as the
// store sets up its database (WAL, synchronous=FULL, so that a write is on
// disk when it returns) and written through one connection as the store
// writes; readers get as many connections as they need, and every
// statement is prepared once. Close deletes the file.
func SQLiteScratch(ctx context.Context, dir string, readers int) (Storage, error) {
	s := &sqliteScratch{path: filepath.Join(dir, scratchName()+".db")}
	var err error
	if s.write, err = openSQLite(s.path, 1, "_txlock=immediate"); err != nil {
		return nil, err
	}
	if _, err := s.write.ExecContext(ctx, "CREATE TABLE ceiling (id TEXT PRIMARY KEY, doc TEXT NOT NULL) STRICT"); err != nil {
		s.Close()
		return nil, fmt.Errorf("create scratch table: %w", err)
	}
	if s.read, err = openSQLite(s.path, readers, "_pragma=query_only(ON)"); err != nil {
		s.Close()
		return nil, err
	}
	for _, p := range []struct {
		dst   **sql.Stmt
		db    *sql.DB
		query string
	}{
		{&s.insert, s.write, "INSERT INTO ceiling (id, doc) VALUES (?, ?)"},
		{&s.get, s.read, "SELECT doc FROM ceiling WHERE id = ?"},
		{&s.first, s.read, "SELECT doc FROM ceiling ORDER BY id DESC LIMIT ?"},
		{&s.next, s.read, "SELECT doc FROM ceiling WHERE id < ? ORDER BY id DESC LIMIT ?"},
	} {
		if *p.dst, err = p.db.PrepareContext(ctx, p.query); err != nil {
			s.Close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	return s, nil
}

func openSQLite(path string, conns int, extra string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode()+"&"+extra)
	if err != nil {
		return nil, fmt.Errorf("open scratch sqlite: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

type sqliteScratch struct {
	path                     string
	write, read              *sql.DB
	insert, get, first, next *sql.Stmt
}

func (s *sqliteScratch) Insert(ctx context.Context, id string, doc []byte) error {
	_, err := s.insert.ExecContext(ctx, id, string(doc))
	return err
}

func (s *sqliteScratch) Get(ctx context.Context, id string) ([]byte, error) {
	var doc []byte
	err := s.get.QueryRowContext(ctx, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoDoc
	}
	return doc, err
}

func (s *sqliteScratch) Page(ctx context.Context, before string, limit int) ([][]byte, error) {
	stmt, args := s.first, []any{limit}
	if before != "" {
		stmt, args = s.next, []any{before, limit}
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, rows.Err()
}

func (s *sqliteScratch) Load(ctx context.Context, docs []Doc) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt := tx.StmtContext(ctx, s.insert)
	for _, d := range docs {
		if _, err := stmt.ExecContext(ctx, d.ID, string(d.JSON)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *sqliteScratch) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.insert, s.get, s.first, s.next} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, db := range []*sql.DB{s.read, s.write} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(s.path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PostgresScratch is a Storage in a new table of the database at
// databaseURL, reached through pgx with a pool of conns connections.
// Close drops the table.
func PostgresScratch(ctx context.Context, databaseURL string, conns int) (Storage, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	cfg.MaxConns = int32(max(conns, 1))
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	s := &pgScratch{pool: pool, table: scratchName()}
	if _, err := pool.Exec(ctx, "CREATE TABLE "+s.table+" (id text COLLATE \"C\" PRIMARY KEY, doc json NOT NULL)"); err != nil {
		pool.Close()
		return nil, fmt.Errorf("create scratch table: %w", err)
	}
	return s, nil
}

type pgScratch struct {
	pool  *pgxpool.Pool
	table string
}

func (s *pgScratch) Insert(ctx context.Context, id string, doc []byte) error {
	_, err := s.pool.Exec(ctx, "INSERT INTO "+s.table+" (id, doc) VALUES ($1, $2)", id, string(doc))
	return err
}

func (s *pgScratch) Get(ctx context.Context, id string) ([]byte, error) {
	var doc []byte
	err := s.pool.QueryRow(ctx, "SELECT doc FROM "+s.table+" WHERE id = $1", id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNoDoc
	}
	return doc, err
}

func (s *pgScratch) Page(ctx context.Context, before string, limit int) ([][]byte, error) {
	query, args := "SELECT doc FROM "+s.table+" ORDER BY id DESC LIMIT $1", []any{limit}
	if before != "" {
		query, args = "SELECT doc FROM "+s.table+" WHERE id < $1 ORDER BY id DESC LIMIT $2", []any{before, limit}
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}

func (s *pgScratch) Load(ctx context.Context, docs []Doc) error {
	rows := make([][]any, len(docs))
	for i, d := range docs {
		rows[i] = []any{d.ID, string(d.JSON)}
	}
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{s.table}, []string{"id", "doc"}, pgx.CopyFromRows(rows))
	return err
}

func (s *pgScratch) Close() error {
	_, err := s.pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+s.table)
	s.pool.Close()
	return err
}
