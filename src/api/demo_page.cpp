#include "api/demo_page.hpp"

namespace herald::api {

// Self-contained: a few lines of STOMP over the browser's WebSocket, so the
// page works offline and shows the protocol plainly.
std::string demo_page_html(std::string_view ws_path) {
  static constexpr std::string_view page = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>herald demo</title>
<style>
body{font:15px system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}
input,button{font:inherit;padding:.3em .5em}#log{border:1px solid #ccc;height:320px;overflow:auto;padding:.5em;background:#fafafa}
.msg{border-bottom:1px solid #eee;padding:.2em 0}.sys{color:#888}code{background:#eee;padding:0 .2em}
</style></head><body>
<h1>herald</h1>
<p>This page holds a STOMP session over WebSocket to <code id="ep"></code>, subscribed to
<code>/topic/demo</code> and to <code>/user/queue/notice</code> as user <b id="me"></b>.
Publish below, or with <code>curl -XPOST localhost:8080/api/publish -d '{"destination":"/topic/demo","body":"hi"}'</code>.</p>
<form id="f"><input id="text" size="40" placeholder="message" value="hello from the demo page">
<button>publish to /topic/demo</button> <button type="button" id="self">publish to me</button></form>
<p id="state" class="sys">connecting…</p><div id="log"></div>
<script>
const user = 'demo-' + Math.random().toString(36).slice(2, 8);
const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '@WS_PATH@';
document.getElementById('ep').textContent = url;
document.getElementById('me').textContent = user;
const log = (text, cls) => { const d = document.createElement('div'); d.className = 'msg ' + (cls || '');
  d.textContent = text; const l = document.getElementById('log'); l.prepend(d); };
function frame(cmd, headers, body) {
  return cmd + '\n' + Object.entries(headers).map(([k, v]) => k + ':' + v).join('\n') + '\n\n' + (body || '') + '\0';
}
function parse(data) {
  return data.split('\0').filter(s => s.replace(/\n/g, '').length).map(raw => {
    raw = raw.replace(/^\n+/, ''); const i = raw.indexOf('\n\n');
    const lines = raw.slice(0, i).split('\n'); const headers = {};
    for (const l of lines.slice(1)) { const c = l.indexOf(':'); headers[l.slice(0, c)] = l.slice(c + 1); }
    return { command: lines[0], headers, body: raw.slice(i + 2) };
  });
}
function connect() {
  const ws = new WebSocket(url, ['v12.stomp']);
  ws.onopen = () => ws.send(frame('CONNECT', { 'accept-version': '1.2', host: location.hostname, login: user, 'heart-beat': '10000,10000' }));
  ws.onmessage = (e) => {
    for (const f of parse(e.data)) {
      if (f.command === 'CONNECTED') {
        document.getElementById('state').textContent = 'connected as ' + f.headers['user-name'] + ' (STOMP ' + f.headers.version + ')';
        ws.send(frame('SUBSCRIBE', { id: 'demo', destination: '/topic/demo' }));
        ws.send(frame('SUBSCRIBE', { id: 'me', destination: '/user/queue/notice' }));
        window.heraldReady = true;
      } else if (f.command === 'MESSAGE') {
        log(f.headers.destination + ': ' + f.body);
      } else if (f.command === 'ERROR') {
        log('ERROR: ' + f.headers.message, 'sys');
      }
    }
  };
  const hb = setInterval(() => ws.readyState === 1 && ws.send('\n'), 10000);
  ws.onclose = () => { clearInterval(hb); window.heraldReady = false;
    document.getElementById('state').textContent = 'disconnected; retrying in 5 s'; setTimeout(connect, 5000); };
}
async function publish(path, destination) {
  const body = document.getElementById('text').value;
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ destination, body }) });
  if (!r.ok) log('publish failed: ' + (await r.text()), 'sys');
}
document.getElementById('f').onsubmit = (e) => { e.preventDefault(); publish('/api/publish', '/topic/demo'); };
document.getElementById('self').onclick = () => publish('/api/users/' + encodeURIComponent(user) + '/publish', '/queue/notice');
connect();
</script></body></html>
)HTML";
  constexpr std::string_view marker = "@WS_PATH@";
  std::string out(page);
  out.replace(out.find(marker), marker.size(), ws_path);
  return out;
}

}  // namespace herald::api
