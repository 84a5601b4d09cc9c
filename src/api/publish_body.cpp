#include "api/publish_body.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>

#include "api/webhook_reply.hpp"

namespace herald::api {

namespace json = boost::json;

namespace {

// Depth limit: publish bodies are shallow; deep nesting is an attack.
json::value parse_limited(std::string_view text, json::error_code& ec) {
  json::parse_options opt;
  opt.max_depth = 64;
  return json::parse(json::string_view(text.data(), text.size()), ec, {}, opt);
}

// Fields shared by API publishes and webhook replies. `extra` names the
// additional keys a caller accepts; they are returned untouched.
std::optional<std::string> parse_message_object(const json::object& o, publish_body& out,
                                                std::initializer_list<std::string_view> extra) {
  bool body_is_json = false;
  bool has_body = false;
  for (const auto& [key, val] : o) {
    if (key == "destination") {
      if (!val.is_string()) return "'destination' must be a string";
      out.destination = std::string(val.get_string());
    } else if (key == "body") {
      has_body = true;
      if (val.is_string()) {
        out.body = std::string(val.get_string());
      } else {
        out.body = json::serialize(val);
        body_is_json = true;
      }
    } else if (key == "headers") {
      if (!val.is_object()) return "'headers' must be an object of strings";
      for (const auto& [hk, hv] : val.get_object()) {
        if (!hv.is_string()) return "header '" + std::string(hk) + "' must be a string";
        out.headers.emplace_back(std::string(hk), std::string(hv.get_string()));
      }
    } else if (std::find(extra.begin(), extra.end(), std::string_view(key)) == extra.end()) {
      return "unknown field '" + std::string(key) + "'";
    }
  }
  if (out.destination.empty()) return "'destination' is required";
  if (!has_body) return "'body' is required";
  if (body_is_json) {
    // An explicit content-type wins over the one a JSON body implies.
    bool explicit_type = false;
    for (const auto& h : out.headers) explicit_type = explicit_type || h.first == "content-type";
    if (!explicit_type) out.headers.emplace_back("content-type", "application/json");
  }
  return std::nullopt;
}

}  // namespace

std::variant<publish_body, std::string> parse_publish_body(std::string_view text) {
  json::error_code ec;
  json::value v = parse_limited(text, ec);
  if (ec) return "invalid JSON: " + ec.message();
  if (!v.is_object()) return std::string("request body must be a JSON object");
  publish_body out;
  if (auto err = parse_message_object(v.get_object(), out, {})) return *err;
  return out;
}

std::variant<std::vector<core::message_fields>, std::string> parse_webhook_reply(std::string_view text,
                                                                                 const std::string& sender) {
  std::vector<core::message_fields> out;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  json::error_code ec;
  json::value v = parse_limited(text, ec);
  if (ec) return "invalid JSON: " + ec.message();
  if (!v.is_object()) return std::string("reply must be a JSON object");
  const auto& root = v.get_object();
  for (const auto& [key, val] : root) {
    if (key != "messages") return "unknown field '" + std::string(key) + "'";
  }
  auto it = root.find("messages");
  if (it == root.end()) return out;
  if (!it->value().is_array()) return std::string("'messages' must be an array");
  for (const auto& item : it->value().get_array()) {
    if (!item.is_object()) return std::string("each message must be an object");
    const auto& o = item.get_object();
    publish_body b;
    if (auto err = parse_message_object(o, b, {"user", "reply"})) return *err;
    core::message_fields f;
    f.kind = core::target_kind::topic;
    if (auto u = o.find("user"); u != o.end()) {
      if (!u->value().is_string()) return std::string("'user' must be a string");
      f.kind = core::target_kind::user;
      f.user = std::string(u->value().get_string());
    }
    if (auto r = o.find("reply"); r != o.end()) {
      if (!r->value().is_bool()) return std::string("'reply' must be true or false");
      if (r->value().get_bool()) {
        f.kind = core::target_kind::user;
        f.user = sender;
      }
    }
    f.destination = std::move(b.destination);
    f.headers = std::move(b.headers);
    f.body = std::move(b.body);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace herald::api
