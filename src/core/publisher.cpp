#include "core/publisher.hpp"

#include "core/channels.hpp"

namespace herald::core {

publisher::publisher(broker& b, const destination_rules& rules, std::string node_id)
    : broker_(b), rules_(rules), id_prefix_(std::move(node_id) + "-") {}

bool valid_header(std::string_view name, std::string_view value) {
  if (name.empty() || name.size() > 256 || value.size() > 4096) return false;
  for (char c : name) {
    if (c == ':' || c == '\n' || c == '\r' || c == '\0') return false;
  }
  for (char c : value) {
    if (c == '\n' || c == '\r' || c == '\0') return false;
  }
  return true;
}

std::string publisher::next_id() {
  auto n = seq_.fetch_add(1, std::memory_order_relaxed);
  return id_prefix_ + std::to_string(n);
}

publish_outcome publisher::publish(message_fields f) { return deliver(std::move(f), nullptr); }

publish_outcome publisher::publish_local(message_fields f, const broker::message_handler& local) {
  return deliver(std::move(f), &local);
}

publish_outcome publisher::deliver(message_fields f, const broker::message_handler* local) {
  publish_outcome out;
  auto reject = [&](std::string why) {
    stats_.rejected.fetch_add(1, std::memory_order_relaxed);
    out.status = publish_status::bad_request;
    out.error = std::move(why);
    return out;
  };
  if (!destination_rules::well_formed(f.destination)) {
    return reject("destination '" + f.destination + "' is not a valid path");
  }
  if (f.kind == target_kind::topic && !rules_.is_broker(f.destination)) {
    return reject("destination '" + f.destination + "' is not under a broker prefix");
  }
  if (f.kind == target_kind::user && f.user.empty()) return reject("user is empty");
  for (const auto& [name, value] : f.headers) {
    if (is_reserved_header(name)) return reject("header '" + name + "' is set by the server");
    if (!valid_header(name, value)) return reject("header '" + name + "' has an invalid name or value");
  }
  std::string channel = f.kind == target_kind::user ? user_channel(f.user) : topic_channel(f.destination);
  auto m = make_message(std::move(f), next_id());
  if (local) {
    (*local)(channel, m);
  } else if (!broker_.publish(channel, m)) {
    stats_.unavailable.fetch_add(1, std::memory_order_relaxed);
    out.status = publish_status::unavailable;
    out.error = "backplane unavailable";
    return out;
  }
  stats_.published.fetch_add(1, std::memory_order_relaxed);
  out.message_id = m->id;
  return out;
}

}  // namespace herald::core
