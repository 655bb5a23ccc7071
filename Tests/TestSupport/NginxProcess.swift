import Foundation

/// A real nginx for one test, running a server config users copy
/// (deploy/nginx/flashsale.conf, included in an http block with scratch paths) rendered
/// with its free loopback listen port and the given placeholders.
public final class NginxProcess: BalancerProcess, @unchecked Sendable {
    /// Renders `template` (`@LISTEN@` = 127.0.0.1:`port`, plus `values`), checks it with
    /// `nginx -t`, starts nginx in the foreground and waits until it listens.
    public init(template: URL, values: [String: String]) throws {
        try super.init(prefix: "fs-nginx")
        let dir = directory.path
        try render(template, values).write(to: directory.appendingPathComponent("flashsale.conf"), atomically: true, encoding: .utf8)
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
        let config = directory.appendingPathComponent("nginx.conf").path
        try main.write(toFile: config, atomically: true, encoding: .utf8)
        try launch(["/usr/sbin/nginx", "/usr/local/sbin/nginx"], check: ["-t", "-q", "-p", dir, "-c", config], run: ["-p", dir, "-c", config])
    }

    /// What nginx printed so far, and its error log.
    public override func output() -> String {
        super.output() + ((try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")
    }
}
