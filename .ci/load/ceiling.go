//go:build loadceiling

// Command ceiling is the load script's yardstick: a plain Fiber "hello" handler
// with nothing else, on the same machine and the same Fiber as the site. What it
// serves per second is the most any route of the site could serve. Built only by
// .ci/load/run (go build -tags loadceiling ./.ci/load); not part of the site.
package main

import (
	"fmt"
	"log"
	"net"
	"os"

	"github.com/gofiber/fiber/v2"
)

func main() {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	// The same line as the site's log, which the load script waits for.
	fmt.Printf("{\"msg\":\"listening\",\"addr\":%q}\n", ln.Addr().String())
	log.Fatal(app.Listener(ln))
}
