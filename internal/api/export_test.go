package api

// The limits, for tests that fill a count without making every attempt.
var (
	CodeFailuresOnPlatform = codeFailuresOnPlatform
	MailsPerAddress        = mailsPerAddress
	MailsPerSender         = mailsPerSender
	PlatformSubject        = platformSubject
)

func TeamSender(teamID string) string  { return teamSender(teamID) }
func AdminSender(userID string) string { return adminSender(userID) }
