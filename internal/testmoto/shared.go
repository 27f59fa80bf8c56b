package testmoto

// StartShared starts the process's server without permission checks, or
// returns it if it already runs, without a testing.TB. It is for a TestMain
// that must hand moto's URL to other servers before any test runs (the
// provider's acceptance tests give it to aosd as its STS endpoint). When moto
// cannot be started it returns the error, and every later Start(t) skips or
// fails its test with the reason, exactly as if StartShared had not been
// called, so a missing moto still only affects the tests that need it.
func StartShared() (*Server, error) {
	plain.once.Do(func() {
		plain.srv, plain.err = launch(false)
	})
	return plain.srv, plain.err
}

// StopAll stops every moto server the process started. Main calls it; a
// TestMain that runs its own set-up and tear-down around m.Run, and so
// cannot use Main, calls it after m.Run returns.
func StopAll() { stopAll() }
