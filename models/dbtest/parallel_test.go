package dbtest

import (
	"flag"
	"testing"
)

func TestDefaultParallel(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		cpus int
		want string
	}{
		{"without -parallel, three tests run per CPU", nil, 2, "6"},
		{"a -parallel on the command line is kept", []string{"-test.parallel=1"}, 2, "1"},
		{"a machine that reports no CPU still runs tests", nil, 0, "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.Int("test.parallel", 2, "")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := defaultParallel(fs, tc.cpus); err != nil {
				t.Fatal(err)
			}
			if got := fs.Lookup("test.parallel").Value.String(); got != tc.want {
				t.Errorf("parallel %s, want %s", got, tc.want)
			}
		})
	}
}
