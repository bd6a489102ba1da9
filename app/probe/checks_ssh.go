package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"tenderprobe/app/dnsname"
	"tenderprobe/app/probe/check"
	"tenderprobe/app/probe/sshkex"
)

// ProbeManagement runs the checks of a management endpoint (check target
// Management: ssh.pq-kex) against host, a host name in the scope's list of
// management endpoints, and returns no later than the budget
// (Config.Timeout) plus a short grace. Like Probe, the error is only for a
// name that cannot be probed at all; the result carries exactly the
// management checks, never a domain's.
func (e *Engine) ProbeManagement(ctx context.Context, host string) (Result, error) {
	if _, err := dnsname.Normalize(host); err != nil {
		return Result{}, err
	}
	return e.probeBoundedVia(ctx, host, []checker{checkSSH}, check.TargetIDs(check.Management), e.client, nil), nil
}

// checkSSH is ssh.pq-kex: for every IPv4 and IPv6 address of the host, it
// connects to the SSH port through the SSRF guard and reads the banner and
// key-exchange offer (package sshkex), without logging in. It passes when
// every address offers a post-quantum hybrid key exchange, informs when
// some does not, and is an error when an address could not be read (the
// guard refused it, it did not answer within the connection timeout, or it
// is no SSH server). The evidence is each address's banner and full
// algorithm lists.
func checkSSH(ctx context.Context, r *run) []Check {
	v4, v6, err := r.lookupAddrs(ctx, r.domain)
	if err != nil {
		return errorChecks(err, check.SSHPQKex)
	}
	addrs := append(v4, v6...)
	details := map[string]any{"host": r.domain, "port": r.cfg.SSHPort}
	if len(addrs) == 0 {
		return []Check{newFinding(check.SSHPQKex, StatusError, "ssh_no_address", map[string]any{"host": r.domain}, details)}
	}
	servers := make([]map[string]any, len(addrs))
	offers := make([]sshkex.Offer, len(addrs))
	errs := make([]error, len(addrs))
	done := make(chan struct{})
	for i, ip := range addrs {
		go func() {
			defer func() { done <- struct{}{} }()
			offers[i], errs[i] = r.sshOffer(ctx, netip.AddrPortFrom(ip, uint16(r.cfg.SSHPort)))
		}()
	}
	for range addrs {
		<-done
	}
	var failed Check
	allPQ, firstPQ := true, ""
	for i, ip := range addrs {
		address := netip.AddrPortFrom(ip, uint16(r.cfg.SSHPort)).String()
		servers[i] = map[string]any{"address": address}
		if errs[i] != nil {
			servers[i]["error"] = errs[i].Error()
			if failed.ID == "" {
				failed = sshFailure(address, errs[i], details)
			}
			continue
		}
		o := offers[i]
		servers[i]["offer"] = o
		pq := o.PQHybrids()
		servers[i]["pq_hybrids"] = pq
		if len(pq) == 0 {
			allPQ = false
		} else if firstPQ == "" {
			firstPQ = pq[0]
		}
	}
	details["servers"] = servers
	switch {
	case failed.ID != "":
		return []Check{failed}
	case !allPQ:
		return []Check{newFinding(check.SSHPQKex, StatusInfo, "ssh_no_pq", map[string]any{"host": r.domain}, details)}
	}
	return []Check{newFinding(check.SSHPQKex, StatusPass, "ssh_pq_offered", map[string]any{"host": r.domain, "kex": firstPQ}, details)}
}

// sshFailure is the error check for an address whose offer could not be
// read: a server that is not SSH 2.0 says what it sent instead.
func sshFailure(address string, err error, details map[string]any) Check {
	var pe *sshkex.ProtocolError
	if errors.As(err, &pe) {
		return newFinding(check.SSHPQKex, StatusError, "ssh_not_ssh", map[string]any{"address": address, "reason": pe.Error()}, details)
	}
	return newFinding(check.SSHPQKex, StatusError, "ssh_unreadable", map[string]any{"address": address, "error": err.Error()}, details)
}

// sshOffer reads one address's SSH offer within the connection timeout.
func (r *run) sshOffer(ctx context.Context, addr netip.AddrPort) (sshkex.Offer, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.ConnTimeout)
	defer cancel()
	conn, err := r.dial(ctx, "tcp", addr.String())
	if err != nil {
		return sshkex.Offer{}, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return sshkex.Offer{}, err
	}
	// A cancelled run ends the exchange at once, not at the deadline.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	offer, err := sshkex.Read(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return offer, errSSHTimeout{r.cfg.ConnTimeout}
	}
	return offer, err
}

// errSSHTimeout is a server that did not send its offer in time.
type errSSHTimeout struct{ after time.Duration }

func (e errSSHTimeout) Error() string {
	return "no SSH key-exchange offer within " + e.after.String()
}
