#include "api/cluster_routes.hpp"

#include <charconv>

#include <boost/json.hpp>

#include "api/route_util.hpp"
#include "util/http_text.hpp"

namespace herald::api {
namespace {

namespace json = boost::json;

constexpr std::size_t default_page = 100;
constexpr std::size_t max_page = 1000;

response unavailable() {
  return json_error(503, "cluster directory unavailable: the backplane (Redis) is not reachable");
}

json::array nodes_of(const core::user_presence& p) {
  json::array a;
  for (const auto& [node, n] : p.nodes) a.push_back(json::object{{"node", node}, {"sessions", n}});
  return a;
}

json::object presence_json(const core::user_presence& p) {
  return json::object{
      {"user", p.user}, {"online", p.sessions > 0}, {"sessions", p.sessions}, {"nodes", nodes_of(p)}};
}

void list_nodes(context& ctx, respond_fn done) {
  ctx.node.directory().nodes([done = std::move(done)](std::optional<std::vector<core::node_entry>> nodes) {
    if (!nodes) return done(unavailable());
    json::array a;
    for (const auto& n : *nodes) {
      a.push_back(json::object{{"id", n.id},
                               {"version", n.version},
                               {"listen", n.listen},
                               {"started_unix_ms", n.started_unix_ms},
                               {"connections", n.connections},
                               {"sessions", n.sessions},
                               {"users", n.users}});
    }
    done(json_ok({{"count", a.size()}, {"nodes", std::move(a)}}));
  });
}

void presence_page(const request& req, context& ctx, respond_fn done) {
  std::size_t limit = default_page;
  if (auto text = util::query_value(req.target, "limit"); !text.empty()) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc{} || p != text.data() + text.size() || limit == 0 || limit > max_page) {
      return done(json_error(400, "limit must be a number from 1 to 1000"));
    }
  }
  // Decoded already: the cursor is the last user of the previous page.
  const std::string after = util::query_value(req.target, "after");
  ctx.node.directory().presence_page(after, limit, [done = std::move(done)](std::optional<core::presence_page> page) {
    if (!page) return done(unavailable());
    json::array users;
    for (const auto& p : page->users) users.push_back(presence_json(p));
    json::value next = page->next ? json::value(*page->next) : json::value(nullptr);
    done(json_ok({{"users", std::move(users)}, {"next", std::move(next)}}));
  });
}

}  // namespace

bool handle_cluster(const request& req, context& ctx, respond_fn& done) {
  std::string_view path = req.target;
  path = path.substr(0, path.find('?'));
  std::string user, action;
  const bool user_route = split_user_path(path, user, action) && (action == "presence" || action == "sessions");
  if (path != "/api/nodes" && path != "/api/presence" && !user_route) return false;
  if (!authorised(req, ctx.cfg)) {
    auto r = json_error(401, "missing or wrong API key (Authorization: Bearer <api.key>)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    done(std::move(r));
    return true;
  }
  const bool kick = user_route && action == "sessions";
  if (kick ? req.method != "DELETE" : req.method != "GET") {
    done(json_error(405, kick ? "use DELETE" : "use GET"));
    return true;
  }
  if (path == "/api/nodes") {
    list_nodes(ctx, std::move(done));
  } else if (path == "/api/presence") {
    presence_page(req, ctx, std::move(done));
  } else if (kick) {
    // The count comes from the directory before the kick goes out: the
    // sessions asked to close, wherever they are. Without the directory
    // (backplane outage) only this node's count is known; the other nodes
    // get the kick once the backplane is back, and "partial" says so.
    auto& node = ctx.node;
    node.directory().presence(user, [&node, user, done = std::move(done)](std::optional<core::user_presence> p) {
      const std::uint32_t here = p ? 0 : node.local_sessions_of(user);
      node.kick_user(user, "session closed by the server");
      json::object body{{"ok", true}, {"user", user}, {"sessions", p ? p->sessions : here}};
      if (!p) body.emplace("partial", true);
      done(json_ok(std::move(body)));
    });
  } else {
    ctx.node.directory().presence(user, [done = std::move(done)](std::optional<core::user_presence> p) {
      done(p ? json_ok(presence_json(*p)) : unavailable());
    });
  }
  return true;
}

}  // namespace herald::api
