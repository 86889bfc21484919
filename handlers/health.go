package handlers

import (
	"github.com/gofiber/fiber/v2"
)

// health answers whether the site can read its database.
func (h *Handler) health(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, privateNoStore)
	if err := h.db.Ping(c.UserContext()); err != nil {
		h.log.ErrorContext(c.UserContext(), "health check", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "error", "database": "unreachable"})
	}
	return c.JSON(fiber.Map{"status": "ok", "database": "ok"})
}

// notFound is the last handler: nothing else matched.
func (h *Handler) notFound(c *fiber.Ctx) error {
	c.Locals(unmatchedKey, true)
	return fiber.ErrNotFound
}
