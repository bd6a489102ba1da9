package probetest

import (
	"flag"
	"runtime"
	"strconv"
	"testing"
)

// Main runs a probe package's tests with perCPU of them at once per CPU
// instead of go test's default of one: most of them wait on their own
// servers' delays and timeouts, so at the default a 2-core machine sat
// idle through most of the package (app/probe 15 s with the CPU busy 8 s;
// 6.5 s at eight at once). A -parallel given on the command line wins.
// Call it from TestMain: os.Exit(probetest.Main(m, 4)).
func Main(m *testing.M, perCPU int) int {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(perCPU*runtime.GOMAXPROCS(0))); err != nil {
			panic(err)
		}
	}
	return m.Run()
}
