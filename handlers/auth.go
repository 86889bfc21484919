package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/session"

	"opnieuwthuis/db"
)

// Editors' sessions and CSRF protection.
//
// Visitors get no cookie at all: the session and CSRF middleware only run on the
// editors' routes (/beheer/..., /uitloggen), and a session is created only when an
// editor signs in. The two forms that are posted without a session — sign-in and
// /tip — carry a signed form token instead (formToken): an HMAC over its purpose
// and issue time with a server secret kept in the database. It refuses forged or
// stale posts (403) and gives /tip its minimum fill time, without a cookie. Those
// posts are also refused when the browser says they come from another site
// (Sec-Fetch-Site / Origin), which blocks sign-in CSRF.
//
// Signed in, an editor has one cookie, HttpOnly, SameSite=Lax, Secure (and named
// __Host-…) when SECURE_COOKIES is on: the session id. The session holds the CSRF
// token (the synchronizer token pattern, checkCSRF), which must come back with
// every POST as the X-Csrf-Token header (htmx, set with hx-headers on the editor
// pages) or the _csrf form field (plain forms).
//
// A request of a signed-in editor writes to the database only when something
// changed: at sign-in, and to move the idle expiry at most once per
// sessionTouchEvery. Fiber's csrf middleware, used before, saved the session on
// every editor request (its token carries a new expiry each time): every page view
// of every editor was a write through the database's single writer, two of every
// three writes under 50 clients (TestConcurrentSearchesAndEditorSaves), and on a
// full disk each of them logged a warning.
const (
	// sessionIdle ends a session after this long without a request (sliding:
	// requireEditor moves the expiry, at most once per sessionTouchEvery, so a
	// session ends between 29 and 30 minutes after the last request).
	sessionIdle       = 30 * time.Minute
	sessionTouchEvery = time.Minute
	// sessionMaxAge ends a session this long after signing in, however active.
	sessionMaxAge = 12 * time.Hour

	// sessionCookie is the session cookie's name (with the __Host- prefix under
	// SECURE_COOKIES).
	sessionCookie = "ot_sessie"

	sessUserID  = "uid"
	sessLoginAt = "login_at"
	sessSeenAt  = "seen_at" // when the expiry was last moved (unix seconds)
	sessCSRF    = "csrf"
	sessEpoch   = "epoch" // the account's session epoch at sign-in (db.User.SessionEpoch)

	csrfField  = "_csrf"
	csrfHeader = "X-Csrf-Token"
	csrfLocal  = "csrf"
	userLocal  = "user"

	// Failed sign-ins per client address within loginWindow (db adds a limit per
	// e-mail address).
	loginMaxPerAddress = 20
	loginWindow        = 15 * time.Minute
)

func cookieName(secure bool, name string) string {
	if secure {
		// __Host-: only set over HTTPS, for this host and path / only.
		return "__Host-" + name
	}
	return name
}

func (h *Handler) setupSessions(secure bool) {
	h.sessions = session.New(session.Config{
		Storage:        h.db.Sessions(),
		Expiration:     sessionIdle,
		KeyLookup:      "cookie:" + cookieName(secure, sessionCookie),
		CookiePath:     "/",
		CookieSecure:   secure,
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
	})
	h.loginLimiter = limiter.New(limiter.Config{
		Max:                    loginMaxPerAddress,
		Expiration:             loginWindow,
		LimiterMiddleware:      limiter.SlidingWindow{},
		SkipSuccessfulRequests: true, // only failed sign-ins count
		KeyGenerator:           h.clientIP,
		LimitReached: func(c *fiber.Ctx) error {
			return clientError(fiber.StatusTooManyRequests, "Te veel pogingen",
				"Vanaf dit adres is te vaak geprobeerd in te loggen. Wacht een kwartier en probeer het dan opnieuw.")
		},
	})
}

var errFormExpired = clientError(fiber.StatusForbidden, "Formulier verlopen of ongeldig",
	"Dit formulier is verlopen of kwam niet van deze site, dus er is niets gewijzigd. Ga terug, laad de pagina opnieuw en probeer het nog eens.")

// settle turns an error of the handlers after it into its error page at once, so
// that the rate limiters before it see the final status (they count only failed
// sign-ins, and only accepted tips).
func (h *Handler) settle(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return h.handleError(c, err)
	}
	return nil
}

// currentUser is the signed-in editor (set by requireEditor).
func currentUser(c *fiber.Ctx) db.User {
	u, _ := c.Locals(userLocal).(db.User)
	return u
}

// csrfToken is the CSRF token for the forms of this response.
func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(csrfLocal).(string)
	return t
}

// requireEditor lets signed-in editors with an active account through and sends
// everyone else to the sign-in page. It reads the account on every request, so a
// disabled account or a changed role takes effect at once. It gives the request the
// session's CSRF token (checked by checkCSRF, put in the forms by the views).
func (h *Handler) requireEditor(c *fiber.Ctx) error {
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	uid, _ := sess.Get(sessUserID).(int64)
	loginAt, _ := sess.Get(sessLoginAt).(int64)
	if uid == 0 {
		return h.toLoginKeepingForm(c, "")
	}
	if time.Since(time.Unix(loginAt, 0)) > sessionMaxAge {
		_ = sess.Destroy()
		return h.toLoginKeepingForm(c, "verlopen")
	}
	u, err := h.db.FindUserByID(c.UserContext(), uid)
	if errors.Is(err, db.ErrNotFound) || (err == nil && u.Disabled) {
		_ = sess.Destroy()
		return h.toLogin(c, "uitgeschakeld")
	}
	if err != nil {
		return err
	}
	if epoch, _ := sess.Get(sessEpoch).(int64); epoch != u.SessionEpoch {
		// The password changed since this session signed in (elsewhere, or a
		// beheerder gave a one-time password): it has ended.
		_ = sess.Destroy()
		return h.toLogin(c, "wachtwoord")
	}
	seen, _ := sess.Get(sessSeenAt).(int64)
	token, err := h.touchSession(c, sess)
	if err != nil {
		return err
	}
	if time.Since(time.Unix(seen, 0)) >= sessionTouchEvery {
		seen = time.Now().Unix() // touchSession moved the expiry (the session is released now)
	}
	c.Locals(userLocal, u)
	c.Locals(csrfLocal, token)
	ends := sessionEnds(seen, loginAt)
	c.Locals(sessionEndsLocal, ends)
	c.Set(sessionHeader, strconv.Itoa(max(0, int(time.Until(ends).Seconds()))))
	if u.MustChangePassword && c.Path() != "/beheer/wachtwoord" && c.Path() != "/uitloggen" {
		return redirect(c, "/beheer/wachtwoord")
	}
	return c.Next()
}

// touchSession returns the session's CSRF token and, when the idle expiry was last
// moved sessionTouchEvery ago or more, moves it (a write, and a new cookie). A
// session without a token gets one. A failed save is logged and otherwise ignored
// when the session has its token: the editor can go on reading until the session
// ends (and a save of theirs meets the same trouble and says so).
func (h *Handler) touchSession(c *fiber.Ctx, sess *session.Session) (string, error) {
	token, _ := sess.Get(sessCSRF).(string)
	seen, _ := sess.Get(sessSeenAt).(int64)
	if token != "" && time.Since(time.Unix(seen, 0)) < sessionTouchEvery {
		return token, nil
	}
	fresh := token == ""
	if fresh {
		token = newCSRFToken()
		sess.Set(sessCSRF, token)
	}
	sess.Set(sessSeenAt, time.Now().Unix())
	if err := sess.Save(); err != nil {
		if fresh {
			return "", err
		}
		h.log.WarnContext(c.UserContext(), "session expiry not extended", "request_id", requestID(c), "err", err)
	}
	return token, nil
}

// newCSRFToken is 32 random bytes, base64url.
func newCSRFToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkCSRF refuses a POST (or any unsafe method) of a signed-in editor without
// the session's CSRF token, or that the browser says comes from another site:
// 403, nothing changes. It runs after requireEditor.
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	want := csrfToken(c)
	got := c.Get(csrfHeader)
	if got == "" {
		got = postedValue(c, csrfField)
	}
	if want == "" || crossSite(c) || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		// A case form opened in an earlier session of this editor (they signed
		// in again meanwhile): its text is kept and the form comes back with it.
		if owner, ok := h.formKeyOwner(c.FormValue("formsleutel")); ok && owner == currentUser(c).ID {
			if back, kept := h.keepExpiredForm(c); kept {
				if c.Path() == autosavePath {
					return c.Render("beheer/autosave", autosavePage{ReloadURL: back})
				}
				return redirect(c, back)
			}
		}
		return errFormExpired
	}
	return c.Next()
}

// postedValue is a field of the request body (URL-encoded or multipart), never of
// the query string: a token in a URL ends up in logs, histories and Referer
// headers, so one that arrives there is not accepted. (c.FormValue reads both.)
func postedValue(c *fiber.Ctx, name string) string {
	if v := c.Request().PostArgs().Peek(name); len(v) > 0 {
		return string(v)
	}
	if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEMultipartForm) {
		if mf, err := c.MultipartForm(); err == nil {
			if vs := mf.Value[name]; len(vs) > 0 {
				return vs[0]
			}
		}
	}
	return ""
}

// clientKey stands for the client's address (clientIP) in the sign-in throttle:
// a keyed hash, so that the database holds no addresses.
func (h *Handler) clientKey(c *fiber.Ctx) string {
	mac := hmac.New(sha256.New, h.formSecret)
	mac.Write([]byte("sign-in client\x00" + h.clientIP(c)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

// waitMessage tells how long to wait, in Dutch ("45 seconden", "3 minuten").
func waitMessage(d time.Duration) string {
	if d < 90*time.Second {
		return strconv.Itoa(int(d.Round(time.Second).Seconds())) + " seconden"
	}
	return strconv.Itoa(int((d + 30*time.Second).Minutes())) + " minuten"
}

// tooManyAttempts sets Retry-After for a *db.WaitError and returns the Dutch text.
func tooManyAttempts(c *fiber.Ctx, w *db.WaitError) string {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(w.Wait().Seconds())))
	return "Te veel mislukte pogingen voor dit account vanaf uw adres. Probeer het over " + waitMessage(w.Wait()) +
		" opnieuw, of vraag een beheerder de vertraging op te heffen."
}

// requireAdmin lets only beheerders through; it runs after requireEditor.
func (h *Handler) requireAdmin(c *fiber.Ctx) error {
	if !currentUser(c).IsAdmin() {
		return clientError(fiber.StatusForbidden, "Alleen voor beheerders",
			"Deze pagina is alleen voor beheerders. Vraag een beheerder als u hier iets nodig heeft.")
	}
	return c.Next()
}

// toLogin sends a visitor without a (valid) session to the sign-in page and back
// here afterwards: 303 for a page, 401 with HX-Redirect for htmx.
func (h *Handler) toLogin(c *fiber.Ctx, reason string) error {
	if reason == "" && c.Cookies(cookieName(h.secure, "ot_sessie")) != "" {
		reason = "verlopen" // a session cookie that no longer names a session
	}
	v := url.Values{}
	back := c.OriginalURL()
	if c.Method() != fiber.MethodGet || wantsFragment(c) {
		back = c.Get("HX-Current-URL")
		if u, err := url.Parse(back); err == nil {
			back = u.RequestURI()
		}
	}
	if safeReturn(back) != "" {
		v.Set("terug", back)
	}
	if reason != "" {
		v.Set("reden", reason)
	}
	target := "/inloggen"
	if q := v.Encode(); q != "" {
		target += "?" + q
	}
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// safeReturn accepts only a path on this site as a place to return to: no other
// host ("//evil", "/\evil"), no scheme.
func safeReturn(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n\t") || len(p) > 500 {
		return ""
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return p
}

// loginPage is the view model of /inloggen.
type loginPage struct {
	page
	Token   string
	Email   string
	Return  string
	Error   string
	Notice  string
	Invalid bool
}

var loginNotices = map[string]string{
	"verlopen":      "Uw sessie is verlopen. Log opnieuw in.",
	"uitgeschakeld": "Uw account is uitgeschakeld of bestaat niet meer.",
	"afgemeld":      "U bent afgemeld.",
	"wachtwoord":    "Het wachtwoord van uw account is gewijzigd. Log opnieuw in.",
	"bewaard":       "Uw sessie was verlopen, dus er is nog niets opgeslagen. Wat u in het formulier typte is wel bewaard: log opnieuw in, dan staat het weer in het formulier.",
}

// showLogin is the sign-in form. It sets no cookie.
func (h *Handler) showLogin(c *fiber.Ctx) error {
	vm := h.newLoginPage(c)
	vm.Return = safeReturn(c.Query("terug"))
	vm.Notice = loginNotices[c.Query("reden")]
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	return h.render(c, fiber.StatusOK, "auth/login", "", vm)
}

func (h *Handler) newLoginPage(c *fiber.Ctx) loginPage {
	vm := loginPage{Token: h.formToken(purposeLogin, time.Now())}
	vm.Title = "Inloggen voor redacteuren"
	vm.NoIndex = true
	vm.Canonical = h.canonical("/inloggen")
	return vm
}

// login checks the e-mail address and password and starts a new session.
func (h *Handler) login(c *fiber.Ctx) error {
	if err := h.checkFormPost(c, purposeLogin, 0); err != nil {
		return err
	}
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	back := safeReturn(c.FormValue("terug"))
	vm := h.newLoginPage(c)
	vm.Email, vm.Return = email, back
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	if email == "" || password == "" {
		vm.Error, vm.Invalid = "Vul uw e-mailadres en wachtwoord in.", true
		return h.render(c, fiber.StatusUnprocessableEntity, "auth/login", "", vm)
	}
	u, err := h.db.Authenticate(c.UserContext(), email, password, h.clientKey(c))
	var wait *db.WaitError
	switch {
	case errors.As(err, &wait):
		vm.Error = tooManyAttempts(c, wait)
		return h.render(c, fiber.StatusTooManyRequests, "auth/login", "", vm)
	case errors.Is(err, db.ErrBadCredentials):
		vm.Error, vm.Invalid = "E-mailadres of wachtwoord klopt niet.", true
		return h.render(c, fiber.StatusUnprocessableEntity, "auth/login", "", vm)
	case errors.Is(err, db.ErrDisabled):
		vm.Error = "Uw account is uitgeschakeld. Neem contact op met een beheerder."
		return h.render(c, fiber.StatusForbidden, "auth/login", "", vm)
	case err != nil:
		return err
	}
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	// A new session id at every sign-in: an id planted before (session fixation)
	// or left from an earlier sign-in is dropped.
	if err := sess.Reset(); err != nil {
		return err
	}
	at := time.Now().Unix()
	sess.Set(sessUserID, u.ID)
	sess.Set(sessLoginAt, at)
	sess.Set(sessSeenAt, at)
	sess.Set(sessCSRF, newCSRFToken())
	sess.Set(sessEpoch, u.SessionEpoch)
	if err := sess.Save(); err != nil {
		return err
	}
	h.setEditorMarker(c, true)
	if back == "" {
		back = "/beheer"
	}
	return redirect(c, back)
}

// editorMarker is a cookie without secrets that tells the scripts of public pages
// that this browser belongs to an editor, so that only editors ask for the
// "Bewerken" link of a case page (public/redactie.js, editLink). Public pages stay
// the same for everyone and can be cached; the marker opens nothing by itself.
const editorMarker = "ot_redacteur"

func (h *Handler) setEditorMarker(c *fiber.Ctx, on bool) {
	ck := &fiber.Cookie{Name: cookieName(h.secure, editorMarker), Value: "1", Path: "/", Secure: h.secure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(sessionMaxAge.Seconds())}
	if !on {
		ck.Value, ck.MaxAge, ck.Expires = "", -1, time.Unix(0, 0)
	}
	c.Cookie(ck)
}

// logout ends the session and clears its cookie.
func (h *Handler) logout(c *fiber.Ctx) error {
	u := currentUser(c)
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	if err := sess.Destroy(); err != nil {
		return err
	}
	h.setEditorMarker(c, false)
	if err := h.db.Audit(c.UserContext(), &u, db.ActionLogout, u.Email, ""); err != nil {
		return err
	}
	return redirect(c, "/inloggen?reden=afgemeld")
}

// Signed form tokens for the forms posted without a session.
const (
	purposeLogin byte = 1
	purposeTip   byte = 2

	formTokenMaxAge = 24 * time.Hour
)

// formToken signs purpose and issue time: base64url(purpose | unix time | nonce | HMAC).
func (h *Handler) formToken(purpose byte, at time.Time) string {
	msg := make([]byte, 1+8+8, 1+8+8+sha256.Size)
	msg[0] = purpose
	binary.BigEndian.PutUint64(msg[1:9], uint64(at.Unix()))
	rand.Read(msg[9:17])
	mac := hmac.New(sha256.New, h.formSecret)
	mac.Write(msg)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(msg))
}

// formTokenAge checks a token for purpose and returns how long ago it was issued.
func (h *Handler) formTokenAge(token string, purpose byte) (time.Duration, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 1+8+8+sha256.Size || b[0] != purpose {
		return 0, false
	}
	mac := hmac.New(sha256.New, h.formSecret)
	mac.Write(b[:17])
	if !hmac.Equal(mac.Sum(nil), b[17:]) {
		return 0, false
	}
	age := time.Since(time.Unix(int64(binary.BigEndian.Uint64(b[1:9])), 0))
	if age < -time.Minute || age > formTokenMaxAge {
		return 0, false
	}
	return age, true
}

// checkFormPost refuses a session-less form post that comes from another site or
// lacks a valid token for purpose (403, nothing changes). minAge is the minimum
// fill time; a younger token gives errTooFast.
func (h *Handler) checkFormPost(c *fiber.Ctx, purpose byte, minAge time.Duration) error {
	if crossSite(c) {
		return errFormExpired
	}
	age, ok := h.formTokenAge(postedValue(c, "_token"), purpose)
	if !ok {
		return errFormExpired
	}
	if age < minAge {
		return errTooFast
	}
	return nil
}

var errTooFast = errors.New("form sent faster than a person can fill it in")

// crossSite reports whether the browser says the request comes from another site.
// Browsers without these headers (old ones, or tests) are let through: the token
// still has to be valid.
func crossSite(c *fiber.Ctx) bool {
	switch c.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	if o := c.Get(fiber.HeaderOrigin); o != "" && o != "null" {
		u, err := url.Parse(o)
		return err != nil || u.Host != c.Hostname()
	}
	return false
}
