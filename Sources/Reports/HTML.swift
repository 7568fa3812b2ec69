/// Escaping for text that comes from outside (UTM tags, campaign names, letter ids) before it meets markup.
public enum HTML {
    /// Escapes the five characters that can end text or an attribute value: `& < > " '`.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }
}
