package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"opnieuwthuis/db"
)

// See it before the world does. An editor can look at any case as its public page
// will show it ("Voorbeeld bekijken zoals op de site"): the saved version of a
// concept or tip, or the form as it is on screen. It is the real case template,
// marked as a preview, under /beheer (so never in the page cache, never indexed:
// robots.txt, noindex, no-store).
//
// On public case pages, signed-in editors get a "Bewerken" link without the page
// changing for anyone: the page has an empty slot, and public/redactie.js fills it
// only in a browser with the editor marker cookie (set at sign-in), asking
// /redactie/bewerklink, which answers per session and is never cached. Cached
// pages, in this program or in a proxy, hold no editor's variant.

// viewCase shows the saved version of a case as its public page would.
func (h *Handler) viewCase(c *fiber.Ctx) error {
	cs, err := h.editorCase(c)
	if err != nil {
		return err
	}
	return h.renderPreview(c, cs, formURL(cs.ID), nil)
}

// previewFormCase shows the case form's content, unsaved, as its public page would.
func (h *Handler) previewFormCase(c *fiber.Ctx) error {
	f, cur, check, err := h.checkPostedCase(c)
	if err != nil {
		return err
	}
	version := 0
	if cur != nil {
		version = cur.Version
	}
	cs := check.Input.Preview(f.ID, version, time.Now())
	if cur != nil {
		cs.AuthorID, cs.AuthorName, cs.CreatedAt, cs.PublishedAt = cur.AuthorID, cur.AuthorName, cur.CreatedAt, cur.PublishedAt
		cs.Seeded, cs.SeedVersion = cur.Seeded, cur.SeedVersion
	}
	if g, ok := h.forms.gemeenteByCode[cs.GemeenteCode]; ok {
		cs.GemeenteName, cs.ProvinceCode, cs.ProvinceName = g.Name, g.ProvinceCode, g.ProvinceName
	} else if cs.ProvinceCode != "" {
		cs.ProvinceName = h.forms.provinceName(cs.ProvinceCode)
	}
	if cs.ProvinceCode != "" {
		cs.Provinces = []db.Province{{Code: cs.ProvinceCode, Name: cs.ProvinceName}}
	}
	for i, r := range cs.RelatedGemeenten {
		if g, ok := h.forms.gemeenteByCode[r.Code]; ok {
			cs.RelatedGemeenten[i] = g
			if !slices.ContainsFunc(cs.Provinces, func(p db.Province) bool { return p.Code == g.ProvinceCode }) {
				cs.Provinces = append(cs.Provinces, db.Province{Code: g.ProvinceCode, Name: g.ProvinceName})
			}
		}
	}
	// By name, as a saved case lists them.
	slices.SortFunc(cs.RelatedGemeenten, func(a, b db.Gemeente) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(cs.Provinces, func(a, b db.Province) int { return strings.Compare(a.Name, b.Name) })
	for i, t := range cs.Themes {
		if j := slices.IndexFunc(h.forms.themes, func(x db.Theme) bool { return x.Slug == t.Slug }); j >= 0 {
			cs.Themes[i] = h.forms.themes[j]
		}
	}
	return h.renderPreview(c, cs, formURL(f.ID), check.Errors)
}

func (h *Handler) renderPreview(c *fiber.Ctx, cs db.Case, back string, problems formErrors) error {
	vm, err := h.newCasePage(c, cs)
	if err != nil {
		return err
	}
	vm.Preview, vm.BackURL, vm.Problems = true, back, problems
	vm.Title = "Voorvertoning: " + cs.Title
	vm.NoIndex, vm.Canonical, vm.Feeds = true, "", nil
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	c.Set("X-Robots-Tag", "noindex, nofollow")
	return h.render(c, fiber.StatusOK, "voorbeelden/show", "", vm)
}

// editLink answers public/redactie.js on a case page: {"url": …} of the case's
// form for a signed-in editor, 204 for anyone else. It sets no session, and tells
// every cache to keep nothing.
func (h *Handler) editLink(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	c.Vary(fiber.HeaderCookie)
	path := c.Query("pad")
	slug, ok := strings.CutPrefix(path, "/voorbeelden/")
	if !ok || !slugPattern.MatchString(slug) {
		return c.SendStatus(fiber.StatusNoContent)
	}
	if _, ok, err := h.signedInEditor(c); err != nil || !ok {
		if err == nil && c.Cookies(cookieName(h.secure, editorMarker)) != "" {
			h.setEditorMarker(c, false) // nobody signed in here any more: stop asking
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
	cs, err := h.db.FindCaseBySlug(c.UserContext(), slug)
	if errors.Is(err, db.ErrNotFound) {
		return c.SendStatus(fiber.StatusNoContent)
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": fmt.Sprintf("/beheer/voorbeelden/%d", cs.ID)})
}

// signedInEditor reports whether the request has a live session of an active
// account, without sending anyone anywhere and without writing the session.
func (h *Handler) signedInEditor(c *fiber.Ctx) (db.User, bool, error) {
	if c.Cookies(cookieName(h.secure, "ot_sessie")) == "" {
		return db.User{}, false, nil
	}
	sess, err := h.sessions.Get(c)
	if err != nil {
		return db.User{}, false, err
	}
	uid, _ := sess.Get(sessUserID).(int64)
	loginAt, _ := sess.Get(sessLoginAt).(int64)
	if uid == 0 || time.Since(time.Unix(loginAt, 0)) > sessionMaxAge {
		return db.User{}, false, nil
	}
	u, err := h.db.FindUserByID(c.UserContext(), uid)
	if errors.Is(err, db.ErrNotFound) || (err == nil && u.Disabled) {
		return db.User{}, false, nil
	}
	if err != nil {
		return db.User{}, false, err
	}
	// A session from before a password change has ended (requireEditor).
	if epoch, _ := sess.Get(sessEpoch).(int64); epoch != u.SessionEpoch {
		return db.User{}, false, nil
	}
	return u, true, nil
}
