package main

import (
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"
)

// ---- interior pointers ----

type Inner struct {
	Head [8]int64
	Mid  int64
	Tail [8]int64
}

type Elem struct {
	ID     int64
	Weight float64
	Label  [16]byte
}

var (
	innerPtr *int64 // points at (&Inner{}).Mid
	elemPtr  *Elem  // points at element elemIndex of a heap [numElems]Elem
)

const (
	numElems  = 64
	elemIndex = 37
)

//go:noinline
func newInner() *Inner {
	in := &Inner{Mid: 42}
	for i := range in.Head {
		in.Head[i] = int64(i)
		in.Tail[i] = int64(-i)
	}
	return in
}

//go:noinline
func newElems() []Elem {
	s := make([]Elem, numElems)
	for i := range s {
		s[i].ID = int64(i)
		s[i].Weight = float64(i) / 2
	}
	return s
}

// ---- interfaces ----

type Boxed struct {
	ID   int64
	Name string
	Next *Boxed
}

type ValueStruct struct {
	A, B, C int64
	Tag     string
}

type MyErr struct {
	Code int
	Msg  string
}

func (e *MyErr) Error() string { return e.Msg }

var (
	anyPtr  any   // *Boxed
	anyVal  any   // ValueStruct, boxed on the heap
	lastErr error // *MyErr
)

//go:noinline
func newBoxed() *Boxed { return &Boxed{ID: 7, Name: "boxed"} }

//go:noinline
func makeValue() ValueStruct { return ValueStruct{A: 1, B: 2, C: 3, Tag: "value"} }

//go:noinline
func newMyErr() error { return &MyErr{Code: 500, Msg: "planted error"} }

type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func ifaceData(p *any) unsafe.Pointer { return (*eface)(unsafe.Pointer(p)).data }

// ---- closure ----

type Captured struct {
	ID   int64
	Data [248]byte
}

var callback func() int

//go:noinline
func makeCallback() func() int {
	c := &Captured{ID: 99}
	for i := range c.Data {
		c.Data[i] = byte(i)
	}
	sample(unsafe.Pointer(c))
	return func() int { return int(c.ID) + int(c.Data[3]) }
}

// ---- buffered channel ----

type Msg struct {
	Seq  int64
	Body [56]byte
}

var queue chan *Msg

const (
	queueCap  = 256
	queueMsgs = 100
)

//go:noinline
func newMsg(i int) *Msg {
	m := &Msg{Seq: int64(i)}
	m.Body[0] = byte(i)
	return m
}

// ---- finalizers ----

type WithFinalizer struct {
	ID   int64
	Data [120]byte
}

type Orphan struct {
	ID   int64
	Data [504]byte
}

var (
	finalized      *WithFinalizer
	orphanRunning  atomic.Bool
	orphanBlock    = make(chan struct{})
	finalizerCalls atomic.Int64
)

func finalizeWF(w *WithFinalizer) { finalizerCalls.Add(1) }

// orphanFinalizer never returns: the Orphan stays alive as its argument on
// the finalizer goroutine's stack (and in the runtime's finalizer queue).
func orphanFinalizer(o *Orphan) {
	orphanRunning.Store(true)
	<-orphanBlock
	runtime.KeepAlive(o)
}

//go:noinline
func newWithFinalizer() *WithFinalizer {
	w := &WithFinalizer{ID: 5}
	sample(unsafe.Pointer(w))
	return w
}

//go:noinline
func dropOrphan() {
	o := &Orphan{ID: 13}
	o.Data[0] = 1
	sample(unsafe.Pointer(o))
	runtime.SetFinalizer(o, orphanFinalizer)
}

// ---- large objects ----

type Leaf struct {
	ID   int64
	Data [48]byte
}

var (
	bigBytes []byte
	bigPtrs  []*Leaf
)

const (
	bigBytesSize = 1 << 20
	numLeaves    = 10000
)

//go:noinline
func newLeaf(i int) *Leaf {
	l := &Leaf{ID: int64(i)}
	l.Data[0] = byte(i)
	return l
}

// ---- tiny objects ----

type Tiny struct{ A int32 }

var tinies []*Tiny

const numTinies = 1000

//go:noinline
func newTiny(i int) *Tiny { return &Tiny{A: int32(i)} }

// ---- map with string keys and struct values ----

type Pair struct {
	Left, Right int64
}

var byName map[string]Pair

const numPairs = 200

// ---- global struct holding slices and strings ----

type Server struct {
	Host   string
	Port   int
	Weight float64
}

type Config struct {
	Name    string
	Labels  []string
	Servers []Server
	Limits  []int64
}

var config Config

const numServers = 32

func scenZoo() {
	r := measure(func() {
		in := newInner()
		sample(unsafe.Pointer(in))
		innerPtr = &in.Mid
	})
	plant("main.Inner", 1, unsafe.Sizeof(Inner{}), global("main.innerPtr"), r,
		"interior pointer: main.innerPtr points at field Mid (offset 64), not at the object start")

	r = measure(func() {
		s := newElems()
		sample(unsafe.Pointer(&s[0]))
		elemPtr = &s[elemIndex]
	})
	plant("main.Elem", numElems, unsafe.Sizeof(Elem{}), global("main.elemPtr"), r,
		"one heap array [64]main.Elem; main.elemPtr points at element 37 (interior pointer)")

	r = measure(func() {
		b := newBoxed()
		sample(unsafe.Pointer(b))
		anyPtr = b
	})
	plant("main.Boxed", 1, unsafe.Sizeof(Boxed{}), global("main.anyPtr"), r,
		"pointer stored directly in an any (eface data word)")

	r = measure(func() {
		anyVal = makeValue()
		sample(ifaceData(&anyVal))
	})
	plant("main.ValueStruct", 1, unsafe.Sizeof(ValueStruct{}), global("main.anyVal"), r,
		"struct value boxed on the heap by conversion to any")

	r = measure(func() {
		lastErr = newMyErr()
		sample((*eface)(unsafe.Pointer(&lastErr)).data)
	})
	plant("main.MyErr", 1, unsafe.Sizeof(MyErr{}), global("main.lastErr"), r,
		"*MyErr in an error (non-empty interface, itab + data)")

	r = measure(func() { callback = makeCallback() })
	plant("main.Captured", 1, unsafe.Sizeof(Captured{}), global("main.callback"), r,
		"captured by the closure main.callback; retainedBytes includes the closure object")

	r = measure(func() {
		q := make(chan *Msg, queueCap)
		for i := 0; i < queueMsgs; i++ {
			m := newMsg(i)
			if isSampleIndex(i, queueMsgs) {
				sample(unsafe.Pointer(m))
			}
			q <- m
		}
		queue = q
	})
	plant("main.Msg", queueMsgs, unsafe.Sizeof(Msg{}), global("main.queue"), r,
		"100 messages buffered in a chan *Msg of capacity 256; retainedBytes includes hchan and its buffer")

	r = measure(func() {
		w := newWithFinalizer()
		runtime.SetFinalizer(w, finalizeWF)
		finalized = w
	})
	plant("main.WithFinalizer", 1, unsafe.Sizeof(WithFinalizer{}), global("main.finalized"), r,
		"reachable from main.finalized and has a finalizer (runtime special) set")

	r = measure(func() {
		dropOrphan()
		for !orphanRunning.Load() {
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
	})
	plant("main.Orphan", 1, unsafe.Sizeof(Orphan{}),
		rootSpec{kind: "finalizer", function: "main.orphanFinalizer", variable: "o"}, r,
		"unreachable except through its finalizer, which is running and blocked forever on the finalizer goroutine (runtime.runfinq -> main.orphanFinalizer(o)); retainedBytes also includes the runtime sudog of that blocked channel receive")

	r = measure(func() {
		b := make([]byte, bigBytesSize)
		for i := range b {
			b[i] = byte(i >> 8)
		}
		sample(unsafe.Pointer(&b[0]))
		bigBytes = b
	})
	plant("[1048576]uint8", 1, bigBytesSize, global("main.bigBytes"), r,
		"1 MiB []byte backing array (large, pointer-free object)")

	r = measure(func() {
		p := make([]*Leaf, numLeaves)
		sample(unsafe.Pointer(&p[0]))
		bigPtrs = p
	})
	plant("[10000]*main.Leaf", 1, unsafe.Sizeof([numLeaves]*Leaf{}), global("main.bigPtrs"), r,
		"80 KB pointer array (large object with pointers); retainedBytes covers only the array, the Leafs are on the next entry")

	r = measure(func() {
		for i := range bigPtrs {
			l := newLeaf(i)
			if isSampleIndex(i, numLeaves) {
				sample(unsafe.Pointer(l))
			}
			bigPtrs[i] = l
		}
	})
	plant("main.Leaf", numLeaves, unsafe.Sizeof(Leaf{}), global("main.bigPtrs"), r,
		"retainedBytes covers only the Leafs; main.bigPtrs retains this plus the array entry above")

	r = measure(func() {
		t := make([]*Tiny, numTinies)
		for i := range t {
			t[i] = newTiny(i)
			if i < maxSamples {
				sample(unsafe.Pointer(t[i]))
			}
		}
		tinies = t
	})
	plant("main.Tiny", numTinies, unsafe.Sizeof(Tiny{}), global("main.tinies"), r,
		"4-byte pointer-free objects from the tiny allocator: up to 4 share one 16-byte block; samples are tinies[0..3] (object addresses, not block starts)")

	r = measure(func() {
		m := make(map[string]Pair)
		for i := 0; i < numPairs; i++ {
			m["name-"+strconv.Itoa(i)] = Pair{Left: int64(i), Right: int64(-i)}
		}
		byName = m
	})
	plant("main.Pair", numPairs, unsafe.Sizeof(Pair{}), global("main.byName"), r,
		"map[string]Pair: values are stored inline in the map's buckets/groups, not as separate objects (no sample addresses)")

	r = measure(func() {
		c := Config{Name: "config-" + strconv.Itoa(42)}
		c.Labels = make([]string, 8)
		for i := range c.Labels {
			c.Labels[i] = "label-" + strconv.Itoa(i*1000)
		}
		c.Servers = make([]Server, numServers)
		sample(unsafe.Pointer(&c.Servers[0]))
		for i := range c.Servers {
			c.Servers[i] = Server{Host: "host-" + strconv.Itoa(i) + ".example", Port: 8000 + i, Weight: 1}
		}
		c.Limits = make([]int64, 100)
		config = c
	})
	plant("main.Server", numServers, unsafe.Sizeof(Server{}), global("main.config"), r,
		"main.config is a Config struct in the data segment; Servers is one heap array [32]main.Server; retainedBytes includes Name, Labels (+strings), Servers (+Host strings), Limits")
}
