// libFuzzer target for the HTTP API's JSON parsing (src/api/publish_body.cpp):
// the input bytes are fed to api::parse_publish_body and to
// api::parse_webhook_reply. Neither may crash or throw. Whatever they accept
// must be self-consistent, must survive a JSON round trip unchanged, and, when
// the publisher would accept its headers, must encode (core::make_message)
// into a MESSAGE frame that the STOMP parser gives back unchanged under every
// version. Links herald_api (Boost.JSON, herald_core, herald_stomp).
// Single-threaded.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "api/publish_body.hpp"
#include "api/webhook_reply.hpp"
#include "core/destinations.hpp"
#include "core/message.hpp"
#include "core/publisher.hpp"
#include "stomp/encoder.hpp"
#include "stomp/parser.hpp"

namespace {

namespace json = boost::json;
using namespace herald;

#define FUZZ_CHECK(cond)       \
  do {                         \
    if (!(cond)) std::abort(); \
  } while (0)

const std::string sender = "alice";

json::object headers_object(const core::header_list& headers) {
  json::object h;
  for (const auto& [k, v] : headers) h[k] = v;
  return h;
}

// A header list as a JSON object keeps one value per name; anything the
// parser accepted must already be in that shape or the round trip is lossy.
bool unique_names(const core::header_list& headers) {
  for (std::size_t i = 0; i < headers.size(); ++i) {
    for (std::size_t j = i + 1; j < headers.size(); ++j) {
      if (headers[i].first == headers[j].first) return false;
    }
  }
  return true;
}

// Would core::publisher let these headers through?
bool publishable_headers(const core::header_list& headers) {
  for (const auto& [name, value] : headers) {
    if (core::is_reserved_header(name) || !core::valid_header(name, value)) return false;
  }
  return true;
}

// The MESSAGE frame a session would write for `m` (destination and
// subscription first, then the message's pre-encoded head and body) must
// parse back to exactly the message's fields.
void check_wire(const core::message_ptr& m) {
  using namespace herald::stomp;
  for (version v : {version::v1_0, version::v1_1, version::v1_2}) {
    std::string wire = "MESSAGE\n";
    append_header(wire, "destination", m->destination, v, command::message);
    append_header(wire, "subscription", "sub-0", v, command::message);
    wire += m->head(v);
    wire += m->body;
    wire += '\0';

    parser p(parser_limits{.max_frame_bytes = 1u << 26, .max_headers = 1u << 20, .max_header_bytes = 1u << 26});
    p.set_version(v);
    p.feed(wire);
    frame f;
    std::error_code ec;
    FUZZ_CHECK(p.next(f, ec) == parse_status::frame);
    FUZZ_CHECK(f.cmd == command::message);
    FUZZ_CHECK(f.body == m->body);
    FUZZ_CHECK(f.headers.size() == m->headers.size() + 4);
    FUZZ_CHECK(f.headers[0].name == "destination");
    FUZZ_CHECK(f.headers[0].value == m->destination);
    FUZZ_CHECK(f.headers[2].name == "message-id" && f.headers[2].value == m->id);
    for (std::size_t i = 0; i < m->headers.size(); ++i) {
      FUZZ_CHECK(f.headers[3 + i].name == m->headers[i].first);
      FUZZ_CHECK(f.headers[3 + i].value == m->headers[i].second);
    }
    FUZZ_CHECK(f.headers.back().name == "content-length");
    FUZZ_CHECK(f.headers.back().value == std::to_string(m->body.size()));
    FUZZ_CHECK(p.next(f, ec) == parse_status::need_more);
    FUZZ_CHECK(p.buffered() == 0);
  }
}

void check_message(const core::message_fields& f) {
  // Only what core::publisher would let through reaches a session.
  if (!publishable_headers(f.headers) || !core::destination_rules::well_formed(f.destination)) return;
  check_wire(core::make_message(f, "fuzz-1"));
}

void check_publish_body(std::string_view in) {
  auto parsed = api::parse_publish_body(in);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    FUZZ_CHECK(!err->empty());
    return;
  }
  const auto& b = std::get<api::publish_body>(parsed);
  FUZZ_CHECK(!b.destination.empty());
  FUZZ_CHECK(unique_names(b.headers));

  // Re-serialised with the body as a JSON string, it parses to the same
  // value (a JSON body's implied content-type is now an explicit header).
  json::object o;
  o["destination"] = b.destination;
  o["body"] = b.body;
  o["headers"] = headers_object(b.headers);
  auto again = api::parse_publish_body(json::serialize(o));
  auto* b2 = std::get_if<api::publish_body>(&again);
  FUZZ_CHECK(b2 != nullptr);
  FUZZ_CHECK(b2->destination == b.destination && b2->body == b.body && b2->headers == b.headers);

  core::message_fields f;
  f.destination = b.destination;
  f.headers = b.headers;
  f.body = b.body;
  check_message(f);
}

void check_webhook_reply(std::string_view in) {
  auto parsed = api::parse_webhook_reply(in, sender);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    FUZZ_CHECK(!err->empty());
    return;
  }
  const auto& msgs = std::get<std::vector<core::message_fields>>(parsed);
  json::array arr;
  for (const auto& m : msgs) {
    FUZZ_CHECK(!m.destination.empty());
    FUZZ_CHECK(unique_names(m.headers));
    FUZZ_CHECK(m.kind == core::target_kind::user || m.user.empty());
    json::object o;
    o["destination"] = m.destination;
    o["body"] = m.body;
    o["headers"] = headers_object(m.headers);
    if (m.kind == core::target_kind::user) o["user"] = m.user;
    arr.push_back(std::move(o));
  }
  json::object root;
  root["messages"] = std::move(arr);
  auto again = api::parse_webhook_reply(json::serialize(root), sender);
  auto* msgs2 = std::get_if<std::vector<core::message_fields>>(&again);
  FUZZ_CHECK(msgs2 != nullptr && msgs2->size() == msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const auto& a = msgs[i];
    const auto& b = (*msgs2)[i];
    FUZZ_CHECK(a.kind == b.kind && a.user == b.user && a.destination == b.destination && a.body == b.body &&
               a.headers == b.headers);
  }
  // Only a few per input: the wire check is the expensive part.
  for (std::size_t i = 0; i < msgs.size() && i < 4; ++i) check_message(msgs[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_publish_body(in);
  check_webhook_reply(in);
  return 0;
}
