print("flashsale-loadtest: not built yet")
