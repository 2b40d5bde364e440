package main

import (
	"runtime"
	"sync"
	"unsafe"
)

// Session is referenced only from the stack of a main.worker goroutine.
type Session struct {
	ID       int64
	LastSeen int64
	Token    [16]byte
	Buf      []byte // 2 KiB
}

// Payload is referenced only from the stack of a main.holder goroutine.
type Payload struct {
	ID   int64
	Data []byte // 4 KiB
}

const (
	numWorkers        = 10
	sessionsPerWorker = 100
	numHolders        = 5
	sessionBufSize    = 2048
	payloadSize       = 4096
)

var (
	stopWorkers  = make(chan struct{})
	stopHolders  = make(chan struct{})
	startWorkers = make(chan struct{})
	startHolders = make(chan struct{})
	plantedWG    sync.WaitGroup
)

//go:noinline
func newSessions(worker, n int) []*Session {
	s := make([]*Session, n)
	for i := range s {
		ss := &Session{ID: int64(worker*1000 + i), LastSeen: int64(i), Buf: make([]byte, sessionBufSize)}
		for j := range ss.Buf {
			ss.Buf[j] = byte(i + j)
		}
		if worker == 0 && isSampleIndex(i, n) {
			sample(unsafe.Pointer(ss))
		}
		s[i] = ss
	}
	return s
}

//go:noinline
func newPayload(id int) *Payload {
	p := &Payload{ID: int64(id), Data: make([]byte, payloadSize)}
	for j := range p.Data {
		p.Data[j] = byte(id * j)
	}
	return p
}

// worker holds its sessions in a local variable while blocked receiving.
//
//go:noinline
func worker(id int) {
	<-startWorkers
	sessions := newSessions(id, sessionsPerWorker)
	plantedWG.Done()
	<-stopWorkers // parks here forever
	runtime.KeepAlive(sessions)
}

// holder holds its payload in a local variable while blocked receiving.
//
//go:noinline
func holder(id int) {
	<-startHolders
	payload := newPayload(id)
	if id == 0 {
		sample(unsafe.Pointer(payload))
	}
	plantedWG.Done()
	<-stopHolders // parks here forever
	runtime.KeepAlive(payload)
}

func scenGoroutines() {
	// Create the goroutines (their g structs are heap objects) before
	// measuring; they wait for the start signal before allocating.
	for i := 0; i < numWorkers; i++ {
		go worker(i)
	}
	for i := 0; i < numHolders; i++ {
		go holder(i)
	}
	r := measure(func() {
		plantedWG.Add(numWorkers)
		close(startWorkers)
		plantedWG.Wait()
	})
	plant("main.Session", numWorkers*sessionsPerWorker, unsafe.Sizeof(Session{}),
		stack("main.worker", "sessions", numWorkers), r,
		"retainedBytes is the total over all 10 goroutines (slice backing arrays, Sessions and their 2 KiB Bufs); samples are from one goroutine")
	r = measure(func() {
		plantedWG.Add(numHolders)
		close(startHolders)
		plantedWG.Wait()
	})
	plant("main.Payload", numHolders, unsafe.Sizeof(Payload{}),
		stack("main.holder", "payload", numHolders), r,
		"retainedBytes is the total over all 5 goroutines (Payloads and their 4 KiB Data)")
}
