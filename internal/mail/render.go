package mail

import (
	"html"
	"net/url"
	"strings"
	"unicode"

	"github.com/roster-dev/roster/internal/locale"
)

// Every message is one list of blocks, rendered into both the text and the HTML part so
// that the two cannot differ. It is plain string building: the template packages' method
// look-ups by reflection make the linker keep every exported method, which bloats every
// function that sends mail. In HTML every value is escaped and every link goes through
// safeURL; the text part is never escaped.

// A block is one paragraph-level piece of a message, written in the words of
// a frame (the reader's language).
type block interface {
	writeText(b *strings.Builder, f *frame)
	writeHTML(b *strings.Builder, f *frame)
}

// A frame is what a message says around its blocks, in one language: the
// document's language, the footer, the line under a button for clients that
// mangle it, and how a label is joined to its value.
type frame struct {
	lang     string
	footer   string
	openLink string // followed by the button's URL
	colon    string
}

var (
	english = &frame{lang: "en", footer: "This message was sent automatically by Roster.",
		openLink: "If the button does not work, open ", colon: ": "}
	chinese = &frame{lang: "zh-CN", footer: "此邮件由 Roster 自动发送。",
		openLink: "如果按钮无法点击，请在浏览器中打开：", colon: "："}
)

func frameOf(l locale.Locale) *frame {
	if zh(l) {
		return chinese
	}
	return english
}

// The HTML layout: a centred white card on a grey page, styled inline because
// mail clients drop <style> sheets. The fonts name a Chinese face after the
// Latin ones, for the clients that pick none by themselves.
const (
	bodyStyle = "margin:0;padding:24px 12px;background-color:#f4f5f7;font-family:Helvetica,Arial,'PingFang SC','Microsoft YaHei',sans-serif;font-size:15px;line-height:1.5;color:#1f2328;"
	cardOpen  = `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0"><tr><td align="center">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="max-width:560px;background-color:#ffffff;border-radius:8px;"><tr><td style="padding:32px;text-align:left;">
`

	mutedStyle  = "color:#6a737d;"
	monoStyle   = "font-family:Menlo,Consolas,monospace;"
	codeStyle   = "margin:16px 0;" + monoStyle + "font-size:28px;font-weight:bold;letter-spacing:6px;"
	buttonStyle = "display:inline-block;padding:10px 20px;background-color:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px;"
)

func htmlHead(f *frame) string {
	return `<!DOCTYPE html>
<html lang="` + f.lang + `">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roster</title>
</head>
<body style="` + bodyStyle + `">
` + cardOpen
}

func htmlFoot(f *frame) string {
	return `</td></tr></table>
<p style="font-size:12px;color:#6a737d;">` + f.footer + `</p>
</td></tr></table>
</body>
</html>
`
}

// compose renders body into a Message for one recipient, in l.
func compose(l locale.Locale, to, subject string, body ...block) Message {
	f := frameOf(l)
	var text, page strings.Builder
	page.WriteString(htmlHead(f))
	for i, b := range body {
		if i > 0 {
			text.WriteString("\n\n")
		}
		b.writeText(&text, f)
		b.writeHTML(&page, f)
		page.WriteByte('\n')
	}
	text.WriteString("\n\n" + f.footer + "\n")
	page.WriteString(htmlFoot(f))
	return Message{To: []string{to}, Subject: oneLine(subject), Text: text.String(), HTML: page.String()}
}

// oneLine turns control characters (a newline in a team name, say) into
// spaces: a subject is a single header line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// unsafeURL replaces, in an href, a link that is not http or https (a
// javascript: or data: URL, say): the same marker html/template used, so the
// reader gets a dead link rather than a script.
const unsafeURL = "#ZgotmplZ"

// safeURL returns u, escaped for an attribute, if it is an absolute http or
// https URL, and unsafeURL otherwise. Every link Roster sends is absolute, so
// nothing legitimate is lost by refusing relative ones.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return unsafeURL
	}
	return html.EscapeString(u)
}

// spanKind says how a run of words inside a paragraph is shown.
type spanKind int

const (
	plain  spanKind = iota
	strong          // bold in HTML, as is in text
	link            // a URL shown as itself, and a link to it in HTML
)

type span struct {
	kind spanKind
	s    string
}

func txt(s string) span  { return span{plain, s} }
func bold(s string) span { return span{strong, s} }
func href(u string) span { return span{link, u} }

func (s span) writeText(b *strings.Builder, _ *frame) { b.WriteString(s.s) }

func (s span) writeHTML(b *strings.Builder, _ *frame) {
	switch s.kind {
	case strong:
		b.WriteString("<strong>" + html.EscapeString(s.s) + "</strong>")
	case link:
		b.WriteString(`<a href="` + safeURL(s.s) + `">` + html.EscapeString(s.s) + "</a>")
	default:
		b.WriteString(html.EscapeString(s.s))
	}
}

// paragraph is a run of spans; a muted one (an aside, such as "if you did
// not ask for this") is grey in HTML.
type paragraph struct {
	muted bool
	spans []span
}

func p(spans ...span) paragraph    { return paragraph{spans: spans} }
func note(spans ...span) paragraph { return paragraph{muted: true, spans: spans} }

func (para paragraph) writeText(b *strings.Builder, f *frame) {
	for _, s := range para.spans {
		s.writeText(b, f)
	}
}

func (para paragraph) writeHTML(b *strings.Builder, f *frame) {
	if para.muted {
		b.WriteString(`<p style="` + mutedStyle + `">`)
	} else {
		b.WriteString("<p>")
	}
	for _, s := range para.spans {
		s.writeHTML(b, f)
	}
	b.WriteString("</p>")
}

// code is a one-time code, on a line of its own and large in HTML, so that it
// is easy to read and to copy.
type code string

func (c code) writeText(b *strings.Builder, _ *frame) { b.WriteString(string(c)) }

func (c code) writeHTML(b *strings.Builder, _ *frame) {
	b.WriteString(`<p style="` + codeStyle + `">` + html.EscapeString(string(c)) + "</p>")
}

// fields are labelled values, such as credentials, one a line; values are
// monospaced in HTML so that a password's characters can be told apart.
type fields [][2]string

func (fs fields) writeText(b *strings.Builder, f *frame) {
	for i, kv := range fs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(kv[0] + f.colon + kv[1])
	}
}

func (fs fields) writeHTML(b *strings.Builder, _ *frame) {
	b.WriteString(`<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin:16px 0;">` + "\n")
	for _, kv := range fs {
		b.WriteString(`<tr><td style="padding:4px 16px 4px 0;` + mutedStyle + `">` + html.EscapeString(kv[0]) +
			`</td><td style="padding:4px 0;` + monoStyle + `">` + html.EscapeString(kv[1]) + "</td></tr>\n")
	}
	b.WriteString("</table>")
}

// button is the message's call to action. The text part gives the URL on a
// line of its own, which mail clients make clickable; the HTML part gives a
// button and, for clients that mangle it, the URL to copy.
type button struct{ label, url string }

func (bt button) writeText(b *strings.Builder, f *frame) {
	b.WriteString(bt.label + strings.TrimSpace(f.colon) + "\n" + bt.url)
}

func (bt button) writeHTML(b *strings.Builder, f *frame) {
	b.WriteString(`<p><a href="` + safeURL(bt.url) + `" style="` + buttonStyle + `">` + html.EscapeString(bt.label) + "</a></p>\n" +
		`<p style="` + mutedStyle + `word-break:break-all;">` + html.EscapeString(f.openLink) + html.EscapeString(bt.url) + "</p>")
}
