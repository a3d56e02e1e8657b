package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/vetlink/vetlink/store"
)

// secretKeySize is the length of the server's secret key, which signs the
// login tokens (HMAC-SHA256 wants a key as long as its output).
const secretKeySize = 32

// secretKey returns the server's secret key: VETLINK_SECRET_KEY when set,
// else the key kept in the key file, which is created (mode 0600) on the
// first start. Servers sharing a PostgreSQL database must be given the
// same key; a key never goes into the database it protects.
func secretKey(cfg config, engine store.Engine, logger *slog.Logger) ([]byte, error) {
	if cfg.SecretKey != "" {
		key, err := hex.DecodeString(strings.TrimSpace(cfg.SecretKey))
		if err != nil || len(key) < secretKeySize {
			return nil, fmt.Errorf("VETLINK_SECRET_KEY must be at least %d bytes written as hex digits (openssl rand -hex %d)", secretKeySize, secretKeySize)
		}
		return key, nil
	}
	path := keyFilePath(cfg, engine)
	if b, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < secretKeySize {
			return nil, fmt.Errorf("key file %s does not hold a key of %d bytes in hex; remove it to have a new one made (every login token then ends)", path, secretKeySize)
		}
		return key, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading the key file: %w", err)
	}
	key := make([]byte, secretKeySize)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another server started at the same moment made it: use theirs.
		return secretKey(cfg, engine, logger)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("writing the key file: %w", err)
	}
	logger.Info("created a secret key", "file", path)
	return key, nil
}

// keyFilePath is -key-file, or vetlink.key beside the SQLite database, or
// in the working directory for PostgreSQL.
func keyFilePath(cfg config, engine store.Engine) string {
	if cfg.KeyFile != "" {
		return cfg.KeyFile
	}
	if engine == store.SQLite {
		p := strings.TrimPrefix(cfg.DB, "sqlite:")
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		p = strings.TrimPrefix(p, "file:")
		return filepath.Join(filepath.Dir(p), "vetlink.key")
	}
	return "vetlink.key"
}
