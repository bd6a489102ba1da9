package tlsscan

// RenegResult is the outcome of client-initiated renegotiation: how many
// of Attempts renegotiations on one connection the server accepted.
type RenegResult struct {
	Accepted int    `json:"accepted"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
}

// EarlyDataResult is the outcome of a TLS 1.3 resumption with early data
// (0-RTT): whether the server's ticket allowed it, whether the server
// accepted the early request, and the HTTP status it answered it with.
type EarlyDataResult struct {
	Offered    bool   `json:"offered"`
	Accepted   bool   `json:"accepted"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Error      string `json:"error,omitempty"`
}
