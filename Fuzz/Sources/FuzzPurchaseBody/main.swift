import FuzzSupport

// libFuzzer runs `fuzzPurchaseBody` on each input.
runLibFuzzer { data, size in
    guard let data else { return 0 }
    return fuzzPurchaseBody(data, size)
}
