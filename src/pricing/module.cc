// The pricing module; see its public headers.
