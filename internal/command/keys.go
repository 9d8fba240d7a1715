package command

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/onboardkyb/onboard/internal/config"
	"github.com/onboardkyb/onboard/internal/envelope"
	"github.com/onboardkyb/onboard/internal/kyb"
	"github.com/onboardkyb/onboard/internal/postgres"
	"github.com/onboardkyb/onboard/internal/sqlite"
)

// LocalKeyFile is where an embedded database keeps its encryption key when
// none is configured, beside the database file. (Its name is from when it
// sealed files alone; it is key 1 of the keyring.)
const LocalKeyFile = "file-encryption.key"

// errNoKeys explains why PostgreSQL needs configured keys: every instance
// must open what the others sealed.
var errNoKeys = errors.New("encryption keys are required with PostgreSQL: set ONBOARD_ENCRYPTION_KEYS=1:KEY " +
	"to the same keys on every instance (generate a key with: openssl rand -base64 32)")

// OpenStore opens the database the settings name, with the keyring they
// name (see Keyring) and their deadlines, and migrates it.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (kyb.Store, *envelope.Keyring, error) {
	keys, err := Keyring(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	engine, target, err := config.ParseDatabaseURL(cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	var store kyb.Store
	if engine == config.SQLite {
		store, err = sqlite.Open(ctx, target, keys, cfg.StoreOptions()...)
	} else {
		store, err = postgres.Open(ctx, target, keys, cfg.StoreOptions()...)
	}
	if err != nil {
		return nil, nil, err
	}
	return store, keys, nil
}

// Keyring returns the key-encryption keys of the settings, newest last:
// ONBOARD_ENCRYPTION_KEYS or the file ONBOARD_ENCRYPTION_KEY_FILE names,
// with ONBOARD_FILE_ENCRYPTION_KEY (the single key of earlier versions)
// as key 1 when set; on SQLite with none of them, a key kept beside the
// database file, created on first start.
func Keyring(cfg config.Config, log *slog.Logger) (*envelope.Keyring, error) {
	var keys []envelope.Key
	if cfg.FileEncryptionKey != "" {
		key, err := config.DecodeFileKey(cfg.FileEncryptionKey)
		if err != nil {
			return nil, err
		}
		keys = append(keys, envelope.Key{ID: 1, Secret: key})
	}
	spec := cfg.EncryptionKeys
	if cfg.EncryptionKeyFile != "" {
		text, err := os.ReadFile(cfg.EncryptionKeyFile)
		if err != nil {
			return nil, fmt.Errorf("encryption-key-file: %w", err)
		}
		spec = string(text)
	}
	if spec != "" {
		listed, err := envelope.ParseKeys(spec)
		if err != nil {
			return nil, err
		}
		for _, k := range listed {
			if len(keys) > 0 && k.ID == 1 {
				if !bytes.Equal(k.Secret, keys[0].Secret) {
					return nil, errors.New("encryption keys: key 1 differs from file-encryption-key, which is key 1; drop one of them")
				}
				continue
			}
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		return envelope.NewKeyring(keys...)
	}
	engine, dbPath, err := config.ParseDatabaseURL(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if engine != config.SQLite {
		return nil, errNoKeys
	}
	path := filepath.Join(filepath.Dir(dbPath), LocalKeyFile)
	key, created, err := localKey(path)
	if err != nil {
		return nil, err
	}
	if log != nil {
		log.Warn("personal data and files are encrypted with a key kept beside the database, for development only; production must set ONBOARD_ENCRYPTION_KEYS",
			"key_file", path, "created", created)
	}
	return envelope.NewKeyring(envelope.Key{ID: 1, Secret: key})
}

// localKey reads the key at path, or creates it there when there is
// none. Processes starting together agree on one key: it is written whole
// to a temporary file first and then linked into place, which fails for
// all but the first.
func localKey(path string) (key []byte, created bool, err error) {
	if key, err := readKey(path); !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	key = make([]byte, envelope.KeySize)
	rand.Read(key)
	// The database's folder, which opening it would create too.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create encryption key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), LocalKeyFile+".*")
	if err != nil {
		return nil, false, fmt.Errorf("create encryption key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if err = errors.Join(err, tmp.Close()); err != nil {
		return nil, false, fmt.Errorf("create encryption key: %w", err)
	}
	// CreateTemp made it 0600.
	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		key, err := readKey(path)
		return key, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("create encryption key: %w", err)
	}
	// What is sealed under the key is lost if its name is: make it durable.
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, false, fmt.Errorf("create encryption key: %w", err)
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

func readKey(path string) ([]byte, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read encryption key: %w", err)
	}
	key, err := config.DecodeFileKey(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}
