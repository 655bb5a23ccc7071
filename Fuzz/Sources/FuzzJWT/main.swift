import FuzzSupport

// libFuzzer runs `fuzzJWT` on each input.
runLibFuzzer { data, size in
    guard let data else { return 0 }
    return fuzzJWT(data, size)
}
