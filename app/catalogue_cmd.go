package app

import (
	"context"
	"fmt"
	"io"
)

// RunCatalogue is `tenderprobe catalogue import|export`.
func RunCatalogue(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "tenderprobe catalogue: not wired yet")
	return 1
}
