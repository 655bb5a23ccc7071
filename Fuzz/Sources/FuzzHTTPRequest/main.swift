import FuzzSupport

// libFuzzer runs `fuzzHTTPRequest` on each input.
runLibFuzzer { data, size in
    guard let data else { return 0 }
    return fuzzHTTPRequest(data, size)
}
