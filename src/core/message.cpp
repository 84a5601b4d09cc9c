#include "core/message.hpp"

#include <array>

#include "stomp/encoder.hpp"
#include "util/utf8.hpp"

namespace herald::core {
namespace {

std::string encode_head(const message& m, stomp::version v) {
  std::string out;
  out.reserve(64 + m.headers.size() * 32);
  stomp::append_header(out, "message-id", m.id, v, stomp::command::message);
  for (const auto& [name, value] : m.headers) {
    stomp::append_header(out, name, value, v, stomp::command::message);
  }
  stomp::append_header(out, "content-length", std::to_string(m.body.size()), v, stomp::command::message);
  out.push_back('\n');
  return out;
}

// Escaping differs between versions only for these characters; without
// them the three heads are the same bytes and one encoding serves all.
bool needs_escaping(const message& m) {
  auto special = [](std::string_view v) { return v.find_first_of("\\\n\r:") != std::string_view::npos; };
  if (special(m.id)) return true;
  for (const auto& [name, value] : m.headers) {
    if (special(name) || special(value)) return true;
  }
  return false;
}

}  // namespace

const std::string& message::head(stomp::version v) const {
  switch (v) {
    case stomp::version::v1_0: return head10_.empty() ? head12_ : head10_;
    case stomp::version::v1_1: return head11_.empty() ? head12_ : head11_;
    case stomp::version::v1_2: break;
  }
  return head12_;
}

message_ptr make_message(message_fields f, std::string id, std::chrono::steady_clock::time_point published_at) {
  auto m = std::make_shared<message>();
  m->kind = f.kind;
  m->user = std::move(f.user);
  m->destination = std::move(f.destination);
  m->id = std::move(id);
  m->headers = std::move(f.headers);
  m->body = std::move(f.body);
  m->published_at = published_at;
  m->head12_ = encode_head(*m, stomp::version::v1_2);
  m->text = util::valid_utf8(m->body) && util::valid_utf8(m->head12_);
  if (!needs_escaping(*m)) return m;
  if (auto h = encode_head(*m, stomp::version::v1_1); h != m->head12_) m->head11_ = std::move(h);
  if (auto h = encode_head(*m, stomp::version::v1_0); h != m->head12_) m->head10_ = std::move(h);
  return m;
}

bool is_reserved_header(std::string_view name) {
  static constexpr std::array<std::string_view, 7> reserved{
      "destination", "subscription", "message-id", "content-length", "ack", "receipt", "transaction"};
  for (auto r : reserved) {
    if (r == name) return true;
  }
  return false;
}

}  // namespace herald::core
