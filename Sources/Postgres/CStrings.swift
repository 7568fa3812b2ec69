import Foundation

/// Owns C copies of Swift strings (nil stays NULL) for libpq calls that take `const char * const *`.
final class CStrings {
    private let storage: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String?]) {
        storage = strings.map { $0.flatMap { strdup($0) } }
    }

    deinit {
        for pointer in storage { free(pointer) }
    }

    /// Lends a NULL-terminated array of the copies; libpq ignores the terminator where a count is given.
    func withPointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
        let pointers = storage.map { $0.map { UnsafePointer($0) } } + [nil]
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}
