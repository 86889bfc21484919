package handlers

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"opnieuwthuis/db"
)

// httpMetrics are the request metrics the access log records. main serves them,
// with the Go runtime's, on a separate address (METRICS_ADDR), never on the site.
type httpMetrics struct {
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newHTTPMetrics() *httpMetrics {
	return &httpMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "opnieuwthuis_http_request_duration_seconds",
			Help: "Time to answer a request, by method, route pattern and status class; _count is the number of requests.",
			// From a cached fragment (under 1 ms) to a slow full page.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "opnieuwthuis_http_requests_in_flight",
			Help: "Requests being answered now.",
		}),
	}
}

// register adds the request metrics and the database's file sizes to reg.
func (m *httpMetrics) register(reg prometheus.Registerer, store *db.DB) error {
	for _, c := range []prometheus.Collector{
		m.duration,
		m.inFlight,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "opnieuwthuis_database_size_bytes",
			Help: "Size of the SQLite database file.",
		}, func() float64 { size, _ := store.FileSizes(); return float64(size) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "opnieuwthuis_database_wal_size_bytes",
			Help: "Size of the SQLite write-ahead log (-wal file); it shrinks at checkpoints.",
		}, func() float64 { _, wal := store.FileSizes(); return float64(wal) }),
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// observe records one answered request.
func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		method = "other"
	}
	m.duration.WithLabelValues(method, route, statusClass(status)).Observe(d.Seconds())
}

// statusClass is "2xx", "3xx", "4xx" or "5xx".
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
