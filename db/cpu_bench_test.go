package db

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFindCasesCPU reports the process's CPU time per search (cpu-ns/op)
// beside the wall time: on a shared, loaded machine the CPU time is the steadier
// measure of what a search costs.
func BenchmarkFindCasesCPU(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		d := benchDB(b, n)
		ctx := context.Background()
		if _, err := d.FindCases(ctx, CaseFilter{}); err != nil {
			b.Fatal(err)
		}
		for _, q := range benchQueries {
			b.Run(fmt.Sprintf("cases=%d/%s", n, q.name), func(b *testing.B) {
				q.f.PerPage = 12
				start := processCPU()
				for b.Loop() {
					if _, err := d.FindCases(ctx, q.f); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU()-start)/float64(b.N)/1e6, "cpu-ms/op")
			})
		}
	}
}

// processCPU is the CPU time the test process has used so far (user and system).
func processCPU() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
