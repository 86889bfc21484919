package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// Nothing typed is lost. Every opened case form carries a form key: random, and
// signed for the account that opened it. As the editor types, htmx posts the form
// a few seconds after the last change to /beheer/voorbeelden/bewaren, which keeps
// it as a draft on the server (db.SaveDraft); the form page offers the newest
// draft back when it differs from the saved case, and a save marks the form's
// drafts done. A post that arrives after the session ended (a save, an autosave,
// an inline check) is kept as a draft of the account the key names, the editor is
// sent to sign in, and the sign-in brings them back to the form with their text.
// The key's signature is what ties such a post to an account, as the session
// cannot; it is only ever used to keep text for that account, never to change
// anything else. public/beheer.js warns before leaving a changed form and before
// the session ends, and can extend it.

const (
	autosavePath  = "/beheer/voorbeelden/bewaren"
	maxDraftBytes = 256 << 10

	sessionEndsLocal = "session_ends"
	sessionHeader    = "X-Sessie-Seconden"
)

// newFormKey makes the key of a newly opened form of account uid:
// base64url(uid | 12 random bytes | HMAC).
func (h *Handler) newFormKey(uid int64) string {
	b := make([]byte, 8+12, 8+12+16)
	binary.BigEndian.PutUint64(b, uint64(uid))
	rand.Read(b[8:20])
	return base64.RawURLEncoding.EncodeToString(append(b, h.formKeyMAC(b)...))
}

func (h *Handler) formKeyMAC(b []byte) []byte {
	mac := hmac.New(sha256.New, h.formSecret)
	mac.Write([]byte("case form key\x00"))
	mac.Write(b)
	return mac.Sum(nil)[:16]
}

// formKeyOwner returns the account a form key was made for, if the key is genuine.
func (h *Handler) formKeyOwner(key string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil || len(b) != 8+12+16 || !hmac.Equal(h.formKeyMAC(b[:20]), b[20:]) {
		return 0, false
	}
	uid := int64(binary.BigEndian.Uint64(b[:8]))
	return uid, uid > 0
}

func (h *Handler) ownsFormKey(key string, uid int64) bool {
	owner, ok := h.formKeyOwner(key)
	return ok && owner == uid
}

// draftOffer is an unsaved version of a form, offered back or shown.
type draftOffer struct {
	FormKey   string
	UpdatedAt time.Time
	URL       string // the form with this version in it
}

// draftContent is what a draft keeps of a form: everything typed, nothing of
// this request (the pressed button, the key).
func draftContent(f caseForm) ([]byte, error) {
	f.Action, f.FormKey, f.Overwrite = "", "", 0
	return json.Marshal(f)
}

// sameContent reports whether a draft holds nothing the saved form does not.
func (h *Handler) sameContent(a, b caseForm) bool {
	norm := func(f caseForm) string {
		f.ID, f.Version, f.Overwrite, f.Status, f.Action, f.FormKey = 0, 0, 0, "", "", ""
		if g, ok := h.forms.findGemeente(f.Gemeente); ok {
			f.Gemeente = g.Code
		}
		if len(f.Themes) == 0 {
			f.Themes = nil
		}
		b, _ := json.Marshal(f)
		return string(b)
	}
	return norm(a) == norm(b)
}

func formURL(caseID int64) string {
	if caseID == 0 {
		return "/beheer/voorbeelden/nieuw"
	}
	return fmt.Sprintf("/beheer/voorbeelden/%d", caseID)
}

// offerDraft puts the draft the address asks for (?klad=…) into the form, or
// offers the editor's newest draft of this case when it differs from the form.
func (h *Handler) offerDraft(c *fiber.Ctx, vm *caseFormPage) error {
	ctx := c.UserContext()
	var caseID int64
	if vm.Case != nil {
		caseID = vm.Case.ID
	}
	if key := c.Query("klad"); key != "" {
		d, err := h.db.FindDraft(ctx, vm.User.ID, key)
		if errors.Is(err, db.ErrNotFound) || (err == nil && d.CaseID != caseID) {
			vm.Notice = "Die niet-opgeslagen versie is er niet meer: ze is opgeslagen of weggegooid. Hieronder staat het formulier zoals het nu is."
			return nil
		}
		if err != nil {
			return err
		}
		var f caseForm
		if err := json.Unmarshal(d.Content, &f); err != nil {
			return fmt.Errorf("draft %s: %w", key, err)
		}
		f.ID, f.FormKey = caseID, key
		if f.Status == "" {
			f.Status = vm.Form.Status
		}
		vm.Form = f
		vm.Restored = &draftOffer{FormKey: key, UpdatedAt: d.UpdatedAt}
		return nil
	}
	d, err := h.db.LatestDraft(ctx, vm.User.ID, caseID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var f caseForm
	if err := json.Unmarshal(d.Content, &f); err != nil || h.sameContent(f, vm.Form) {
		return nil
	}
	vm.Draft = &draftOffer{FormKey: d.FormKey, UpdatedAt: d.UpdatedAt,
		URL: formURL(caseID) + "?klad=" + url.QueryEscape(d.FormKey)}
	return nil
}

// draftsSaved marks the drafts of a saved form done; a failure only leaves a
// draft that will be offered once more, so it is logged, not answered.
func (h *Handler) draftsSaved(c *fiber.Ctx, u db.User, key string, caseID int64) {
	if !h.ownsFormKey(key, u.ID) {
		key = ""
	}
	if err := h.db.DraftsSaved(c.UserContext(), u.ID, key, caseID); err != nil {
		h.log.WarnContext(c.UserContext(), "drafts saved", "request_id", requestID(c), "err", err)
	}
}

// autosavePage is the view model of the autosave status line.
type autosavePage struct {
	Saved     time.Time
	Problem   string
	LoginURL  string // the session ended: sign in again here
	ReloadURL string // the form belongs to an earlier session: open it again here
}

// autosaveCase keeps the form as typed (htmx, a few seconds after the last
// change). It always answers 200 with a status line: a failed autosave must not
// disturb the editor, only say so.
func (h *Handler) autosaveCase(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	vm := autosavePage{}
	f, err := parseCaseForm(c)
	u := currentUser(c)
	switch {
	case err != nil || !h.ownsFormKey(f.FormKey, u.ID):
		vm.Problem = "Automatisch bewaren lukt niet in dit formulier. Laad de pagina opnieuw, of sla op met een van de knoppen."
		return c.Render("beheer/autosave", vm)
	case f.ID > 0:
		if _, err := h.db.FindCaseByID(c.UserContext(), f.ID); err != nil {
			vm.Problem = "Automatisch bewaren lukt niet: dit voorbeeld bestaat niet meer."
			return c.Render("beheer/autosave", vm)
		}
	}
	content, err := draftContent(f)
	if err != nil {
		return err
	}
	if len(content) > maxDraftBytes {
		vm.Problem = "De tekst is te lang om automatisch te bewaren. Sla op met een van de knoppen."
		return c.Render("beheer/autosave", vm)
	}
	if err := h.db.SaveDraft(c.UserContext(), u.ID, f.FormKey, f.ID, content); err != nil {
		if !errors.Is(err, db.ErrReadOnly) {
			return err
		}
		vm.Problem = "Automatisch bewaren lukt op dit moment niet. Uw tekst staat nog in het formulier; sla later op."
		return c.Render("beheer/autosave", vm)
	}
	vm.Saved = time.Now()
	return c.Render("beheer/autosave", vm)
}

// discardDraft throws an unsaved version away.
func (h *Handler) discardDraft(c *fiber.Ctx) error {
	key := c.FormValue("formsleutel")
	u := currentUser(c)
	d, err := h.db.FindDraft(c.UserContext(), u.ID, key)
	if errors.Is(err, db.ErrNotFound) {
		return redirect(c, "/beheer/voorbeelden")
	}
	if err != nil {
		return err
	}
	if err := h.db.DiscardDraft(c.UserContext(), u.ID, key); err != nil {
		return err
	}
	return redirect(c, formURL(d.CaseID)+"?melding=weggegooid")
}

// keepExpiredForm keeps the case form of a post that came without a valid session
// as a draft of the account its form key names, and returns the address of the
// form with that draft in it. Anything else (another form, a forged or missing
// key, a post from another site) is not kept.
func (h *Handler) keepExpiredForm(c *fiber.Ctx) (string, bool) {
	if c.Method() != fiber.MethodPost || !strings.HasPrefix(c.Path(), "/beheer/voorbeelden") || crossSite(c) ||
		!strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEApplicationForm) {
		return "", false
	}
	f, err := parseCaseForm(c)
	if err != nil {
		return "", false
	}
	owner, ok := h.formKeyOwner(f.FormKey)
	if !ok {
		return "", false
	}
	ctx := c.UserContext()
	if u, err := h.db.FindUserByID(ctx, owner); err != nil || u.Disabled {
		return "", false
	}
	if f.ID > 0 {
		if _, err := h.db.FindCaseByID(ctx, f.ID); err != nil {
			return "", false
		}
	}
	content, err := draftContent(f)
	if err != nil || len(content) > maxDraftBytes {
		return "", false
	}
	if err := h.db.SaveDraft(ctx, owner, f.FormKey, f.ID, content); err != nil {
		h.log.WarnContext(ctx, "keep form of an ended session", "request_id", requestID(c), "err", err)
		return "", false
	}
	return formURL(f.ID) + "?klad=" + url.QueryEscape(f.FormKey), true
}

// toLoginKeepingForm is toLogin for a request whose session ended: a case form it
// carries is kept first (keepExpiredForm), and the sign-in leads back to it. An
// autosave is answered in place, so that the editor is not taken from the page.
func (h *Handler) toLoginKeepingForm(c *fiber.Ctx, reason string) error {
	back, kept := h.keepExpiredForm(c)
	if !kept {
		return h.toLogin(c, reason)
	}
	login := "/inloggen?" + url.Values{"terug": {back}, "reden": {"bewaard"}}.Encode()
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	// public/beheer.js stops guarding the page: its text is safe on the server.
	c.Set("HX-Trigger", "sessie-verlopen")
	if c.Path() == autosavePath {
		return c.Render("beheer/autosave", autosavePage{LoginURL: login})
	}
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", login)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(login, fiber.StatusSeeOther)
}

// sessionSecondsLeft is how long the session of this request lasts without
// another request (set by requireEditor).
func sessionSecondsLeft(c *fiber.Ctx) int {
	ends, ok := c.Locals(sessionEndsLocal).(time.Time)
	if !ok {
		return 0
	}
	return max(0, int(time.Until(ends).Seconds()))
}

// sessionEnds is when a session ends without another request: the idle limit after
// its expiry was last moved, or the limit after signing in, whichever comes first.
func sessionEnds(seen, loginAt int64) time.Time {
	return time.Unix(min(seen+int64(sessionIdle.Seconds()), loginAt+int64(sessionMaxAge.Seconds())), 0)
}

// extendSession moves the session's idle expiry now ("Sessie verlengen") and
// answers how long it lasts: {"seconden": n}.
func (h *Handler) extendSession(c *fiber.Ctx) error {
	sess, err := h.sessions.Get(c)
	if err != nil {
		return err
	}
	at := time.Now().Unix()
	loginAt, _ := sess.Get(sessLoginAt).(int64) // read first: Save releases the session
	sess.Set(sessSeenAt, at)
	if err := sess.Save(); err != nil {
		return err
	}
	left := max(0, int(time.Until(sessionEnds(at, loginAt)).Seconds()))
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	c.Set(sessionHeader, strconv.Itoa(left))
	return c.JSON(fiber.Map{"seconden": left})
}
