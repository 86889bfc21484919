package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"opnieuwthuis/db"
)

// userCommand runs "opnieuwthuis user add …": the way to create the first
// beheerder (later ones are added in /beheer/accounts).
func userCommand(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("usage: opnieuwthuis user add --email ADDRESS --role beheerder|redacteur [--name NAME]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stdout)
	email := fs.String("email", "", "e-mail address (the sign-in name)")
	role := fs.String("role", "", "beheerder or redacteur")
	name := fs.String("name", "", "name shown to other editors")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || (*role != db.RoleAdmin && *role != db.RoleEditor) {
		return fmt.Errorf("user add: --email and --role beheerder|redacteur are required")
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	if msg := db.CheckPassword(password); msg != "" {
		return fmt.Errorf("user add: %s", msg)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DBPath), 0o750); err != nil {
		return fmt.Errorf("create database folder: %w", err)
	}
	store, err := db.Open(ctx, cfg.DBPath, schema)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.CreateUser(ctx, db.UserInput{Email: *email, Name: *name, Role: *role, Password: password}, nil)
	if errors.Is(err, db.ErrDuplicate) {
		return fmt.Errorf("user add: an account with e-mail address %s exists already", db.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}

// readPassword asks for the password twice without echo when stdin is a terminal,
// and otherwise reads the first line of stdin (for scripts: printf '%s\n' "$PW" | …).
func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stdout, "Repeat password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("user add: the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
