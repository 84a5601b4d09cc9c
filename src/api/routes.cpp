#include "api/routes.hpp"

#include <boost/json.hpp>

#include <cctype>

#include "api/cluster_routes.hpp"
#include "api/demo_page.hpp"
#include "api/route_util.hpp"
#include "api/publish_body.hpp"

namespace herald::api {
namespace {

namespace json = boost::json;

response publish(const request& req, context& ctx, core::target_kind kind, std::string user) {
  if (req.method != "POST") return json_error(405, "use POST");
  auto parsed = parse_publish_body(req.body);
  if (auto* err = std::get_if<std::string>(&parsed)) return json_error(400, *err);
  auto& p = std::get<publish_body>(parsed);
  core::message_fields f;
  f.kind = kind;
  f.user = std::move(user);
  f.destination = std::move(p.destination);
  f.headers = std::move(p.headers);
  f.body = std::move(p.body);
  auto out = ctx.publisher.publish(std::move(f));
  switch (out.status) {
    case core::publish_status::ok: return json_ok({{"ok", true}, {"message_id", out.message_id}});
    case core::publish_status::bad_request: return json_error(400, out.error);
    case core::publish_status::unavailable: return json_error(503, out.error);
  }
  return json_error(500, "unexpected publish outcome");
}

}  // namespace

response json_error(int status, std::string_view reason) {
  response r;
  r.status = status;
  r.body = json::serialize(json::object{{"ok", false}, {"error", reason}});
  return r;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

namespace {
response handle_direct(const request& req, context& ctx) {
  std::string_view path = req.target;
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);

  if (path == "/healthz") return json_ok({{"status", "ok"}});
  if (path == "/readyz") {
    bool ready = ctx.node.ready();
    json::object body{{"ready", ready}};
    if (auto states = ctx.node.source_states(); !states.empty()) {
      json::object sources;
      for (const auto& [name, up] : states) sources[name] = up;
      body["sources"] = std::move(sources);
    }
    return json_ok(body, ready ? 200 : 503);
  }
  if (path == "/metrics") {
    response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = ctx.node.metrics_text();
    return r;
  }
  if (path == "/" || path == "/index.html") {
    if (req.method != "GET" && req.method != "HEAD") return json_error(405, "use GET");
    response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = demo_page_html(ctx.cfg.endpoints.empty() ? "/ws" : ctx.cfg.endpoints.front().path);
    return r;
  }
  if (path.substr(0, 5) != "/api/") return json_error(404, "no such resource");
  if (!authorised(req, ctx.cfg)) {
    auto r = json_error(401, "missing or wrong API key (Authorization: Bearer <api.key>)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (path == "/api/publish") return publish(req, ctx, core::target_kind::topic, {});
  if (path == "/api/info") {
    if (req.method != "GET") return json_error(405, "use GET");
    response r;
    r.body = ctx.node.info_json();
    return r;
  }
  std::string user, action;
  if (split_user_path(path, user, action)) {
    if (action == "publish") return publish(req, ctx, core::target_kind::user, std::move(user));
  }
  return json_error(404, "no such API endpoint");
}

}  // namespace

void handle(const request& req, context& ctx, respond_fn done) {
  if (handle_cluster(req, ctx, done)) return;
  done(handle_direct(req, ctx));
}

response handle(const request& req, context& ctx) {
  std::optional<response> out;
  handle(req, ctx, [&out](response r) { out = std::move(r); });
  return out ? std::move(*out) : json_error(500, "route did not complete synchronously");
}

}  // namespace herald::api
