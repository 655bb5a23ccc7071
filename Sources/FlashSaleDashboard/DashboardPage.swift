/// The one self-contained page: inline CSS, inline JS, plots drawn as inline
/// SVG; no CDN, no web fonts (works on an air-gapped network). The current
/// snapshot is embedded, so the page shows numbers before any script runs a
/// request; then it follows `/api/events` (Server-Sent Events).
enum DashboardPage {
    /// The page with `snapshot` (the `/api/snapshot` JSON) embedded.
    static func render(snapshot: String) -> String {
        head + "<script id=\"initial\" type=\"application/json\">"
            + snapshot.replacingAll("</", with: "<\\/") + "</script>\n" + script
    }

    private static let head = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FlashSale dashboard</title>
<style>
body{font:14px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{display:flex;gap:12px;align-items:center;padding:10px 16px;background:#1d2330;color:#fff;flex-wrap:wrap}
header h1{font-size:18px;margin:0 12px 0 0}
.badge{padding:6px 12px;border-radius:6px;font-weight:600}
.ok{background:#1f8f4e;color:#fff}.bad{background:#c62828;color:#fff}.warn{background:#e0a100;color:#111}
main{padding:12px 16px;display:grid;gap:14px}
section{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 2px #0002}
h2{font-size:15px;margin:4px 0 8px}
table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{border-bottom:1px solid #ccd;font-weight:600;color:#445}
tbody tr:nth-child(even){background:#f7f8fa}tr.sel{background:#dde8ff!important}tr.click{cursor:pointer}
td.bad{background:#fbe3e3;color:#b00020;font-weight:700}td.good{color:#1f8f4e;font-weight:600}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px}
svg{width:100%;height:200px;background:#fbfbfd;border:1px solid #e3e5ea;border-radius:4px}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.muted{color:#667}.pager{display:flex;gap:8px;align-items:center;margin-bottom:6px}
input{font:inherit;padding:3px 6px}button{font:inherit;padding:3px 10px}
#stale{display:none}
</style></head><body>
<header><h1>FlashSale</h1>
<span id="redis-status" class="badge warn">connecting…</span>
<span id="conservation" class="badge warn">conservation: not checked yet</span>
<span id="stale" class="badge warn">numbers are stale</span>
<span class="muted" id="clock"></span></header>
<main>
<section><h2>Sales</h2>
<div class="pager"><input id="q" placeholder="sale id starts with…" size="24">
<button id="prev">‹ prev</button><span id="pageinfo"></span><button id="next">next ›</button></div>
<table id="sales"><thead><tr><th>sale</th><th>state</th><th>SKUs</th><th>total</th><th>pool</th><th>leased</th><th>reserved</th><th>paid</th><th>check</th></tr></thead><tbody></tbody></table>
</section>
<section id="detail"><h2 id="sale-title">no sale selected</h2>
<table id="skus"><thead><tr><th>SKU</th><th>total</th><th>pool</th><th>leased</th><th>reserved</th><th>paid</th><th>fulfilled</th><th>cancelled</th><th>expired</th><th>sold out at</th><th>rejected (flush)</th><th>total = pool + leased + reserved + paid</th></tr></thead><tbody></tbody></table>
<div class="plots">
<div><h2>stock flow (units)</h2><svg id="flow" viewBox="0 0 600 200" preserveAspectRatio="none"></svg><div class="legend" id="flow-legend"></div></div>
<div><h2>orders/s (units reserved per second)</h2><svg id="rate" viewBox="0 0 600 200" preserveAspectRatio="none"></svg></div>
</div>
<div id="relay" class="muted"></div>
<div id="holders" class="muted"></div>
</section>
<section><h2>all nodes (fs:node:*)</h2><div class="plots">
<div><h2>orders/s (all nodes)</h2><svg id="engine-rate" viewBox="0 0 600 200" preserveAspectRatio="none"></svg></div>
<div><h2>rejections/s by reason</h2><svg id="rejections" viewBox="0 0 600 200" preserveAspectRatio="none"></svg><div class="legend" id="rej-legend"></div></div>
</div></section>
<section><h2>nodes and workers (fs:node:*)</h2>
<table id="nodes"><thead><tr><th>worker</th><th>status</th><th>requests/s</th><th>flush p99 (ack path)</th><th>Redis</th><th>ack</th><th>leases held</th><th>heartbeat age</th></tr></thead><tbody></tbody></table>
</section>
</main>

"""#

    private static let script = #"""
<script>
"use strict";
const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {page: +(params.get("page") || 1), q: params.get("q") || "", sale: params.get("sale") || ""};
const FLOW = [["pool", "#8fb3e8"], ["leased", "#f2c36b"], ["reserved", "#e8835f"], ["paid", "#4caf7a"]];
const REJ = ["#c62828", "#8e24aa", "#546e7a", "#ef6c00", "#00897b", "#6d4c41", "#3949ab"];
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const num = n => n == null ? "–" : Number(n).toLocaleString("en-US");
const time = ms => ms == null ? "–" : new Date(ms).toISOString().slice(11, 19) + "Z";
function cell(v, cls) { return "<td" + (cls ? ' class="' + cls + '"' : "") + ">" + v + "</td>"; }

function render(s) {
  const r = s.redis;
  const rs = $("redis-status");
  rs.className = "badge " + (r.up ? "ok" : "bad");
  rs.textContent = r.up ? "Redis OK · schema " + (r.schema || "?") : "Redis unreachable: " + r.error;
  $("stale").style.display = r.up ? "none" : "inline-block";
  if (!r.up) $("stale").textContent = r.last_read_at ? "numbers from " + time(r.last_read_at) : "no numbers yet";
  const c = s.conservation, cv = $("conservation");
  if (c.ok) { cv.className = "badge ok"; cv.textContent = "stock conserved ✓ (" + num(c.checks) + " checks)"; }
  else { cv.className = "badge bad"; cv.textContent = "CONSERVATION VIOLATED: " + c.violating.map(v => v.sale + "/" + v.sku + " off by " + v.imbalance).join(", "); }
  $("clock").textContent = "Redis time " + time(r.redis_time);

  const sales = s.sales;
  $("pageinfo").textContent = "page " + sales.page + " of " + sales.pages + " · " + num(sales.count) + " sales" + (sales.not_read ? " (" + sales.not_read + " not read)" : "");
  $("prev").disabled = sales.page <= 1; $("next").disabled = sales.page >= sales.pages;
  const selected = s.sale ? s.sale.sale : "";
  $("sales").tBodies[0].innerHTML = sales.items.map(x => '<tr class="click' + (x.sale === selected ? " sel" : "") + '" data-sale="' + esc(x.sale) + '">' +
    cell(esc(x.sale)) + cell(x.state) + cell(x.skus) + cell(num(x.total)) + cell(num(x.pool)) + cell(num(x.leased)) +
    cell(num(x.reserved)) + cell(num(x.paid)) + cell(x.conserved ? "ok" : "VIOLATED", x.conserved ? "good" : "bad") + "</tr>").join("") ||
    '<tr><td colspan="9" class="muted">no sales in Redis</td></tr>';

  const d = s.sale;
  if (!d) {
    $("sale-title").textContent = s.sale_not_found ? "sale " + s.sale_not_found + " not found" : "no sale selected";
    $("skus").tBodies[0].innerHTML = ""; ["flow", "rate"].forEach(id => $(id).innerHTML = "");
  } else {
    $("sale-title").textContent = "sale " + d.sale + " · " + d.state + " · limit " + (d.per_user_limit ?? "–") + " per user";
    $("skus").tBodies[0].innerHTML = d.skus.map(k => '<tr data-sku="' + esc(k.sku) + '">' + cell(esc(k.sku)) + cell(num(k.total)) + cell(num(k.pool)) +
      cell(num(k.leased)) + cell(num(k.reserved)) + cell(num(k.paid)) + cell(num(k.fulfilled)) + cell(num(k.cancelled)) +
      cell(num(k.expired)) + cell(time(k.sold_out_at)) + cell(k.rejections.map(x => x.reason + " " + num(x.count)).join(", ") || "0") +
      cell(k.conserved ? num(k.total) + " = " + num(k.pool) + " + " + num(k.leased) + " + " + num(k.reserved) + " + " + num(k.paid) + " ✓"
                       : num(k.total) + " ≠ " + num(k.total - k.imbalance) + " (off by " + k.imbalance + ")", k.conserved ? "good" : "bad") + "</tr>").join("");
    stacked($("flow"), d.history, FLOW);
    $("flow-legend").innerHTML = FLOW.map(f => '<span><i style="background:' + f[1] + '"></i>' + f[0] + "</span>").join("");
    lines($("rate"), d.history.map(p => p.at), [["orders/s", "#1d4ed8", d.history.map(p => p.reserved_per_s)], ["flush rejections/s", "#c62828", d.history.map(p => p.rejected_per_s)]]);
    $("relay").textContent = d.relay ? "relay: lag " + num(d.relay.lag) + " · pending " + num(d.relay.pending) + " · dead letters " + num(d.relay.dead_letters) : "relay: not running for this sale";
    $("holders").textContent = d.holders.length ? "lease holders: " + d.holders.map(h => h.worker + " (" + (h.age_ms / 1000).toFixed(1) + " s)").join(", ") : "";
  }
  const eh = s.engine_history;
  lines($("engine-rate"), eh.map(p => p.at), [["orders/s", "#1d4ed8", eh.map(p => p.reserved_per_s)]]);
  lines($("rejections"), eh.map(p => p.at), s.rejection_reasons.map((name, i) => [name, REJ[i % REJ.length], eh.map(p => p.rejected_per_s[i])]));
  $("rej-legend").innerHTML = s.rejection_reasons.map((n, i) => '<span><i style="background:' + REJ[i % REJ.length] + '"></i>' + n + "</span>").join("");
  $("nodes").tBodies[0].innerHTML = s.nodes.map(n => "<tr>" + cell(esc(n.id)) + cell(n.up ? "up" : "DOWN", n.up ? "good" : "bad") +
    cell(num(n.requests_per_s)) + cell((n.flush_p99_us / 1000).toFixed(2) + " ms") + cell(esc(n.redis), n.redis === "up" ? "good" : "bad") + cell(esc(n.ack)) +
    cell(num(n.leases_held)) + cell(n.heartbeat_age_ms == null ? "–" : (n.heartbeat_age_ms / 1000).toFixed(1) + " s") + "</tr>").join("") ||
    '<tr><td colspan="8" class="muted">no node stats in Redis (fs:node:*)</td></tr>';
}

function nice(v) { if (v <= 4) return 4; const p = Math.pow(10, Math.floor(Math.log10(v))); return [1, 2, 2.5, 5, 10].map(m => m * p).find(m => m >= v); }
function frame(svg, xs, maxY) {
  const W = 600, H = 200, L = 46, B = 18, T = 8;
  let g = "";
  for (let i = 0; i <= 4; i++) {
    const y = T + (H - T - B) * i / 4, v = maxY * (1 - i / 4);
    g += '<line x1="' + L + '" x2="' + W + '" y1="' + y + '" y2="' + y + '" stroke="#e3e5ea"/><text x="' + (L - 4) + '" y="' + (y + 4) + '" font-size="10" text-anchor="end" fill="#667">' + Math.round(v).toLocaleString("en-US") + "</text>";
  }
  if (xs.length) g += '<text x="' + L + '" y="' + (H - 4) + '" font-size="10" fill="#667">' + time(xs[0]) + '</text><text x="' + W + '" y="' + (H - 4) + '" font-size="10" text-anchor="end" fill="#667">' + time(xs[xs.length - 1]) + "</text>";
  const x0 = xs[0] || 0, span = Math.max(1, (xs[xs.length - 1] || 1) - x0);
  return {g, X: t => L + (W - L) * (t - x0) / span, Y: v => T + (H - T - B) * (1 - v / maxY)};
}

function stacked(svg, pts, series) {
  if (!pts.length) { svg.innerHTML = ""; return; }
  const xs = pts.map(p => p.at);
  const tops = pts.map(p => series.reduce((a, s) => a + p[s[0]], 0));
  const f = frame(svg, xs, nice(Math.max(...tops)));
  let below = pts.map(() => 0), out = f.g;
  for (const [key, color] of series) {
    const above = pts.map((p, i) => below[i] + p[key]);
    const up = pts.map((p, i) => f.X(p.at).toFixed(1) + "," + f.Y(above[i]).toFixed(1));
    const down = pts.map((p, i) => f.X(p.at).toFixed(1) + "," + f.Y(below[i]).toFixed(1)).reverse();
    out += '<polygon fill="' + color + '" points="' + up.concat(down).join(" ") + '"><title>' + key + "</title></polygon>";
    below = above;
  }
  svg.innerHTML = out;
}

function lines(svg, xs, series) {
  if (!xs.length) { svg.innerHTML = ""; return; }
  const f = frame(svg, xs, nice(Math.max(0, ...series.flatMap(s => s[2]))));
  svg.innerHTML = f.g + series.map(([name, color, ys]) => '<polyline fill="none" stroke-width="2" stroke="' + color + '" points="' +
    ys.map((v, i) => f.X(xs[i]).toFixed(1) + "," + f.Y(v).toFixed(1)).join(" ") + '"><title>' + esc(name) + "</title></polyline>").join("");
}

function query() {
  const p = new URLSearchParams();
  if (state.page > 1) p.set("page", state.page);
  if (state.q) p.set("q", state.q);
  if (state.sale) p.set("sale", state.sale);
  return p.toString();
}
let source = null;
function follow() {
  if (source) source.close();
  const q = query();
  history.replaceState(null, "", q ? "?" + q : location.pathname);
  source = new EventSource("api/events" + (q ? "?" + q : ""));
  source.onmessage = e => render(JSON.parse(e.data));
  source.onerror = () => { const rs = $("redis-status"); rs.className = "badge bad"; rs.textContent = "dashboard unreachable (retrying)"; };
}
$("sales").addEventListener("click", e => { const tr = e.target.closest("tr[data-sale]"); if (tr) { state.sale = tr.dataset.sale; follow(); } });
$("prev").onclick = () => { state.page = Math.max(1, state.page - 1); follow(); };
$("next").onclick = () => { state.page += 1; follow(); };
$("q").value = state.q;
$("q").onchange = () => { state.q = $("q").value.trim(); state.page = 1; follow(); };
render(JSON.parse($("initial").textContent));
window.addEventListener("load", follow);
</script>
</body></html>
"""#
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}
