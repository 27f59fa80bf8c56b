package server_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aos-dev/terraform-provider-aos/internal/aosdtest"
	"github.com/aos-dev/terraform-provider-aos/internal/client"
	"github.com/aos-dev/terraform-provider-aos/internal/domain"
)

// browser starts headless Chromium for page tests. Without Chromium the
// test skips, unless AOS_REQUIRE_CHROMIUM=1 (CI) makes that a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("AOS_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("Chromium is not installed and AOS_REQUIRE_CHROMIUM=1 (apt-get install chromium)")
		}
		t.Skip("Chromium is not installed (apt-get install chromium); skipping the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
	)
	// The profile is not under t.TempDir: Chromium's helper processes can
	// outlive a killed browser and write to it after the test, and the
	// testing package fails a test whose TempDir it cannot remove. No user
	// data dir is set instead, so chromedp makes a temporary profile when it
	// starts Chromium and removes it itself once the browser process has
	// exited; the cleanup below closes Chromium first, so that there is
	// nothing left to write.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// chromedp's protocol tables lag behind Chromium's; events it cannot
	// decode are irrelevant to these tests, so their complaints are dropped.
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(func(string, ...any) {}))
	ctx, cancelTimeout := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() {
		// Close Chromium the way a user would: it stops its helper
		// processes and finishes writing its profile before it exits.
		// chromedp.Cancel waits for the exit and for the profile's
		// removal, and reports either failing. This comes before
		// cancelTimeout, which would kill the browser: chromedp ties the
		// process to the context of the first Run.
		cctx, cancelClose := context.WithTimeout(bctx, 10*time.Second)
		defer cancelClose()
		if err := chromedp.Cancel(cctx); err != nil {
			// The test is over; a browser that did not close is killed
			// and a profile left behind is reported, not a failure. (Not
			// after a Cancel that succeeded: for a browser that never
			// started, cancelBrowser would then wait forever.)
			t.Logf("closing Chromium: %v", err)
			cancelBrowser()
		}
		cancelTimeout()
		cancelAlloc()
	})
	return ctx
}

// TestBrowserConsent signs in on the dev consent page the way an
// administrator would: a guest is refused on the page with the rule's
// message, the tenant's Global Administrator succeeds, and a link replaced
// by a reconnect no longer works.
func TestBrowserConsent(t *testing.T) {
	ctx := browser(t)
	in, err := aosdtest.Start(aosdtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := in.Close(); err != nil {
			t.Errorf("closing aosd: %v", err)
		}
	})
	c, err := client.New(client.Config{Endpoint: in.Endpoint, ClientID: in.ClientID, ClientSecret: in.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	tn, _, err := c.CreateTenant(context.Background(), domain.TenantCreate{Platform: domain.PlatformMicrosoft, Domain: "contoso.onmicrosoft.com"})
	if err != nil {
		t.Fatal(err)
	}

	signIn := func(url, login, password string) string {
		var text string
		err := chromedp.Run(ctx,
			chromedp.Navigate(url),
			chromedp.WaitVisible(`#login`, chromedp.ByQuery),
			chromedp.SetValue(`#login`, login, chromedp.ByQuery),
			chromedp.SetValue(`#password`, password, chromedp.ByQuery),
			chromedp.Click(`button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`.alert`, chromedp.ByQuery),
			chromedp.Text(`body`, &text, chromedp.ByQuery),
		)
		if err != nil {
			t.Fatalf("signing in as %s: %v", login, err)
		}
		return text
	}

	// The page says what is being consented to.
	var lead string
	if err := chromedp.Run(ctx, chromedp.Navigate(tn.ConsentURL), chromedp.Text(`body`, &lead, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lead, "contoso.onmicrosoft.com") {
		t.Fatalf("sign-in page does not name the tenant:\n%s", lead)
	}

	if text := signIn(tn.ConsentURL, "admin@contoso.onmicrosoft.com", "wrong password"); !strings.Contains(strings.ToLower(text), "password") {
		t.Fatalf("wrong password not reported on the page:\n%s", text)
	}
	if text := signIn(tn.ConsentURL, "megan@fabrikam.onmicrosoft.com", "Megan#Bowen2024"); !strings.Contains(text, "guest") {
		t.Fatalf("guest consent not refused on the page:\n%s", text)
	}
	if got, _, _ := c.GetTenant(context.Background(), tn.ID); got.Status != domain.StatusPendingConsent {
		t.Fatalf("refused sign-in changed the tenant: %s", got.Status)
	}
	if text := signIn(tn.ConsentURL, "admin@contoso.onmicrosoft.com", "Contoso#Admin1"); !strings.Contains(text, "Consent was given") {
		t.Fatalf("administrator consent failed on the page:\n%s", text)
	}
	got, _, err := c.GetTenant(context.Background(), tn.ID)
	if err != nil || got.Status != domain.StatusConnected || got.ConsentUser != "admin@contoso.onmicrosoft.com" {
		t.Fatalf("tenant after consent = %+v, %v", got, err)
	}

	// Reconnect issues a new link; the first one must not complete it.
	old := tn.ConsentURL
	re, _, err := c.ReconnectTenant(context.Background(), tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if re.ConsentURL == old {
		t.Fatal("reconnect reused the consent link")
	}
	if text := signIn(old, "admin@contoso.onmicrosoft.com", "Contoso#Admin1"); !strings.Contains(text, "newer") {
		t.Fatalf("a replaced consent link still worked:\n%s", text)
	}
	if text := signIn(re.ConsentURL, "admin@contoso.onmicrosoft.com", "Contoso#Admin1"); !strings.Contains(text, "Consent was given") {
		t.Fatalf("the current link did not work:\n%s", text)
	}
}
