import FuzzSupport

// libFuzzer runs `fuzzRFC3339` on each input.
runLibFuzzer { data, size in
    guard let data else { return 0 }
    return fuzzRFC3339(data, size)
}
