package httpapi

// DecodeJSON lets the external tests drive the strict decoder directly.
var DecodeJSON = decodeJSON
