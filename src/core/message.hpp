// An immutable published message, encoded once at publish time and then
// shared (by shared_ptr<const message>) by every thread and every outbox
// that delivers it. Nothing in it is written after make_message() returns,
// so any thread may read it without synchronisation.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stomp/frame.hpp"

namespace herald::core {

enum class target_kind { topic, user };

using header_list = std::vector<std::pair<std::string, std::string>>;

struct message {
  target_kind kind = target_kind::topic;
  std::string user;         // user messages: the principal
  std::string destination;  // topic: "/topic/x"; user: relative, "/queue/x"
  std::string id;           // message-id, unique in the cluster
  header_list headers;      // application headers (content-type among them)
  std::string body;
  std::chrono::steady_clock::time_point published_at;
  // Head and body are valid UTF-8, so a WebSocket text frame may carry the
  // MESSAGE; otherwise it goes in a binary frame (a client's binary SEND
  // can carry any bytes). Checked once per message, not per delivery.
  bool text = true;

  // The MESSAGE frame's headers after destination/subscription/ack, ending
  // with the blank line, escaped per STOMP version (§"Value Encoding").
  // The three differ only when a header needs escaping.
  const std::string& head(stomp::version v) const;

  std::string head12_;
  std::string head11_;  // empty: same as head12_
  std::string head10_;  // empty: same as head12_
};

using message_ptr = std::shared_ptr<const message>;

struct message_fields {
  target_kind kind = target_kind::topic;
  std::string user{};
  std::string destination{};
  header_list headers{};
  std::string body{};
};

// id must be unique; the publisher makes it. published_at is earlier than
// now for a message that arrives from another node.
message_ptr make_message(message_fields fields, std::string id,
                         std::chrono::steady_clock::time_point published_at = std::chrono::steady_clock::now());

// Headers a publisher may not set because the server owns them.
bool is_reserved_header(std::string_view name);

}  // namespace herald::core
