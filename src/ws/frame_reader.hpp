// Reads the frames a WebSocket client sends (RFC 6455 §5), incrementally:
// bytes arrive in any split, payloads are unmasked in place and handed on
// as they come, so nothing is buffered but a frame header (at most 14
// bytes) and a control frame's payload (at most 125). No extensions are
// negotiated, so reserved bits are errors. The size of a data message is
// not bounded here: what it carries (STOMP) bounds its own frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/utf8.hpp"

namespace herald::ws {

enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes (RFC 6455 §7.4.1) the server sends.
namespace close_code {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t no_status = 1005;  // never sent: "the peer gave none"
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t policy = 1008;
constexpr std::uint16_t too_big = 1009;
constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

// Why the connection must fail: the close code and reason to send.
struct violation {
  std::uint16_t code;
  std::string_view reason;  // a string literal
};

class frame_reader {
 public:
  class handler {
   public:
    // A piece of a data message, unmasked. `text` is the message's opcode.
    virtual void on_data(std::string_view payload, bool text) = 0;
    virtual void on_ping(std::string_view payload) = 0;
    // code is close_code::no_status when the frame carried none.
    virtual void on_close(std::uint16_t code, std::string_view reason) = 0;

   protected:
    ~handler() = default;
  };

  // Consumes `data` (modified: unmasked in place), calling h as frames
  // complete. After a violation or a close frame, nothing more is read:
  // later calls return the same violation, or nothing.
  std::optional<violation> feed(char* data, std::size_t size, handler& h);

  bool closed() const { return stage_ == stage::done; }

 private:
  enum class stage : std::uint8_t { header, payload, done };

  // Parses hdr_ once complete; sets up the frame or reports a violation.
  std::optional<violation> begin_frame();
  std::optional<violation> end_frame(handler& h);
  std::optional<violation> fail(violation v);
  void unmask(char* p, std::size_t n);

  std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::string control_;          // a control frame's payload, while it arrives
  util::utf8_checker utf8_;
  std::uint8_t hdr_[14] = {};
  std::uint8_t hdr_len_ = 0;
  std::uint8_t mask_[4] = {};
  std::uint8_t mask_pos_ = 0;
  stage stage_ = stage::header;
  opcode frame_op_ = opcode::continuation;
  bool fin_ = false;
  bool in_message_ = false;  // a fragmented data message is open
  bool message_text_ = false;
  std::optional<violation> failed_;
};

}  // namespace herald::ws
