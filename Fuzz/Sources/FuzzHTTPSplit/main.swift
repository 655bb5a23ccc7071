import FuzzSupport

// libFuzzer runs `fuzzHTTPSplit` on each input.
runLibFuzzer { data, size in
    guard let data else { return 0 }
    return fuzzHTTPSplit(data, size)
}
