import Foundation

/// A real nginx for one test, running a server config users copy
/// (deploy/nginx/flashsale.conf, included in an http block with scratch paths) rendered
/// with its free loopback listen port and the given placeholders.
public final class NginxProcess: @unchecked Sendable {
    /// The port buyers connect to (127.0.0.1).
    public let port: Int
    private let directory: URL
    private var child: ChildProcess?

    /// Renders `template` (`@LISTEN@` = 127.0.0.1:`port`, plus `values`), checks it with
    /// `nginx -t`, starts nginx in the foreground and waits until it listens.
    public init(template: URL, values: [String: String]) throws {
        port = freeLoopbackPort()
        directory = try ConfigTemplate.scratchDirectory("fs-nginx")
        let dir = directory.path
        try ConfigTemplate.render(template, values.merging(["LISTEN": "127.0.0.1:\(port)"]) { _, new in new })
            .write(to: directory.appendingPathComponent("flashsale.conf"), atomically: true, encoding: .utf8)
        let main = """
            worker_processes 1;
            daemon off;
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(dir)/tmp-body;
                proxy_temp_path \(dir)/tmp-proxy;
                fastcgi_temp_path \(dir)/tmp-fastcgi;
                uwsgi_temp_path \(dir)/tmp-uwsgi;
                scgi_temp_path \(dir)/tmp-scgi;
                include \(dir)/flashsale.conf;
            }
            """
        let config = directory.appendingPathComponent("nginx.conf")
        try main.write(to: config, atomically: true, encoding: .utf8)
        let binary = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "nginx"
        let check = try ChildProcess(executable: binary, arguments: ["-t", "-q", "-p", dir, "-c", config.path])
        guard check.waitForExit(timeoutSeconds: 10) == 0 else {
            throw ConfigTemplateError(description: "nginx -t refused \(template.path): \(check.output())")
        }
        let child = try ChildProcess(executable: binary, arguments: ["-p", dir, "-c", config.path])
        self.child = child
        try ConfigTemplate.waitListening(port: port, child: child, what: "nginx")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// What nginx printed so far, and its error log.
    public func output() -> String {
        (child?.output() ?? "") + ((try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")
    }

    /// SIGTERM and wait.
    public func stop() {
        stopChild(child)
        child = nil
    }
}
