// Command fixture plants known objects on the Go heap, records what it planted
// in truth.json, writes a "ready" file next to it and then parks forever so
// that a core dump can be taken (Tools/make-fixtures sends SIGABRT with
// GOTRACEBACK=crash).
//
// Usage: fixture <scenario> [-truth PATH]
//
// The truth file path defaults to $FIXTURE_TRUTH or ./truth.json.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

var scenarios = []struct {
	name string
	run  func()
}{
	{"globalmap", scenGlobalmap},
	{"goroutines", scenGoroutines},
	{"linkedlist", scenLinkedlist},
	{"shared", scenShared},
	{"zoo", scenZoo},
	{"busy", scenBusy},
}

// The main goroutine stays on the main thread, and no other goroutine ever
// runs there. A process-directed SIGABRT is delivered by the kernel to the
// main thread (when it does not block it), so the signal always lands on the
// idle main thread rather than on a thread running a busy goroutine: the
// crash output and core are deterministic in that respect.
func init() { runtime.LockOSThread() }

func usage() {
	fmt.Fprintf(os.Stderr, "usage: fixture <scenario> [-truth PATH]\nscenarios:")
	for _, s := range scenarios {
		fmt.Fprintf(os.Stderr, " %s", s.name)
	}
	fmt.Fprintln(os.Stderr)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	name := os.Args[1]
	truthPath := os.Getenv("FIXTURE_TRUTH")
	if truthPath == "" {
		truthPath = "truth.json"
	}
	args := os.Args[2:]
	for len(args) > 0 {
		switch {
		case args[0] == "-truth" && len(args) > 1:
			truthPath = args[1]
			args = args[2:]
		case len(args[0]) > 7 && args[0][:7] == "-truth=":
			truthPath = args[0][7:]
			args = args[1:]
		default:
			usage()
		}
	}
	readyPath := filepath.Join(filepath.Dir(truthPath), "ready")

	var run func()
	for _, s := range scenarios {
		if s.name == name {
			run = s.run
		}
	}
	if run == nil {
		usage()
	}

	// Warm up everything that allocates lazily and would otherwise be
	// attributed to the first measured root: main's sleep timer, the
	// finalizer goroutine and its argument frame.
	time.Sleep(time.Microsecond)
	warmFinalizer()
	warmThreads()
	for i := 0; i < 4; i++ {
		heapNow() // GC a few times so the threads GC needs exist
	}

	run()
	finish(name, truthPath, readyPath)
}

// beforeReady, if set by a scenario, runs after truth.json is written and
// before the ready marker. It must not allocate.
var beforeReady func()

// finish collects garbage, snapshots the memory statistics, writes the truth
// file and the ready marker and parks forever. Nothing here allocates except
// what writing the two files needs.
func finish(program, truthPath, readyPath string) {
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&memstats)
	buildTruth(program)
	if err := os.WriteFile(truthPath, outBuf, 0o644); err != nil {
		panic(err)
	}
	if beforeReady != nil {
		beforeReady()
	}
	if err := os.WriteFile(readyPath, nil, 0o644); err != nil {
		panic(err)
	}
	for {
		time.Sleep(24 * time.Hour)
	}
}

// ---- measuring retained bytes ----

var measureStats runtime.MemStats

func heapNow() uint64 {
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&measureStats)
	return measureStats.HeapAlloc
}

// measure returns the growth of the live heap caused by plant (which must
// make what it allocates reachable from the root being measured and nothing
// else).
func measure(plant func()) int64 {
	before := heapNow()
	plant()
	after := heapNow()
	return int64(after) - int64(before)
}

// ---- warm-up of threads ----

// warmThreads makes the runtime create a pool of idle threads before anything
// is measured: each M (thread) is a few KB of heap (m, g0 and gsignal
// structs), and one created lazily during a measurement would be counted.
// Goroutines blocked in a real syscall make sysmon hand their Ps to new Ms.
func warmThreads() {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts := syscall.Timespec{Nsec: 50e6}
			syscall.Nanosleep(&ts, nil)
		}()
	}
	wg.Wait()
}

// ---- warm-up of the finalizer machinery ----

type warmObj struct{ x [16]byte }

var warmDone = make(chan struct{}, 1)

//go:noinline
func newWarm() {
	w := &warmObj{}
	runtime.SetFinalizer(w, func(*warmObj) { warmDone <- struct{}{} })
}

func warmFinalizer() {
	newWarm()
	for {
		runtime.GC()
		select {
		case <-warmDone:
			return
		default:
			time.Sleep(time.Millisecond)
		}
	}
}

// ---- sample addresses ----

// samples collects uintptr addresses (not pointers: they must not keep
// anything alive or add reference paths) of planted objects.
var (
	samples  [maxSamples]uintptr
	nsamples int
)

func sample(p unsafe.Pointer) {
	if nsamples < maxSamples {
		samples[nsamples] = uintptr(p)
		nsamples++
	}
}

// isSampleIndex reports whether element i of n planted objects is sampled:
// the first two, the middle one and the last one.
func isSampleIndex(i, n int) bool {
	return i == 0 || i == 1 || i == n/2 || i == n-1
}
