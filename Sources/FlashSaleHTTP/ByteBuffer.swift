#if canImport(Glibc)
import Glibc
#endif

/// A growable byte buffer on malloc/realloc (no `posix_memalign`), reused
/// across requests: `count = 0` empties it without freeing.
package final class ByteBuffer {
    // Package-visible, so the optimizer cannot see every access: without these markers each
    // access pays a dynamic exclusivity check (thousands of instructions per request). The
    // buffer is loop-confined and never accessed reentrantly.
    @exclusivity(unchecked) package private(set) var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) package var count = 0
    @exclusivity(unchecked) package private(set) var capacity: Int
    private let initialCapacity: Int

    package init(capacity: Int) {
        initialCapacity = max(16, capacity)
        self.capacity = initialCapacity
        base = malloc(initialCapacity)!
    }

    deinit { free(base) }

    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
    package var end: UnsafeMutableRawPointer { base + count }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    package func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        base = realloc(base, newCapacity)!
        capacity = newCapacity
    }

    /// Gives memory back after an unusually large request or response.
    package func shrinkIfAbove(_ limit: Int) {
        guard capacity > limit, count <= initialCapacity else { return }
        base = realloc(base, initialCapacity)!
        capacity = initialCapacity
    }

    @inline(__always)
    package func append(_ source: UnsafeRawPointer, _ length: Int) {
        reserve(length)
        (base + count).copyMemory(from: source, byteCount: length)
        count += length
    }

    @inline(__always)
    package func append(_ text: StaticString) {
        append(UnsafeRawPointer(text.utf8Start), text.utf8CodeUnitCount)
    }

    @inline(__always)
    package func append(byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    package func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        append(source, bytes.count)
    }

    // Disfavoured: a string literal must pick the StaticString overload (a plain copy),
    // not this one (String bridging, retain/release) — ten literals go into every response.
    @_disfavoredOverload
    package func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    package func append(_ text: String) {
        var copy = text
        copy.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `value` in decimal.
    package func append(decimal value: Int) {
        var v = value
        if v < 0 {
            append(byte: 0x2D)
            v = 0 - v
        }
        var digits = 1
        var probe = v
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        reserve(digits)
        var i = count + digits - 1
        repeat {
            base.storeBytes(of: UInt8(0x30 + v % 10), toByteOffset: i, as: UInt8.self)
            v /= 10
            i -= 1
        } while v > 0
        count += digits
    }

    /// Moves bytes `[from, count)` to the front and drops `[0, from)`.
    package func removeFront(_ from: Int) {
        guard from > 0 else { return }
        let rest = count - from
        if rest > 0 { base.copyMemory(from: base + from, byteCount: rest) }
        count = rest
    }
}
