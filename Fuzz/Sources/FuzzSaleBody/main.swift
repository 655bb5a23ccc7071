import FuzzSupport

// libFuzzer runs `fuzzSaleBody` on each input.
runLibFuzzer { data, size in
    guard let data else { return 0 }
    return fuzzSaleBody(data, size)
}
