import FlashSaleLoop

/// Socket events of a connection.
extension HTTPConnection: TCPConnectionDelegate {
    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        receive(bytes)
    }

    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?) {
        guard error == nil, state == .open else {
            closeNow()
            return
        }
        // The peer finished sending: answer what is complete, then close.
        peerClosed = true
        if phase != .idle { stopParsing() }
        if !closing { stopParsing() }
        flush()
    }

    func tcpConnection(_ connection: TCPConnection, didFinishWriteWith error: TCPError?) {
        writePending = false
        spare.count = 0
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
