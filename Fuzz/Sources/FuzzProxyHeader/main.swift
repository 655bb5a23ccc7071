import FuzzSupport

// libFuzzer runs `fuzzProxyHeader` on each input.
runLibFuzzer { data, size in
    guard let data else { return 0 }
    return fuzzProxyHeader(data, size)
}
