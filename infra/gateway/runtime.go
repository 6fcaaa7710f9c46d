package gateway

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The Lambda runtime API (2018-06-01), as the Lambda service serves it to one
// execution environment. The runtime long-polls /next for an invocation and
// posts its answer to /response or /error.
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
	// aws-lambda-go streams responses and, when producing the body fails
	// midway, reports the error in these trailers instead.
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

func (in *instance) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", in.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", in.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", in.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", in.handleInitError)
	return mux
}

func (in *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	in.readyOnce.Do(func() {
		in.readyAt = time.Now()
		in.mu.Lock() // launch holds it until cmd.Start has set Process
		pid := in.cmd.Process.Pid
		in.mu.Unlock()
		if in.pool.g.cfg.OnColdStart != nil { // only the bench reads it
			in.initCPU = cpuTime(pid)
		}
		close(in.ready)
	})
	select {
	case inv := <-in.invocations:
		in.mu.Lock()
		in.current = inv
		in.mu.Unlock()
		h := w.Header()
		h.Set(headerRequestID, inv.id)
		h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(headerFunctionARN, in.pool.arn)
		h.Set(headerTraceID, inv.traceID)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	case <-in.exited:
	}
}

func (in *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRuntimeReply+1))
	if err != nil {
		// The runtime went away mid-body; the process watcher reports it.
		return
	}
	var reply runtimeReply
	switch {
	case len(body) > maxRuntimeReply:
		reply.err = newFunctionError(in.pool.fn.Name, "Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(maxRuntimeReply)+" bytes).")
	case r.Trailer.Get(trailerErrorType) != "":
		reply.err = trailerError(in.pool.fn.Name, r.Trailer)
	default:
		reply.payload = body
	}
	if !in.answer(r.PathValue("id"), reply) {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	if len(body) > maxRuntimeReply {
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload too large")
		return
	}
	writeAccepted(w)
}

func (in *instance) handleError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRuntimeReply))
	if err != nil {
		return
	}
	fe := parseFunctionError(in.pool.fn.Name, body, r.Header.Get(headerErrorType))
	if !in.answer(r.PathValue("id"), runtimeReply{err: fe}) {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	writeAccepted(w)
}

func (in *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRuntimeReply))
	if err != nil {
		return
	}
	fe := parseFunctionError(in.pool.fn.Name, body, r.Header.Get(headerErrorType))
	in.initOnce.Do(func() {
		in.initErr = fe
		close(in.initFailed)
	})
	writeAccepted(w)
}

// answer delivers the runtime's reply to the invocation it names. It
// reports false for an id that is not the one in progress.
func (in *instance) answer(id string, reply runtimeReply) bool {
	in.mu.Lock()
	inv := in.current
	if inv == nil || inv.id != id {
		in.mu.Unlock()
		return false
	}
	in.current = nil
	in.mu.Unlock()
	inv.result <- reply // buffered, and only one answer gets past current
	return true
}

func trailerError(function string, trailer http.Header) *FunctionError {
	if body, err := base64.StdEncoding.DecodeString(trailer.Get(trailerErrorBody)); err == nil && len(body) > 0 {
		return parseFunctionError(function, body, trailer.Get(trailerErrorType))
	}
	return newFunctionError(function, trailer.Get(trailerErrorType), "the runtime failed while sending the response")
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeRuntimeError(w http.ResponseWriter, status int, errorType, message string) {
	body, _ := json.Marshal(map[string]string{"errorType": errorType, "errorMessage": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
