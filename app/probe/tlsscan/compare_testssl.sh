#!/bin/sh
# Compares tlsscan with Debian's testssl.sh on the same loopback TLS servers
# (a modern TLS 1.2/1.3 one and a legacy TLS 1.0-1.2 one with RSA key
# exchange and 3DES): protocol versions and cipher suites found by each, and
# the wall time of each. Needs the testssl.sh package. Takes about 90 s.
set -eu
cd "$(dirname "$0")/../../.."
TENDERPROBE_TESTSSL=1 exec go test ./app/probe/tlsscan -run TestCompareWithTestssl -count=1 -v "$@"
