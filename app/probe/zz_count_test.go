package probe_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
)

func TestZZCount(t *testing.T) {
	tb := newTestbed(t)
	e := testbedEngine(t, tb)
	res, err := e.Probe(context.Background(), "good.test")
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(res)
	for _, m := range regexp.MustCompile(`"addr":"[^"]*","server_name":"[^"]*"|"connections":\d+`).FindAllString(string(j), -1) {
		fmt.Println(m)
	}
}
