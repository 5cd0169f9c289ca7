/// Any JSON value, as `JSONReader` reads it: a boolean is never a number and vice versa, so that a wrong type can be
/// reported against the field that has it.
indirect enum JSONValue: Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])
}
