/// A field name to quote back in an error or a log. Names we define are snake_case words; an unknown key is
/// text the client chose and could be anything (even a name typed into the wrong place), so it is quoted only
/// when it looks like a field name and is otherwise replaced.
enum FieldNames {
    static func echoable(_ key: String) -> String {
        key.range(of: "^[a-z][a-z0-9_]{0,39}$", options: .regularExpression) != nil ? key : "(unrecognised field)"
    }
}
