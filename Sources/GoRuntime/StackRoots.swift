import GoDWARF

/// Turns a goroutine's live stack slots into one root: the goroutine, whose words are labelled by
/// the function and variable that hold them ("main.worker", "sessions"), from the function's DWARF
/// variables where a slot falls inside one, else by the slot's place ("frame-0x28", "registers").
///
/// The goroutine is the unit of retention (an object two of its variables hold is still its own); the
/// labels say through which variable it holds each object. Named words come first, so that a
/// breadth-first search from the goroutine prefers a variable to a register copy of the same pointer.
struct StackRootNamer {
    let process: GoProcess

    /// A typed stack variable, to seed type propagation.
    struct TypedVariable {
        var type: TypeID
        var address: UInt64?
        var pieces: (bytes: [UInt8], known: [Bool])?
    }

    func root(for stack: GoroutineStack) -> (root: Root, variables: [TypedVariable]) {
        let gid = stack.info.id
        var named: [(value: UInt64, slot: UInt64, label: SlotLabel)] = []
        var unnamed: [(value: UInt64, slot: UInt64, label: SlotLabel)] = []
        var variables: [TypedVariable] = []
        var typedKeys = Set<String>()
        for slot in stack.slots {
            let frame = stack.frames.indices.contains(Int(slot.frame)) ? stack.frames[Int(slot.frame)] : nil
            var function = frame?.function.name ?? "?"
            let preemption = frame.map { $0.function.name == "runtime.asyncPreempt" || $0.function.name == "runtime.debugCallV2" } ?? false
            // Registers saved by an async preemption belong to the interrupted function's frame.
            if preemption, Int(slot.frame) + 1 < stack.frames.count {
                function = stack.frames[Int(slot.frame) + 1].function.name
            }
            // A register of a frame interrupted mid-instruction may be a variable DWARF places in it.
            let interruptedFrame: Int32? = slot.address == 0 ? 0 : (preemption ? slot.frame + 1 : nil)
            if let k = interruptedFrame, let regs = stack.interruptedRegisters[k], Int(k) < stack.frames.count,
               let found = registerVariable(holding: slot.value, frame: stack.frames[Int(k)], registers: regs) {
                named.append((slot.value, slot.address, SlotLabel(function: stack.frames[Int(k)].function.name, variable: found.name, named: true)))
                if let type = found.type, typedKeys.insert("\(k)|\(found.name)").inserted {
                    variables.append(TypedVariable(type: type, address: nil, pieces: found.pieces))
                }
            } else if slot.address == 0 {
                unnamed.append((slot.value, 0, SlotLabel(function: function, variable: "registers", named: false)))
            } else if let frame, !preemption, let found = variable(containing: slot.address, in: frame) {
                named.append((slot.value, slot.address, SlotLabel(function: function, variable: found.name, named: true)))
                if let type = found.type, typedKeys.insert("\(slot.frame)|\(found.name)").inserted {
                    variables.append(TypedVariable(type: type, address: found.start, pieces: found.pieces))
                }
            } else if let frame {
                let label: String
                if preemption {
                    label = "registers at preemption"
                } else if slot.conservative {
                    label = "conservatively scanned frame"
                } else if slot.address >= frame.fp {
                    label = "arg+0x\(String(slot.address - frame.fp, radix: 16))"
                } else {
                    label = "frame-0x\(String(frame.fp - slot.address, radix: 16))"
                }
                unnamed.append((slot.value, slot.address, SlotLabel(function: function, variable: label, named: false)))
            } else {
                unnamed.append((slot.value, slot.address, SlotLabel(function: function, variable: "stack word", named: false)))
            }
        }
        let all = named + unnamed
        let kind: RootKind = isFinalizerGoroutine(stack) ? .finalizer : .stack
        let function = mainFunction(of: stack)
        var root = Root(kind: kind, name: "goroutine \(gid) \(function)", goroutine: gid, function: function)
        root.values = all.map(\.value)
        root.slots = all.map(\.slot)
        root.labels = all.map(\.label)
        return (root, variables)
    }

    /// The function a goroutine is "in" for people: its innermost frame outside the runtime.
    func mainFunction(of stack: GoroutineStack) -> String {
        let names = stack.frames.map(\.function.name)
        return names.first { !$0.hasPrefix("runtime.") } ?? names.first ?? "?"
    }

    /// The DWARF variable of the frame's function whose location at the frame's PC covers `address`:
    /// its user-facing name and type; its start address when the whole variable is in one memory piece,
    /// else its bytes reassembled from the pieces that are in memory.
    func variable(containing address: UInt64, in frame: StackFrame)
        -> (name: String, type: TypeID?, start: UInt64?, pieces: (bytes: [UInt8], known: [Bool])?)? {
        let bias = process.bias
        guard let info = process.dwarf.function(containing: frame.function.entry &- bias) else { return nil }
        let pc = frame.symbolPC &- bias
        let types = process.types
        for v in info.variables {
            guard let pieces = v.pieces(at: pc) else { continue }
            let typeSize = v.type.map { types[$0].size } ?? 8
            var offsetInVar: UInt64 = 0
            for piece in pieces {
                let size = piece.size == 0 ? typeSize : UInt64(piece.size)
                if case let .frame(off) = piece.place {
                    let start = UInt64(Int64(bitPattern: frame.fp) + off)
                    if address >= start && address < start + max(size, 8) {
                        let whole = pieces.count == 1
                        let name = v.name.hasPrefix("&") ? String(v.name.dropFirst()) : v.name
                        if whole { return (name, v.type, start - offsetInVar, nil) }
                        return (name, v.type, nil, reassemble(pieces, frame: frame, size: typeSize, registers: [:]))
                    }
                }
                offsetInVar += size
            }
        }
        return nil
    }

    /// The DWARF variable of an interrupted frame that, at the frame's PC, lives (in whole or in part)
    /// in a register holding `value`; with the variable's bytes from its register and memory pieces.
    func registerVariable(holding value: UInt64, frame: StackFrame, registers: [UInt16: UInt64])
        -> (name: String, type: TypeID?, pieces: (bytes: [UInt8], known: [Bool]))? {
        let bias = process.bias
        guard let info = process.dwarf.function(containing: frame.function.entry &- bias) else { return nil }
        let pc = frame.symbolPC &- bias
        for v in info.variables {
            guard let pieces = v.pieces(at: pc) else { continue }
            let holds = pieces.contains { piece in
                if case let .register(r) = piece.place { return registers[r] == value }
                return false
            }
            guard holds else { continue }
            let typeSize = v.type.map { process.types[$0].size } ?? 8
            let name = v.name.hasPrefix("&") ? String(v.name.dropFirst()) : v.name
            return (name, v.type, reassemble(pieces, frame: frame, size: typeSize, registers: registers))
        }
        return nil
    }

    /// Reads a variable's pieces (from memory, and from `registers` when the frame was interrupted) into
    /// a buffer the size of its type.
    func reassemble(_ pieces: [LocationPiece], frame: StackFrame, size: UInt64, registers: [UInt16: UInt64]) -> (bytes: [UInt8], known: [Bool]) {
        let n = Int(min(size, 1 << 16))
        var bytes = [UInt8](repeating: 0, count: n)
        var known = [Bool](repeating: false, count: n)
        var offset = 0
        for piece in pieces {
            let length = piece.size == 0 ? n - offset : Int(piece.size)
            if case let .frame(off) = piece.place,
               let data = try? process.memory.read(UInt64(Int64(bitPattern: frame.fp) + off), count: length) {
                for i in 0..<length where offset + i < n { bytes[offset + i] = data[i]; known[offset + i] = true }
            } else if case let .register(r) = piece.place, let value = registers[r] {
                for i in 0..<min(length, 8) where offset + i < n {
                    bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i))
                    known[offset + i] = true
                }
            }
            offset += length
        }
        return (bytes, known)
    }

    /// Goroutines running finalizers or cleanups: their roots are the finalizers' (kind `finalizer`).
    func isFinalizerGoroutine(_ stack: GoroutineStack) -> Bool {
        stack.frames.contains { ["runtime.runfinq", "runtime.runFinalizers", "runtime.runCleanups"].contains($0.function.name) }
    }
}
