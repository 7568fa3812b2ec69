/// Why a JSON document is not a valid event: the field's JSON path and the problem, safe to return to the sender.
///
/// The same type as every outside JSON reader's error (`JSONPathError`), so a field-named problem has one
/// shape whether the event decoder or a source's reader found it: `"<field>: <problem>"`, e.g.
/// `data.currency: must be a 3-letter ISO 4217 code`.
public typealias EventDecodingError = JSONPathError
