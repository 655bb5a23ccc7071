import FlashSaleLoop

/// Socket events of a connection.
extension HTTPConnection: TCPConnectionDelegate {
    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        receive(bytes)
    }

    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?) {
        if error == nil && state == .lingering {
            // Done draining; let a queued last response finish first.
            peerClosed = true
            if !writePending { closeNow() }
            return
        }
        guard error == nil, state == .open else {
            closeNow()
            return
        }
        // The peer finished sending: answer what is complete, then close.
        peerClosed = true
        stopParsing()
        flush()
    }

    func tcpConnection(_ connection: TCPConnection, didFinishWriteWith error: TCPError?) {
        writePending = false
        spare.count = 0
        spare.shrinkIfAbove(256 * 1024)  // give back what one large response took
        if error != nil {
            closeNow()
            return
        }
        if state == .open {
            if deadlineKind == .send { setDeadline(.none, after: 0) }
            flush()
        } else if state == .lingering && peerClosed {
            closeNow()
        }
    }

    func tcpConnectionDidClose(_ connection: TCPConnection) {
        didClose()
    }
}
