package parse

// Problem is one problem a parser or validator found, as a code and
// parameters: the probe shows it as the finding message finding.<Code> in
// the reader's language. Text is the same problem in English, for the
// parsers' own callers, logs and the checks' details.
type Problem struct {
	Code   string
	Params map[string]any
	Text   string
}

// texts are the English texts of problems.
func texts(problems []Problem) []string {
	if problems == nil {
		return nil
	}
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = p.Text
	}
	return out
}
