// libFuzzer target for event-source payloads (src/sources/mapping.cpp):
// bytes from a RabbitMQ message are mapped with the Spring Cloud Stream
// layout and with a whole-payload map. Nothing may crash; a mapped event
// has a non-empty user for its user publish and no error; a failure has
// an error and no publishes; fill_user keeps a JSON template JSON.
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sources/mapping.hpp"

namespace {

using namespace herald;

config::source_map make_map(bool whole) {
  config::source_map m;
  m.user = "/mobile";
  if (!whole) m.body = "/message";
  m.user_destination = "/userOnlineStatus";
  m.topic = "/topic/userOnlineStatus";
  return m;
}

void check(const sources::mapped& r) {
  if (r.error.empty() == r.publishes.empty()) std::abort();
  for (const auto& f : r.publishes) {
    if (f.kind == core::target_kind::user && f.user.empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  static const auto spring = make_map(false), whole = make_map(true);
  check(sources::map_json_event(spring, in));
  check(sources::map_json_event(whole, in));
  boost::json::error_code ec;
  boost::json::parse(sources::fill_user(R"({"mobile": "{user}"})", in), ec);
  if (ec) std::abort();
  return 0;
}
