// The routing module; see its public headers.
