package handlers

// VerifySettings connect the handlers to the verification queue.
type VerifySettings struct {
	// Wake tells this process's worker pool that a run was queued, so it
	// starts at once; nil when no pool runs here (the run then waits for
	// another process's workers to poll).
	Wake func()
}

func (h *Handler) wakeWorkers() {
	if h.Verify.Wake != nil {
		h.Verify.Wake()
	}
}
