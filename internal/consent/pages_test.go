package consent

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func render(t *testing.T, f func(*strings.Builder) error) string {
	t.Helper()
	var b strings.Builder
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRenderSignIn(t *testing.T) {
	page := SignInPage{
		Platform: "microsoft", Kind: KindAppProfile, ObjectName: "Backup app",
		TenantDomain: "contoso.onmicrosoft.com", Environment: "commercial",
		AppType: "Delegated app", ConsentMethod: "user",
		Permissions: []string{"Read all groups", "Sign in and read user profile"},
		Requirement: "Sign in with an account of contoso.onmicrosoft.com.",
		Action:      "/dev/consent", State: "v1.abc.def",
		Login: "adele@contoso.onmicrosoft.com", Error: "The login or password is wrong.",
	}
	html := render(t, func(b *strings.Builder) error { return RenderSignIn(b, page) })
	for _, want := range []string{
		"<!DOCTYPE html>", "Sign in to Microsoft 365", "badge-microsoft", "app profile", "Backup app",
		"contoso.onmicrosoft.com", "Delegated app", "User consent", "Read all groups",
		"Sign in and read user profile", `action="/dev/consent"`, `method="post"`,
		`name="state" value="v1.abc.def"`, `value="adele@contoso.onmicrosoft.com"`,
		`role="alert"`, "The login or password is wrong.", `type="password"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "<link", "src=", "http://", "https://"} {
		if strings.Contains(html, banned) {
			t.Errorf("page contains %q; it must be self-contained", banned)
		}
	}
	// No error area when there is no error.
	page.Error = ""
	if html := render(t, func(b *strings.Builder) error { return RenderSignIn(b, page) }); strings.Contains(html, `role="alert"`) {
		t.Error("error area shown without an error")
	}
}

func TestRenderSignInEscapes(t *testing.T) {
	const evil = `"><script>alert(1)</script>`
	page := SignInPage{
		Platform: `microsoft" onmouseover="x`, Kind: KindTenant, ObjectName: evil, TenantDomain: evil,
		Permissions: []string{evil}, Requirement: evil, Action: "javascript:alert(1)",
		State: evil, Login: evil, Error: evil,
	}
	html := render(t, func(b *strings.Builder) error { return RenderSignIn(b, page) })
	if strings.Contains(html, "<script>") || strings.Contains(html, `onmouseover="x`) {
		t.Errorf("unescaped input in page:\n%s", html)
	}
	if strings.Contains(html, `action="javascript:`) {
		t.Error("javascript: action not filtered")
	}
	if !strings.Contains(html, "badge-other") {
		t.Error("unknown platform reached the class attribute")
	}
}

func TestRenderSignInNeedsActionAndState(t *testing.T) {
	var b strings.Builder
	if err := RenderSignIn(&b, SignInPage{Action: "/x"}); err == nil {
		t.Error("rendered without state")
	}
	if err := RenderSignIn(&b, SignInPage{State: "s"}); err == nil {
		t.Error("rendered without action")
	}
}

func TestRenderResult(t *testing.T) {
	ok := render(t, func(b *strings.Builder) error {
		return RenderResult(b, ResultPage{Success: true, Platform: "google", Kind: KindTenant,
			ObjectName: "Contoso Workspace", TenantDomain: "contoso.com", Message: "contoso.com is connected."})
	})
	for _, want := range []string{"Consent given", `class="alert alert-ok"`, "Google Workspace", "contoso.com is connected.",
		"Tenant registration", "Contoso Workspace", "You can close this window"} {
		if !strings.Contains(ok, want) {
			t.Errorf("success page lacks %q", want)
		}
	}
	failed := render(t, func(b *strings.Builder) error {
		return RenderResult(b, ResultPage{Platform: "salesforce", Kind: KindTenant, Title: "Cannot connect",
			Message: "Permission missing", Details: []string{"Grant Use Any API Client"}, RetryURL: "/dev/consent?state=x"})
	})
	for _, want := range []string{"Cannot connect", `class="alert alert-error"`, "Permission missing", "Grant Use Any API Client",
		`href="/dev/consent?state=x"`, "Try again"} {
		if !strings.Contains(failed, want) {
			t.Errorf("failure page lacks %q", want)
		}
	}
	if strings.Contains(failed, `class="alert alert-ok"`) {
		t.Error("failure page styled as success")
	}
	evil := render(t, func(b *strings.Builder) error {
		return RenderResult(b, ResultPage{Message: "<b>x</b>", RetryURL: "javascript:alert(1)"})
	})
	if strings.Contains(evil, "<b>x</b>") || strings.Contains(evil, `href="javascript:`) {
		t.Error("result page does not escape")
	}
}

// TestContentSecurityPolicyAllowsTheInlineStyle recomputes the hash of the
// style element as rendered, so an edit to the CSS or the template that
// breaks the match fails here instead of leaving the page unstyled.
func TestContentSecurityPolicyAllowsTheInlineStyle(t *testing.T) {
	html := render(t, func(b *strings.Builder) error {
		return RenderSignIn(b, SignInPage{Platform: "microsoft", Kind: KindTenant, Action: "/a", State: "s"})
	})
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no style element")
	}
	sum := sha256.Sum256([]byte(m[1]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(ContentSecurityPolicy, want) {
		t.Errorf("CSP %q does not allow the rendered style (%s)", ContentSecurityPolicy, want)
	}
	if strings.Contains(ContentSecurityPolicy, "unsafe-inline") {
		t.Error("CSP allows unsafe-inline")
	}

	h := http.Header{}
	SetPageHeaders(h)
	if h.Get("Content-Security-Policy") != ContentSecurityPolicy || h.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Errorf("headers %v", h)
	}
}
