// Command ferretdb-local runs FerretDB v1.24.2 embedded, with the SQLite handler, as the local
// MongoDB-wire store of checkout-orchestrator. FerretDB's own CLI at that version panics at start
// when installed with `go install` (its version.txt is not in the module zip); embedding avoids it.
//
// It prints one JSON line {"uri": "..."} on stdout once it listens, and stops on SIGINT/SIGTERM or,
// with -exit-on-stdin-eof, when its parent closes stdin (so it never outlives the process that started it).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dataDir := flag.String("data-dir", "", "directory for the SQLite files (created if missing; no spaces)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	stdinEOF := flag.Bool("exit-on-stdin-eof", false, "shut down when stdin reaches EOF")
	flag.Parse()

	if err := run(*dataDir, *listen, *logLevel, *stdinEOF); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-local:", err)
		os.Exit(1)
	}
}

func run(dataDir, listen, logLevel string, stdinEOF bool) error {
	if dataDir == "" {
		return fmt.Errorf("-data-dir is required")
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if strings.ContainsAny(abs, " ?#") {
		return fmt.Errorf("data dir %q must not contain spaces, '?' or '#': FerretDB parses it as a URL", abs)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return err
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if stdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	line, _ := json.Marshal(map[string]string{"uri": f.MongoDBURI()})
	fmt.Println(string(line))

	<-done
	return nil
}
