#include "textflag.h"

// func spinForever(p *uint64)
// Increments *p forever. Assembly has no async preemption safe points, so a
// goroutine in here keeps running even while the runtime tries to stop the
// world (which therefore must not happen once it is entered).
TEXT ·spinForever(SB), NOSPLIT, $0-8
	MOVQ	p+0(FP), AX
loop:
	INCQ	(AX)
	JMP	loop
