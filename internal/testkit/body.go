package testkit

import (
	"io"
	"net/http"
	"testing"
)

// Body reads and closes the whole body of the answer res to a request that
// returned res and err; either error fails t.
func Body(t testing.TB, res *http.Response, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
