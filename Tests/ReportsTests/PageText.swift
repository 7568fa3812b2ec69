import Foundation

/// Just enough HTML reading for the tests: sections by id, table rows as cell texts. Works on the
/// renderer's own output and on Chromium's serialized DOM alike.
struct PageText {
    let html: String

    init(_ html: String) {
        self.html = html
    }

    /// No-break spaces (raw or as Chromium's `&nbsp;`) as plain spaces, so expectations stay readable.
    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "&nbsp;", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
    }

    /// The ids of the `<section>` elements in document order.
    var sectionIDs: [String] {
        var ids: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<section id=\"") {
            let tail = rest[start.upperBound...]
            guard let end = tail.firstIndex(of: "\"") else { break }
            ids.append(String(tail[..<end]))
            rest = tail[end...]
        }
        return ids
    }

    /// The markup of one section, from its opening tag to its closing one ("" if absent).
    func section(_ id: String) -> String {
        guard let start = html.range(of: "<section id=\"\(id)\"") else { return "" }
        guard let end = html[start.lowerBound...].range(of: "</section>") else { return "" }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// The body rows of every table in the section, each as its cells' text.
    func rows(in id: String) -> [[String]] {
        var rows: [[String]] = []
        for body in Self.pieces(of: section(id), from: "<tbody>", to: "</tbody>") {
            for row in Self.pieces(of: body, from: "<tr", to: "</tr>") {
                rows.append(Self.pieces(of: row, from: "<td", to: "</td>").map { cell in
                    // Drop the rest of the opening tag, then every inner tag.
                    let content = cell.firstIndex(of: ">").map { String(cell[cell.index(after: $0)...]) } ?? cell
                    return Self.text(content)
                })
            }
        }
        return rows
    }

    /// The contents between every `from` and the next `to`.
    static func pieces(of text: String, from: String, to: String) -> [String] {
        var result: [String] = []
        var rest = text[...]
        while let start = rest.range(of: from), let end = rest[start.upperBound...].range(of: to) {
            result.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return result
    }

    /// Markup without tags, entities decoded, no-break spaces plain.
    static func text(_ markup: String) -> String {
        var result = ""
        var inTag = false
        for character in markup {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag {
                result.append(character)
            }
        }
        return plain(result).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
