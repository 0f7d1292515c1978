// Command go-service is DockOpt's compiled example: an HTTP service built from Go's standard library only,
// used to compare a single-stage image (the whole Go toolchain) with a multi-stage image (one static binary).
//
// Endpoints: / (greeting), /health (liveness), /info (runtime facts), /metrics (CPU and memory from /proc).
// Run with -healthcheck to probe /health of a running instance and exit 0 (healthy) or 1: the image's
// HEALTHCHECK needs no shell or curl.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var started = time.Now()

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

// cpuTimes reads the aggregate CPU line of /proc/stat: busy and total jiffies.
func cpuTimes() (busy, total uint64, err error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	if !s.Scan() {
		return 0, 0, fmt.Errorf("empty /proc/stat")
	}
	fields := strings.Fields(s.Text())
	var v []uint64
	for _, x := range fields[1:] {
		n, err := strconv.ParseUint(x, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		v = append(v, n)
	}
	for i := 0; i < len(v) && i < 8; i++ {
		total += v[i]
	}
	idle := v[3]
	if len(v) > 4 {
		idle += v[4]
	}
	return total - idle, total, nil
}

func cpuPercent(interval time.Duration) float64 {
	b1, t1, err := cpuTimes()
	if err != nil {
		return -1
	}
	time.Sleep(interval)
	b2, t2, err := cpuTimes()
	if err != nil || t2 <= t1 {
		return -1
	}
	return float64(int(1000*float64(b2-b1)/float64(t2-t1))) / 10
}

// procKB reads "Key: N kB" lines from a /proc file into bytes.
func procKB(path string, keys ...string) map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, rest, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		for _, want := range keys {
			if k == want {
				if n, err := strconv.ParseUint(strings.Fields(rest)[0], 10, 64); err == nil {
					out[k] = n * 1024
				}
			}
		}
	}
	return out
}

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, map[string]string{"message": "Hello from the DockOpt Go example", "service": "go-service"})
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]interface{}{"status": "healthy", "uptime_seconds": time.Since(started).Round(100 * time.Millisecond).Seconds()})
	})
	mux.HandleFunc("/info", func(w http.ResponseWriter, r *http.Request) {
		host, _ := os.Hostname()
		writeJSON(w, map[string]interface{}{
			"hostname": host, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH,
			"user": os.Getuid(), "pid": os.Getpid(),
		})
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		mem := procKB("/proc/meminfo", "MemTotal", "MemAvailable")
		self := procKB("/proc/self/status", "VmRSS")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		used := 0.0
		if mem["MemTotal"] > 0 {
			used = float64(int(1000*float64(mem["MemTotal"]-mem["MemAvailable"])/float64(mem["MemTotal"]))) / 10
		}
		writeJSON(w, map[string]interface{}{
			"cpu_percent": cpuPercent(100 * time.Millisecond), "cpu_count": runtime.NumCPU(),
			"memory_total_bytes": mem["MemTotal"], "memory_available_bytes": mem["MemAvailable"],
			"memory_used_percent": used, "process_rss_bytes": self["VmRSS"],
			"go_heap_bytes": ms.HeapAlloc, "goroutines": runtime.NumGoroutine(),
		})
	})
	return mux
}

func healthcheck(addr string) int {
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://" + addr + "/health")
	if err != nil {
		fmt.Fprintln(os.Stderr, "unhealthy:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "unhealthy: status", resp.StatusCode)
		return 1
	}
	return 0
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	addr := flag.String("addr", ":"+port, "listen address")
	check := flag.Bool("healthcheck", false, "probe /health of a running instance and exit 0 when healthy")
	flag.Parse()
	if *check {
		os.Exit(healthcheck(*addr))
	}

	srv := &http.Server{Addr: *addr, Handler: routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		log.Printf("listening on %s", *addr)
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
