package handlers

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Downloads stream: rows are written to the client as they are produced, never
// collected in memory first. The fill functions run while the response is being
// sent, after the handler has returned: they must not touch the *fiber.Ctx, so
// handlers read everything they need from it first. The ETag middleware skips
// .csv and .json paths (isDownload), because an ETag needs the whole body.
//
// CSV is RFC 4180: a header row, comma-separated, CRLF, UTF-8 without a byte order
// mark, so that data tools (Go, R, pandas, csvkit) read the header exactly as
// documented. Dutch Excel reads a file without a BOM as Windows-1252 and splits on
// ';', so every CSV URL also serves ?excel=1: the same rows with a BOM and ';'.

// utf8BOM makes Excel read a CSV file as UTF-8.
const utf8BOM = "\ufeff"

// streamCSV answers with a CSV file written by fill. Every cell passes through
// csvCell, so no cell can act as a spreadsheet formula. With ?excel=1 in the URL it
// writes the Excel variant (BOM, ';').
func streamCSV(c *fiber.Ctx, filename string, header []string, fill func(write func(row ...string) error) error) error {
	excel := c.Query("excel") == "1"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	if c.Method() == fiber.MethodHead {
		return nil // headers only: a stream would be cut off and logged as an error
	}
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		w := csv.NewWriter(bw)
		w.UseCRLF = true
		if excel {
			w.Comma = ';'
			bw.WriteString(utf8BOM)
		}
		write := func(row ...string) error {
			for i := range row {
				row[i] = csvCell(row[i])
			}
			return w.Write(row)
		}
		err := write(header...)
		if err == nil {
			err = fill(write)
		}
		w.Flush()
		if err == nil {
			err = w.Error()
		}
		if err != nil {
			// The status line is long gone; the log is the only place left.
			slog.Error("csv download stopped", "file", filename, "err", err)
		}
	})
	return nil
}

// streamCSVRows answers with a CSV file of the columns and one row per element
// of list, its cells made by row (streamCSV).
func streamCSVRows[T any](c *fiber.Ctx, filename string, columns []column, list []T, row func(T) []string) error {
	return streamCSV(c, filename, columnNames(columns), func(write func(row ...string) error) error {
		for _, v := range list {
			if err := write(row(v)...); err != nil {
				return err
			}
		}
		return nil
	})
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
// items are encoded one by one as fill produces them. When fill fails half-way the
// document is left unclosed: a client then gets invalid JSON rather than a list
// that looks complete but is not.
func streamJSONArray(c *fiber.Ctx, meta any, fill func(emit func(v any) error) error) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	if c.Method() == fiber.MethodHead {
		return nil // headers only: a stream would be cut off and logged as an error
	}
	path := c.Path()
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		m, _ := json.Marshal(meta)
		bw.WriteString(`{"meta":`)
		bw.Write(m)
		bw.WriteString(`,"data":[`)
		first := true
		enc := json.NewEncoder(bw)
		err := fill(func(v any) error {
			if !first {
				bw.WriteByte(',')
			}
			first = false
			return enc.Encode(v)
		})
		if err != nil {
			slog.Error("json download stopped", "path", path, "err", err)
			return
		}
		bw.WriteString("]}\n")
	})
	return nil
}

// isDownload reports whether a path is a streamed CSV or JSON download.
func isDownload(c *fiber.Ctx) bool {
	p := c.Path()
	return strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".json")
}
