print("flashsale: not built yet")
