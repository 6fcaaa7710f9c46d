package api

// The limits, for tests that fill a count without making every attempt.
var (
	CodeFailuresOnPlatform = codeFailuresOnPlatform
	PlatformSubject        = platformSubject
)
