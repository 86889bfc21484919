package db

import (
	"context"
	"testing"
	"time"
)

// BenchmarkUpdateCase is one editor save: optimistic lock, themes, revision, audit
// check, commit with synchronous=FULL, and the rebuild of the library's index.
func BenchmarkUpdateCase(b *testing.B) {
	for _, n := range []int{0, 100_000} {
		b.Run(map[int]string{0: "seed", 100_000: "100k"}[n], func(b *testing.B) { benchUpdateCase(b, n) })
	}
}

func benchUpdateCase(b *testing.B, synthetic int) {
	d := openTest(b)
	ctx := context.Background()
	if synthetic > 0 {
		if err := d.AddSyntheticCases(ctx, synthetic, 1); err != nil {
			b.Fatal(err)
		}
	}
	ed := mustUser(b, d, "ria@example.org", RoleEditor)
	c, err := d.FindCaseBySlug(ctx, "startblok-riekerhaven")
	if err != nil {
		b.Fatal(err)
	}
	in := c.Input()
	version := c.Version
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.Summary = c.Summary + " " + time.Now().String()
		if _, err := d.UpdateCase(ctx, c.ID, CaseUpdate{Version: version, Input: in}, ed); err != nil {
			b.Fatal(err)
		}
		version++
	}
}

// BenchmarkSessionSet is the write every signed-in request makes (sliding expiry).
func BenchmarkSessionSet(b *testing.B) {
	s := openTest(b).Sessions()
	val := make([]byte, 200)
	for i := 0; i < b.N; i++ {
		if err := s.Set("sessie", val, 30*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
