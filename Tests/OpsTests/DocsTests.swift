import Foundation
import Testing

/// The README stays a five-minute read and the detail stays one working link away (issue #18, STYLE habit 16).
@Suite("docs: a short README, every page linked, every relative link resolves")
struct DocsTests {
    static let readmeLineLimit = 250

    /// README.md and every page of docs/, as paths relative to the repository root.
    static func markdownFiles() throws -> [String] {
        ["README.md"] + (try docsPages())
    }

    static func docsPages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: OpsFiles.url("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }

    @Test("README.md is at most 250 lines")
    func readmeIsShort() throws {
        let lines = try OpsFiles.text("README.md").split(separator: "\n", omittingEmptySubsequences: false)
        let count = lines.last == "" ? lines.count - 1 : lines.count
        #expect(count <= Self.readmeLineLimit, "README.md has \(count) lines; move detail into docs/")
    }

    @Test("the README's two commands come first, and CI runs the second")
    func twoCommands() throws {
        let head = try OpsFiles.text("README.md").split(separator: "\n").prefix(30)
        let demo = head.firstIndex { $0.hasPrefix("bash ops/demo.sh") }
        let test = head.firstIndex { $0.hasPrefix("bash ops/test.sh") }
        #expect(demo != nil && test != nil, "README.md must open with `bash ops/demo.sh` and `bash ops/test.sh`")
        #expect(try OpsFiles.text(".ci/run").contains("exec bash ops/test.sh"))
    }

    @Test("every docs/ page is linked from the README")
    func everyPageLinked() throws {
        let linked = Set(MarkdownLinks.targets(in: try OpsFiles.text("README.md")).compactMap { target -> String? in
            let path = String(target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
            return path.isEmpty ? nil : MarkdownLinks.normalize(path, from: "README.md")
        })
        let pages = try Self.docsPages()
        #expect(!pages.isEmpty, "docs/ has no page")
        for page in pages where !linked.contains(page) {
            Issue.record("README.md does not link \(page): every docs page is one link from the README")
        }
    }

    @Test("every relative link of README.md and docs/*.md names an existing file, and an existing heading for #anchors")
    func linksResolve() throws {
        var checked = 0
        for file in try Self.markdownFiles() {
            for target in MarkdownLinks.targets(in: try OpsFiles.text(file)) where MarkdownLinks.isRelative(target) {
                checked += 1
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let path = parts[0].isEmpty ? file : MarkdownLinks.normalize(parts[0], from: file)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: OpsFiles.url(path).path, isDirectory: &isDirectory) else {
                    Issue.record("\(file): link \(target) names \(path), which does not exist")
                    continue
                }
                guard parts.count == 2 else { continue }
                guard path.hasSuffix(".md"), !isDirectory.boolValue else {
                    Issue.record("\(file): link \(target) has an anchor into a file that is not Markdown")
                    continue
                }
                if !MarkdownLinks.anchors(in: try OpsFiles.text(path)).contains(parts[1]) {
                    Issue.record("\(file): link \(target): no heading #\(parts[1]) in \(path)")
                }
            }
        }
        #expect(checked > 0, "no relative link found at all")
    }

    @Test("links are read outside code, anchors as GitHub makes them")
    func linkReading() {
        let markdown = """
            # Where to read more
            See [operations](docs/operations.md), [a section](docs/access.md#row-level-security "title")
            and [the web](https://example.com). `[not](a-link.md)` in code.
            ```sh
            echo "[no](link.md)"
            # Not a heading
            ```
            ## Where to read `more`
            ![picture](img/a.png)
            """
        #expect(MarkdownLinks.targets(in: markdown) == [
            "docs/operations.md", "docs/access.md#row-level-security", "https://example.com", "img/a.png",
        ])
        #expect(MarkdownLinks.anchors(in: markdown) == ["where-to-read-more", "where-to-read-more-1"])
        #expect(!MarkdownLinks.isRelative("https://example.com") && !MarkdownLinks.isRelative("mailto:a@b.c"))
        #expect(MarkdownLinks.normalize("../ops/RUNBOOK.md", from: "docs/operations.md") == "ops/RUNBOOK.md")
        #expect(MarkdownLinks.normalize("./views.md", from: "docs/access.md") == "docs/views.md")
    }
}

/// Links and headings of a Markdown file, read the way GitHub renders them (enough of it for our pages).
enum MarkdownLinks {
    /// The lines outside fenced code blocks.
    static func linesOutsideFences(of markdown: String) -> [String] {
        var lines: [String] = []
        var fence: String?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                continue
            }
            lines.append(String(line))
        }
        return lines
    }

    static func withoutCodeSpans(_ line: String) -> String {
        var result = ""
        var inCode = false
        for character in line {
            if character == "`" { inCode.toggle(); continue }
            if !inCode { result.append(character) }
        }
        return result
    }

    /// Every `[text](target)` and `![alt](target)` target, titles dropped, in order.
    static func targets(in markdown: String) -> [String] {
        var targets: [String] = []
        for line in linesOutsideFences(of: markdown).map(withoutCodeSpans) {
            var rest = Substring(line)
            while let open = rest.range(of: "](") {
                let after = rest[open.upperBound...]
                guard let close = after.firstIndex(of: ")") else { break }
                let inside = after[..<close].trimmingCharacters(in: .whitespaces)
                if let target = inside.split(separator: " ").first, !target.isEmpty {
                    targets.append(String(target).trimmingCharacters(in: CharacterSet(charactersIn: "<>")))
                }
                rest = after[close...]
            }
        }
        return targets
    }

    /// A link into this repository: no scheme (`https:`, `mailto:`), not protocol-relative.
    static func isRelative(_ target: String) -> Bool {
        if target.hasPrefix("//") { return false }
        guard let colon = target.firstIndex(of: ":") else { return true }
        let scheme = target[..<colon]
        return !(scheme.allSatisfy { $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." } && !scheme.isEmpty)
    }

    /// A link's path relative to the repository root, from the file it is written in.
    static func normalize(_ path: String, from file: String) -> String {
        var components = file.split(separator: "/").dropLast().map(String.init)
        for part in (path.removingPercentEncoding ?? path).split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() } else { components.append("..") }
            default: components.append(String(part))
            }
        }
        return components.joined(separator: "/")
    }

    /// The anchors of a file's headings outside code, with GitHub's `-1`, `-2` for repeated headings.
    static func anchors(in markdown: String) -> Set<String> {
        var seen: [String: Int] = [:]
        var anchors: Set<String> = []
        for line in linesOutsideFences(of: markdown) where line.hasPrefix("#") {
            let text = line.drop { $0 == "#" }
            guard text.first == " " else { continue }
            let base = Runbook.anchor(of: text.trimmingCharacters(in: .whitespaces))
            let count = seen[base, default: 0]
            seen[base] = count + 1
            anchors.insert(count == 0 ? base : "\(base)-\(count)")
        }
        return anchors
    }
}
