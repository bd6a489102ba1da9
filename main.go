// Command tenderprobe serves the Tenderprobe web platform and runs its
// maintenance subcommands. Everything beyond choosing the subcommand lives in
// package app so that it can be tested without a process boundary.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"tenderprobe/app"
	"tenderprobe/app/probecli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run picks the subcommand; "serve" is the default so that `go run .` starts
// the web app on a fresh machine.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !isFlag(args[0]) {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return app.RunServe(ctx, args, stdout, stderr)
	case "catalogue":
		return app.RunCatalogue(ctx, args, stdout, stderr)
	case "report":
		return app.RunReport(ctx, args, stdout, stderr)
	case "verify-receipt":
		return app.RunVerifyReceipt(ctx, args, stdout, stderr)
	case "probe":
		return probecli.Run(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, app.VersionLine())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, app.Usage())
		return 0
	default:
		fmt.Fprintf(stderr, "tenderprobe: unknown subcommand %q\n\n%s", cmd, app.Usage())
		return 2
	}
}

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' && s != "-h" && s != "--help" }
