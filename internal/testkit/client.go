package testkit

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var (
	csrfInput  = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	tokenInput = regexp.MustCompile(`name="_token" value="([^"]+)"`)
)

// Client is a browser stand-in on a real connection: its cookies in a jar, the
// CSRF token of the last editor page it saw, and redirects not followed, so that
// a save's 303 (or, for htmx, 204 with HX-Redirect) is seen as the acknowledgement
// it is. Its methods return errors instead of failing a test, so that it can run
// in many goroutines; one Client is one browser and is not shared between them.
type Client struct {
	Base string // the site, such as "http://127.0.0.1:8080"
	HTTP *http.Client
	CSRF string // the token of the last page that held one
}

// NewClient is a client of the site at base; transport may be nil (the default).
func NewClient(base string, transport http.RoundTripper) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, HTTP: &http.Client{
		Jar:           jar,
		Transport:     transport,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send makes one request (form, when not nil, as its body) and reads the whole
// answer; headers are name, value pairs. An error means no answer came.
func (c *Client) Send(method, path string, form url.Values, headers ...string) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.Base+path, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: body: %w", method, path, err)
	}
	if m := csrfInput.FindSubmatch(b); m != nil {
		c.CSRF = string(m[1])
	}
	return res, string(b), nil
}

// Login sends the sign-in form with the form token of /inloggen and returns the
// answer, whatever it is; headers go with the POST.
func (c *Client) Login(email, password string, headers ...string) (*http.Response, error) {
	_, page, err := c.Send(http.MethodGet, "/inloggen", nil)
	if err != nil {
		return nil, err
	}
	m := tokenInput.FindStringSubmatch(page)
	if m == nil {
		return nil, errors.New("no form token on /inloggen")
	}
	res, _, err := c.Send(http.MethodPost, "/inloggen", url.Values{"_token": {m[1]}, "email": {email}, "password": {password}}, headers...)
	return res, err
}

// SignIn signs in through the real form and opens the dashboard for a CSRF token.
func (c *Client) SignIn(email, password string) error {
	res, err := c.Login(email, password)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in %s: status %d", email, res.StatusCode)
	}
	if res, _, err = c.Send(http.MethodGet, "/beheer", nil); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || c.CSRF == "" {
		return fmt.Errorf("dashboard after sign-in: status %d", res.StatusCode)
	}
	return nil
}
