package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/kyb"
)

// fileKeyFile is where serve keeps the file encryption key of an embedded
// database when none is configured, beside the database file.
const fileKeyFile = "file-encryption.key"

// errNoFileKey explains why PostgreSQL needs a configured key: every
// instance must open the files the others sealed.
var errNoFileKey = errors.New("file-encryption-key is required with PostgreSQL: set ONBOARD_FILE_ENCRYPTION_KEY " +
	"to the same key on every instance (generate one with: openssl rand -base64 32)")

// fileCipher returns the cipher that seals uploaded files: the configured
// key, or on SQLite without one a key kept beside the database file,
// created on first start.
func fileCipher(cfg config.Config, log *slog.Logger) (*kyb.Cipher, error) {
	if cfg.FileEncryptionKey != "" {
		key, err := config.DecodeFileKey(cfg.FileEncryptionKey)
		if err != nil {
			return nil, err
		}
		return kyb.NewCipher(key)
	}
	engine, dbPath, err := config.ParseDatabaseURL(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if engine != config.SQLite {
		return nil, errNoFileKey
	}
	path := filepath.Join(filepath.Dir(dbPath), fileKeyFile)
	key, created, err := localFileKey(path)
	if err != nil {
		return nil, err
	}
	log.Warn("uploaded files are encrypted with a key kept beside the database, for development only; production must set ONBOARD_FILE_ENCRYPTION_KEY",
		"key_file", path, "created", created)
	return kyb.NewCipher(key)
}

// localFileKey reads the key at path, or creates it there when there is
// none. Processes starting together agree on one key: it is written whole
// to a temporary file first and then linked into place, which fails for
// all but the first.
func localFileKey(path string) (key []byte, created bool, err error) {
	if key, err := readFileKey(path); !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	key = make([]byte, kyb.FileKeySize)
	rand.Read(key)
	// The database's folder, which opening it would create too.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create file encryption key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), fileKeyFile+".*")
	if err != nil {
		return nil, false, fmt.Errorf("create file encryption key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if err = errors.Join(err, tmp.Close()); err != nil {
		return nil, false, fmt.Errorf("create file encryption key: %w", err)
	}
	// CreateTemp made it 0600.
	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		key, err := readFileKey(path)
		return key, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("create file encryption key: %w", err)
	}
	// Files sealed under the key are lost if its name is: make it durable.
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, false, fmt.Errorf("create file encryption key: %w", err)
	}
	return key, true, nil
}

func syncDir(path string) error {
	dir, err := os.Open(path)
	if err != nil {
		return err
	}
	return errors.Join(dir.Sync(), dir.Close())
}

func readFileKey(path string) ([]byte, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read file encryption key: %w", err)
	}
	key, err := config.DecodeFileKey(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}
