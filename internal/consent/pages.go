package consent

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageCSS is the only styling of the dev pages. It is inlined (no external
// assets, so the pages work offline and leak nothing) and allowed by its
// hash in ContentSecurityPolicy rather than by 'unsafe-inline'.
const pageCSS = `:root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--accent:#2563eb;--ok:#047857;--okbg:#ecfdf5;--err:#b91c1c;--errbg:#fef2f2}
@media (prefers-color-scheme:dark){:root{--bg:#111827;--card:#1f2937;--fg:#f9fafb;--muted:#9ca3af;--line:#374151;--accent:#60a5fa;--ok:#6ee7b7;--okbg:#064e3b;--err:#fca5a5;--errbg:#450a0a}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:1rem}
.card{width:100%;max-width:30rem;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:2rem;box-shadow:0 10px 30px rgba(0,0,0,.08)}
h1{font-size:1.35rem;margin:.5rem 0 1rem}
h2{font-size:.95rem;margin:1rem 0 .25rem}
.lead,.hint,footer{color:var(--muted)}
.hint{font-size:.85rem}
footer{font-size:.75rem;border-top:1px solid var(--line);margin-top:1.5rem;padding-top:.75rem}
.badge{display:inline-block;font-size:.75rem;font-weight:600;letter-spacing:.02em;padding:.15rem .6rem;border-radius:999px;color:#fff;background:#4b5563}
.badge-microsoft{background:#0067b8}.badge-google{background:#1a73e8}.badge-salesforce{background:#00a1e0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 .5rem}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
.request{border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1.25rem}
.perms,.details{margin:.25rem 0 0;padding-left:1.25rem}
.note{font-size:.85rem;margin:.75rem 0 0}
.alert{border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}
.alert-error{color:var(--err);background:var(--errbg)}
.alert-ok{color:var(--ok);background:var(--okbg)}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem .75rem;border:1px solid var(--line);border-radius:6px;background:transparent;color:inherit;font:inherit}
input:focus{outline:2px solid var(--accent);outline-offset:1px}
button,.button{display:inline-block;margin-top:1.25rem;padding:.65rem 1.25rem;border:0;border-radius:6px;background:var(--accent);color:#fff;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button{width:100%}`

// ContentSecurityPolicy is the policy to send with the dev pages: nothing may
// load, only the inline style with this exact content applies, and the form
// may post only to the page's own origin.
var ContentSecurityPolicy = func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}()

// SetPageHeaders sets the headers the dev pages need: HTML content type,
// the CSP above, no caching (the form carries a state value) and no
// framing or MIME sniffing.
func SetPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

var (
	signInTemplate = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/signin.html"))
	resultTemplate = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/result.html"))
)

// SignInPage is what the dev sign-in page shows.
type SignInPage struct {
	// Platform is microsoft, google or salesforce.
	Platform string
	// Kind is the consent state kind (KindTenant, KindAppProfile,
	// KindPartnerAppProfile).
	Kind          string
	ObjectName    string
	TenantDomain  string
	Environment   string
	AppType       string
	ConsentMethod string
	Permissions   []string
	// Requirement says who may sign in, e.g. "Sign in as a Global
	// Administrator of contoso.onmicrosoft.com."
	Requirement string
	// Action is the URL the form posts login, password and state to.
	Action string
	State  string
	// Login pre-fills the account field after a failed attempt.
	Login string
	// Error is shown above the form after a failed attempt.
	Error string
}

// ResultPage is what the dev result page shows after the sign-in form was
// posted (or a platform callback came back).
type ResultPage struct {
	Success      bool
	Platform     string
	Kind         string
	ObjectName   string
	TenantDomain string
	// Title defaults to "Consent given" or "Consent failed".
	Title   string
	Message string
	Details []string
	// RetryURL, when set, offers a link back to the sign-in page.
	RetryURL string
}

// chrome is what the shared layout shows, derived from the page.
type chrome struct {
	CSS           template.CSS
	Title         string
	PlatformName  string
	PlatformClass string
	KindName      string
	KindLabel     string
}

// The views hand the templates the layout fields at depth zero and the page
// embedded one level down: depth-zero names win over same-named page fields
// (ResultPage.Title), while the page's own fields stay reachable as
// .ObjectName and so on. The layout fields are repeated rather than
// embedded, because an embedded chrome would sit at the same depth as the
// page and make such names ambiguous.
type signInView struct {
	CSS               template.CSS
	Title             string
	PlatformName      string
	PlatformClass     string
	KindName          string
	ConsentMethodName string
	*SignInPage
}

type resultView struct {
	CSS           template.CSS
	Title         string
	PlatformName  string
	PlatformClass string
	KindName      string
	KindLabel     string
	*ResultPage
}

var (
	platformNames = map[string]string{
		domain.PlatformMicrosoft:  "Microsoft 365",
		domain.PlatformGoogle:     "Google Workspace",
		domain.PlatformSalesforce: "Salesforce",
	}
	kindNames = map[string]string{
		KindTenant:            "tenant registration",
		KindAppProfile:        "app profile",
		KindPartnerAppProfile: "partner app profile",
	}
	consentMethodNames = map[string]string{
		domain.ConsentMethodAdmin: "Administrator consent (for the whole organization)",
		domain.ConsentMethodUser:  "User consent (for your own account)",
	}
)

func newChrome(platform, kind string) chrome {
	c := chrome{CSS: template.CSS(pageCSS), PlatformName: platformNames[platform], PlatformClass: "other",
		KindName: kindNames[kind]}
	if c.PlatformName == "" {
		c.PlatformName = "AOS"
	} else {
		// Only known platform names reach the class attribute.
		c.PlatformClass = platform
	}
	if c.KindName == "" {
		c.KindName = "registration"
	}
	// Kind names are plain ASCII, so capitalising the first byte is safe.
	c.KindLabel = strings.ToUpper(c.KindName[:1]) + c.KindName[1:]
	return c
}

// RenderSignIn writes the dev sign-in page. Everything shown is escaped by
// html/template; the form action is additionally filtered for unsafe URL
// schemes.
func RenderSignIn(w io.Writer, p SignInPage) error {
	if p.Action == "" || p.State == "" {
		return errors.New("consent: sign-in page needs an action URL and a state")
	}
	c := newChrome(p.Platform, p.Kind)
	v := signInView{CSS: c.CSS, Title: "Sign in to " + c.PlatformName, PlatformName: c.PlatformName,
		PlatformClass: c.PlatformClass, KindName: c.KindName,
		ConsentMethodName: consentMethodNames[p.ConsentMethod], SignInPage: &p}
	return signInTemplate.ExecuteTemplate(w, "signin.html", v)
}

// RenderResult writes the dev result page.
func RenderResult(w io.Writer, p ResultPage) error {
	c := newChrome(p.Platform, p.Kind)
	title := p.Title
	if title == "" {
		title = "Consent failed"
		if p.Success {
			title = "Consent given"
		}
	}
	v := resultView{CSS: c.CSS, Title: title, PlatformName: c.PlatformName, PlatformClass: c.PlatformClass,
		KindName: c.KindName, KindLabel: c.KindLabel, ResultPage: &p}
	return resultTemplate.ExecuteTemplate(w, "result.html", v)
}
