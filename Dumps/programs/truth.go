package main

import (
	"os"
	"runtime"
	"strconv"
)

const maxSamples = 4

type rootSpec struct {
	kind       string // "global", "stack" or "finalizer"
	name       string // global: fully qualified variable name, e.g. "main.cache"
	function   string // stack, finalizer: function whose frame holds the variable
	variable   string // stack, finalizer: local variable / parameter name
	goroutines int    // stack: number of goroutines with such a frame
}

func global(name string) rootSpec { return rootSpec{kind: "global", name: name} }

func stack(function, variable string, goroutines int) rootSpec {
	return rootSpec{kind: "stack", function: function, variable: variable, goroutines: goroutines}
}

type plantedEntry struct {
	typ      string
	count    int
	size     uintptr
	root     rootSpec
	retained int64 // < 0 means null
	samples  [maxSamples]uintptr
	nsamples int
	note     string
}

type sharedEntry struct {
	typ      string
	count    int
	size     uintptr
	roots    [2]string
	retained int64
	samples  [maxSamples]uintptr
	nsamples int
	note     string
}

// All of this is allocated during package initialisation, before anything
// is measured, so that recording the truth does not disturb the heap.
var (
	planted  = make([]plantedEntry, 0, 64)
	shared   = make([]sharedEntry, 0, 4)
	outBuf   = make([]byte, 0, 64<<10)
	memstats runtime.MemStats
)

// plant records a planted type. retained < 0 means "null" (accounted on
// another entry with the same root). The sample addresses collected with
// sample() since the previous call are attached and reset.
func plant(typ string, count int, size uintptr, root rootSpec, retained int64, note string) {
	e := plantedEntry{typ: typ, count: count, size: size, root: root, retained: retained, note: note}
	e.samples, e.nsamples = samples, nsamples
	nsamples = 0
	planted = append(planted, e)
}

func plantShared(typ string, count int, size uintptr, rootA, rootB string, retained int64, note string) {
	e := sharedEntry{typ: typ, count: count, size: size, roots: [2]string{rootA, rootB}, retained: retained, note: note}
	e.samples, e.nsamples = samples, nsamples
	nsamples = 0
	shared = append(shared, e)
}

// ---- minimal JSON writer into the preallocated outBuf ----

func ws(s string)   { outBuf = append(outBuf, s...) }
func wq(s string)   { outBuf = strconv.AppendQuote(outBuf, s) } // ASCII only
func wi(n int64)    { outBuf = strconv.AppendInt(outBuf, n, 10) }
func wu(n uint64)   { outBuf = strconv.AppendUint(outBuf, n, 10) }
func wkey(k string) { wq(k); ws(": ") }

func whex(p uintptr) {
	ws("\"0x")
	outBuf = strconv.AppendUint(outBuf, uint64(p), 16)
	ws("\"")
}

func wsamples(s *[maxSamples]uintptr, n int) {
	ws("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			ws(", ")
		}
		whex(s[i])
	}
	ws("]")
}

func wroot(r *rootSpec) {
	ws("{")
	wkey("kind")
	wq(r.kind)
	if r.name != "" {
		ws(", ")
		wkey("name")
		wq(r.name)
	}
	if r.function != "" {
		ws(", ")
		wkey("function")
		wq(r.function)
	}
	if r.variable != "" {
		ws(", ")
		wkey("variable")
		wq(r.variable)
	}
	if r.kind == "stack" {
		ws(", ")
		wkey("goroutines")
		wi(int64(r.goroutines))
	}
	ws("}")
}

func buildTruth(program string) {
	ws("{\n  ")
	wkey("schemaVersion")
	wi(1)
	ws(",\n  ")
	wkey("program")
	wq(program)
	ws(",\n  ")
	wkey("goVersion")
	wq(runtime.Version())
	ws(",\n  ")
	wkey("pid")
	wi(int64(os.Getpid()))
	ws(",\n  ")
	wkey("gomaxprocs")
	wi(int64(runtime.GOMAXPROCS(0)))
	ws(",\n  ")
	wkey("numGoroutine")
	wi(int64(runtime.NumGoroutine()))
	ws(",\n  ")
	wkey("memstats")
	ws("{")
	wkey("HeapAlloc")
	wu(memstats.HeapAlloc)
	ws(", ")
	wkey("HeapObjects")
	wu(memstats.HeapObjects)
	ws(", ")
	wkey("HeapInuse")
	wu(memstats.HeapInuse)
	ws(", ")
	wkey("HeapSys")
	wu(memstats.HeapSys)
	ws(", ")
	wkey("NumGC")
	wu(uint64(memstats.NumGC))
	ws("},\n  ")
	wkey("planted")
	ws("[")
	for i := range planted {
		e := &planted[i]
		if i > 0 {
			ws(",")
		}
		ws("\n    {")
		wkey("type")
		wq(e.typ)
		ws(", ")
		wkey("count")
		wi(int64(e.count))
		ws(", ")
		wkey("size")
		wu(uint64(e.size))
		ws(", ")
		wkey("root")
		wroot(&e.root)
		ws(", ")
		wkey("retainedBytes")
		if e.retained < 0 {
			ws("null")
		} else {
			wi(e.retained)
		}
		ws(", ")
		wkey("sampleAddresses")
		wsamples(&e.samples, e.nsamples)
		if e.note != "" {
			ws(", ")
			wkey("note")
			wq(e.note)
		}
		ws("}")
	}
	ws("\n  ]")
	if len(shared) > 0 {
		ws(",\n  ")
		wkey("shared")
		ws("[")
		for i := range shared {
			e := &shared[i]
			if i > 0 {
				ws(",")
			}
			ws("\n    {")
			wkey("type")
			wq(e.typ)
			ws(", ")
			wkey("count")
			wi(int64(e.count))
			ws(", ")
			wkey("size")
			wu(uint64(e.size))
			ws(", ")
			wkey("roots")
			ws("[")
			wq(e.roots[0])
			ws(", ")
			wq(e.roots[1])
			ws("], ")
			wkey("retainedBytes")
			wi(e.retained)
			ws(", ")
			wkey("sampleAddresses")
			wsamples(&e.samples, e.nsamples)
			if e.note != "" {
				ws(", ")
				wkey("note")
				wq(e.note)
			}
			ws("}")
		}
		ws("\n  ]")
	}
	ws("\n}\n")
}
