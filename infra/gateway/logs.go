package gateway

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
)

// maxLogLine bounds a line held while waiting for its newline, so that a
// function writing without newlines cannot grow memory without limit.
const maxLogLine = 256 << 10

// lineLogger turns a process's output stream into one log record per line,
// the way Lambda turns it into CloudWatch events.
type lineLogger struct {
	log    *slog.Logger
	prefix string
	attrs  []slog.Attr

	mu  sync.Mutex
	buf []byte
}

func newLineLogger(log *slog.Logger, function string, instance int, stream string) *lineLogger {
	return &lineLogger{
		log:    log,
		prefix: function + ": ",
		attrs:  []slog.Attr{slog.String("function", function), slog.Int("instance", instance), slog.String("stream", stream)},
	}
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) >= maxLogLine {
		l.emit(l.buf)
		l.buf = nil
	}
	// Keep the buffer from pinning a large backing array forever.
	if len(l.buf) == 0 {
		l.buf = nil
	}
	return len(p), nil
}

// Flush emits a last line that had no newline.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(l.buf)
		l.buf = nil
	}
}

func (l *lineLogger) emit(line []byte) {
	line = bytes.TrimSuffix(line, []byte("\r"))
	l.log.LogAttrs(context.Background(), slog.LevelInfo, l.prefix+string(line), l.attrs...)
}
