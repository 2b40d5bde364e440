package main

import "unsafe"

type Node struct {
	Next  *Node
	Value int64
}

var head *Node

const numNodes = 150000

//go:noinline
func newNode(v int) *Node { return &Node{Value: int64(v)} }

func scenLinkedlist() {
	r := measure(func() {
		h := newNode(0)
		sample(unsafe.Pointer(h))
		tail := h
		for i := 1; i < numNodes; i++ {
			n := newNode(i)
			if isSampleIndex(i, numNodes) {
				sample(unsafe.Pointer(n))
			}
			tail.Next = n
			tail = n
		}
		head = h
	})
	plant("main.Node", numNodes, unsafe.Sizeof(Node{}), global("main.head"), r,
		"singly linked list in allocation order; Value = position in the list (0 at head)")
}
