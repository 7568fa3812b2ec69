/// A decoded PNG (8-bit RGB or RGBA, not interlaced: what Chromium's screenshots are), enough to tell a
/// rendered page from a blank one. Test-only; the inflate follows zlib's reference decoder `puff.c`.
struct PNGImage {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    let width: Int
    let height: Int
    let bytesPerPixel: Int
    /// Unfiltered rows, `width × bytesPerPixel` bytes each.
    let pixels: [UInt8]

    init(_ data: [UInt8]) throws {
        guard data.count > 8, data[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Invalid(description: "not a PNG signature")
        }
        func u32(_ at: Int) -> Int { data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var position = 8
        var header: (width: Int, height: Int, depth: UInt8, colour: UInt8, interlace: UInt8)?
        var compressed: [UInt8] = []
        while position + 8 <= data.count {
            let length = u32(position)
            let kind = String(decoding: data[position + 4..<position + 8], as: UTF8.self)
            let body = position + 8
            guard body + length + 4 <= data.count else { throw Invalid(description: "chunk \(kind) runs past the end") }
            switch kind {
            case "IHDR": header = (u32(body), u32(body + 4), data[body + 8], data[body + 9], data[body + 12])
            case "IDAT": compressed += data[body..<body + length]
            default: break
            }
            position = body + length + 4
            if kind == "IEND" { break }
        }
        guard let header else { throw Invalid(description: "no IHDR") }
        guard header.depth == 8, header.colour == 2 || header.colour == 6, header.interlace == 0 else {
            throw Invalid(description: "unsupported PNG: depth \(header.depth), colour type \(header.colour), interlace \(header.interlace)")
        }
        width = header.width
        height = header.height
        bytesPerPixel = header.colour == 2 ? 3 : 4
        guard compressed.count > 2 else { throw Invalid(description: "no image data") }
        let raw = try Inflate.decompress(Array(compressed.dropFirst(2)))  // the 2-byte zlib header
        pixels = try Self.unfilter(raw, width: width, height: height, bytesPerPixel: bytesPerPixel)
    }

    /// Reverses the per-row filters (none, sub, up, average, Paeth).
    static func unfilter(_ raw: [UInt8], width: Int, height: Int, bytesPerPixel bpp: Int) throws -> [UInt8] {
        let stride = width * bpp
        guard raw.count >= height * (stride + 1) else { throw Invalid(description: "image data too short") }
        var out = [UInt8](repeating: 0, count: stride * height)
        try out.withUnsafeMutableBufferPointer { out in
            try raw.withUnsafeBufferPointer { raw in
                for y in 0..<height {
                    let filter = raw[y * (stride + 1)]
                    let source = y * (stride + 1) + 1
                    let row = y * stride
                    for x in 0..<stride {
                        let a = x >= bpp ? Int(out[row + x - bpp]) : 0
                        let b = y > 0 ? Int(out[row - stride + x]) : 0
                        let c = x >= bpp && y > 0 ? Int(out[row - stride + x - bpp]) : 0
                        let predictor: Int
                        switch filter {
                        case 0: predictor = 0
                        case 1: predictor = a
                        case 2: predictor = b
                        case 3: predictor = (a + b) / 2
                        case 4:
                            let p = a + b - c
                            let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                            predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                        default: throw Invalid(description: "unknown filter \(filter) on row \(y)")
                        }
                        out[row + x] = UInt8(truncatingIfNeeded: Int(raw[source + x]) + predictor)
                    }
                }
            }
        }
        return out
    }

    /// The RGB of a pixel packed as 0xRRGGBB.
    func rgb(x: Int, y: Int) -> Int {
        let at = (y * width + x) * bytesPerPixel
        return Int(pixels[at]) << 16 | Int(pixels[at + 1]) << 8 | Int(pixels[at + 2])
    }
}

/// DEFLATE (RFC 1951) decoding: stored, fixed and dynamic Huffman blocks.
enum Inflate {
    struct Huffman {
        var count = [Int](repeating: 0, count: 16)
        var symbol: [Int]

        init(_ lengths: ArraySlice<Int>) {
            symbol = [Int](repeating: 0, count: lengths.count)
            for length in lengths { count[length] += 1 }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + count[length] }
            for (index, length) in lengths.enumerated() where length != 0 {
                symbol[offsets[length]] = index
                offsets[length] += 1
            }
        }
    }

    struct Reader {
        let input: [UInt8]
        var position = 0
        var buffer = 0
        var available = 0
        var output: [UInt8] = []

        mutating func bits(_ need: Int) throws -> Int {
            var value = buffer
            while available < need {
                guard position < input.count else { throw PNGImage.Invalid(description: "deflate data ends early") }
                value |= Int(input[position]) << available
                position += 1
                available += 8
            }
            buffer = value >> need
            available -= need
            return value & ((1 << need) - 1)
        }

        mutating func decode(_ huffman: Huffman) throws -> Int {
            var (code, first, index) = (0, 0, 0)
            for length in 1..<16 {
                code |= try bits(1)
                let count = huffman.count[length]
                if code - count < first { return huffman.symbol[index + (code - first)] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw PNGImage.Invalid(description: "bad Huffman code")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
                             163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var reader = Reader(input: input)
        reader.output.reserveCapacity(input.count * 8)
        var last = 0
        repeat {
            last = try reader.bits(1)
            switch try reader.bits(2) {
            case 0:
                reader.buffer = 0
                reader.available = 0
                guard reader.position + 4 <= input.count else { throw PNGImage.Invalid(description: "stored block header cut") }
                let length = Int(input[reader.position]) | Int(input[reader.position + 1]) << 8
                reader.position += 4
                guard reader.position + length <= input.count else { throw PNGImage.Invalid(description: "stored block cut") }
                reader.output += input[reader.position..<reader.position + length]
                reader.position += length
            case 1:
                let lengths = [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)
                try codes(&reader, Huffman(lengths[...]), Huffman([Int](repeating: 5, count: 30)[...]))
            case 2:
                let literals = try reader.bits(5) + 257
                let distances = try reader.bits(5) + 1
                let codeLengths = try reader.bits(4) + 4
                var lengths = [Int](repeating: 0, count: 19)
                for index in 0..<codeLengths { lengths[codeLengthOrder[index]] = try reader.bits(3) }
                let lengthCode = Huffman(lengths[...])
                lengths = [Int](repeating: 0, count: literals + distances)
                var index = 0
                while index < literals + distances {
                    var symbol = try reader.decode(lengthCode)
                    if symbol < 16 {
                        lengths[index] = symbol
                        index += 1
                        continue
                    }
                    var repeated = 0
                    if symbol == 16 {
                        guard index > 0 else { throw PNGImage.Invalid(description: "repeat with no previous length") }
                        repeated = lengths[index - 1]
                        symbol = 3 + (try reader.bits(2))
                    } else if symbol == 17 {
                        symbol = 3 + (try reader.bits(3))
                    } else {
                        symbol = 11 + (try reader.bits(7))
                    }
                    guard index + symbol <= literals + distances else { throw PNGImage.Invalid(description: "too many lengths") }
                    for _ in 0..<symbol {
                        lengths[index] = repeated
                        index += 1
                    }
                }
                try codes(&reader, Huffman(lengths[0..<literals]), Huffman(lengths[literals...]))
            default:
                throw PNGImage.Invalid(description: "invalid deflate block type")
            }
        } while last == 0
        return reader.output
    }

    static func codes(_ reader: inout Reader, _ literal: Huffman, _ distance: Huffman) throws {
        while true {
            var symbol = try reader.decode(literal)
            if symbol < 256 {
                reader.output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                symbol -= 257
                guard symbol < 29 else { throw PNGImage.Invalid(description: "bad length symbol") }
                let length = lengthBase[symbol] + (try reader.bits(lengthExtra[symbol]))
                let distanceSymbol = try reader.decode(distance)
                guard distanceSymbol < 30 else { throw PNGImage.Invalid(description: "bad distance symbol") }
                let back = distanceBase[distanceSymbol] + (try reader.bits(distanceExtra[distanceSymbol]))
                guard back <= reader.output.count else { throw PNGImage.Invalid(description: "distance too far back") }
                let start = reader.output.count - back
                for offset in 0..<length { reader.output.append(reader.output[start + offset]) }
            }
        }
    }
}
