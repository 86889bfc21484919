package handlers

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Downloads stream: rows are written to the client as they are produced, never
// collected in memory first.

// streamCSV answers with an RFC 4180 CSV file (UTF-8, CRLF, header row) written by
// fill. Every cell passes through csvCell, so no cell can act as a spreadsheet formula.
func streamCSV(c *fiber.Ctx, filename string, header []string, fill func(write func(row ...string) error) error) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		w := csv.NewWriter(bw)
		w.UseCRLF = true
		write := func(row ...string) error {
			for i := range row {
				row[i] = csvCell(row[i])
			}
			return w.Write(row)
		}
		if err := write(header...); err != nil {
			return
		}
		_ = fill(write)
		w.Flush()
	})
	return nil
}

// csvCell neutralises text that a spreadsheet would run as a formula (OWASP: cells
// starting with =, +, -, @, tab or carriage return) by prefixing a quote. Plain
// numbers such as -12 are left alone: they are data, not formulas.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "\t\r") {
			return s
		}
		return "'" + s
	}
	return s
}

// streamJSONArray answers with a JSON document {"meta": meta, "data": [...]} whose
// items are encoded one by one as fill produces them.
func streamJSONArray(c *fiber.Ctx, meta any, fill func(emit func(v any) error) error) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		m, _ := json.Marshal(meta)
		bw.WriteString(`{"meta":`)
		bw.Write(m)
		bw.WriteString(`,"data":[`)
		first := true
		enc := json.NewEncoder(bw)
		_ = fill(func(v any) error {
			if !first {
				bw.WriteByte(',')
			}
			first = false
			return enc.Encode(v)
		})
		bw.WriteString("]}\n")
	})
	return nil
}
