package main

import (
	"strconv"
	"unsafe"
)

// Block is a 64-byte cache entry; Next chains each block to the previously
// inserted one (an LRU-like list inside the cache).
type Block struct {
	Next *Block
	ID   int64
	Data [48]byte
}

// Record carries a 1 KiB payload so the scenario heap is a few MB.
type Record struct {
	ID      int64
	Name    string
	Payload []byte
}

var (
	cache    map[string]*Block
	registry []*Record
)

const (
	numBlocks  = 5000
	numRecords = 2000
)

func blockKey(i int) string { return "block-" + strconv.Itoa(i) }

//go:noinline
func newBlock(i int, prev *Block) *Block {
	b := &Block{Next: prev, ID: int64(i)}
	for j := range b.Data {
		b.Data[j] = byte(i + j)
	}
	return b
}

//go:noinline
func newRecord(i int) *Record {
	r := &Record{ID: int64(i), Name: "record-" + strconv.Itoa(i), Payload: make([]byte, 1024)}
	for j := range r.Payload {
		r.Payload[j] = byte(i ^ j)
	}
	return r
}

func scenGlobalmap() {
	r := measure(func() {
		m := make(map[string]*Block) // not presized: grows like real code
		var prev *Block
		for i := 0; i < numBlocks; i++ {
			b := newBlock(i, prev)
			if isSampleIndex(i, numBlocks) {
				sample(unsafe.Pointer(b))
			}
			m[blockKey(i)] = b
			prev = b
		}
		cache = m
	})
	plant("main.Block", numBlocks, unsafe.Sizeof(Block{}), global("main.cache"), r,
		"map[string]*Block; retainedBytes includes the map, its key strings and the Blocks")

	r = measure(func() {
		s := make([]*Record, 0) // grows by append like real code
		for i := 0; i < numRecords; i++ {
			rec := newRecord(i)
			if isSampleIndex(i, numRecords) {
				sample(unsafe.Pointer(rec))
			}
			s = append(s, rec)
		}
		registry = s
	})
	plant("main.Record", numRecords, unsafe.Sizeof(Record{}), global("main.registry"), r,
		"each Record has a Name string and a 1 KiB Payload; retainedBytes includes the slice backing array")
}
