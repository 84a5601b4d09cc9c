#include "ws/frame_reader.hpp"

#include <algorithm>
#include <cstring>

namespace herald::ws {

namespace {

bool is_control(opcode op) { return static_cast<std::uint8_t>(op) >= 8; }

bool known(std::uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

// Codes a peer may put in a close frame (§7.4.1, §7.4.2): the defined ones
// that are not reserved for local use, and the registered/private ranges.
bool sendable_close_code(std::uint16_t c) {
  if (c >= 3000 && c <= 4999) return true;
  switch (c) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010: case 1011:
      return true;
    default:
      return false;
  }
}

// Bytes of header after the first two: extended length, then the mask.
std::size_t client_header_size(const std::uint8_t* hdr) {
  const std::uint8_t len7 = hdr[1] & 0x7F;
  const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  return 2 + ext + ((hdr[1] & 0x80) ? 4 : 0);
}

}  // namespace

std::optional<violation> frame_reader::fail(violation v) {
  failed_ = v;
  stage_ = stage::done;
  return v;
}

std::optional<violation> frame_reader::feed(char* data, std::size_t size, handler& h) {
  if (failed_) return failed_;
  while (size > 0 && stage_ != stage::done) {
    if (stage_ == stage::header) {
      // The first two bytes say how long the header is.
      const std::size_t want = hdr_len_ < 2 ? 2 : client_header_size(hdr_);
      const std::size_t take = std::min(want - hdr_len_, size);
      std::memcpy(hdr_ + hdr_len_, data, take);
      hdr_len_ += static_cast<std::uint8_t>(take);
      data += take;
      size -= take;
      if (hdr_len_ < 2 || hdr_len_ < client_header_size(hdr_)) continue;
      if (auto v = begin_frame()) return v;
      if (remaining_ == 0) {
        if (auto v = end_frame(h)) return v;
      }
      continue;
    }
    // Payload.
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size));
    unmask(data, take);
    remaining_ -= take;
    const std::string_view piece(data, take);
    data += take;
    size -= take;
    if (is_control(frame_op_)) {
      control_.append(piece);
    } else {
      if (message_text_ && !utf8_.feed(piece)) {
        return fail({close_code::invalid_payload, "invalid UTF-8 in a text message"});
      }
      h.on_data(piece, message_text_);
    }
    if (remaining_ == 0) {
      if (auto v = end_frame(h)) return v;
    }
  }
  return failed_;
}

std::optional<violation> frame_reader::begin_frame() {
  const std::uint8_t b0 = hdr_[0];
  const std::uint8_t b1 = hdr_[1];
  hdr_len_ = 0;
  if (b0 & 0x70) return fail({close_code::protocol_error, "reserved bits set (no extension was negotiated)"});
  const std::uint8_t op = b0 & 0x0F;
  if (!known(op)) return fail({close_code::protocol_error, "unknown opcode"});
  if (!(b1 & 0x80)) return fail({close_code::protocol_error, "client frames must be masked"});
  fin_ = (b0 & 0x80) != 0;
  frame_op_ = static_cast<opcode>(op);

  const std::uint8_t len7 = b1 & 0x7F;
  std::uint64_t len = len7;
  std::size_t at = 2;
  if (len7 == 126) {
    len = (std::uint64_t{hdr_[2]} << 8) | hdr_[3];
    at = 4;
    if (len < 126) return fail({close_code::protocol_error, "payload length not minimally encoded"});
  } else if (len7 == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | hdr_[2 + i];
    at = 10;
    if (len >> 63) return fail({close_code::protocol_error, "payload length out of range"});
    if (len <= 0xFFFF) return fail({close_code::protocol_error, "payload length not minimally encoded"});
  }
  std::memcpy(mask_, hdr_ + at, 4);
  mask_pos_ = 0;
  remaining_ = len;

  if (is_control(frame_op_)) {
    if (!fin_) return fail({close_code::protocol_error, "fragmented control frame"});
    if (len > 125) return fail({close_code::protocol_error, "control frame longer than 125 bytes"});
    control_.clear();
  } else if (frame_op_ == opcode::continuation) {
    if (!in_message_) return fail({close_code::protocol_error, "continuation frame outside a message"});
  } else {
    if (in_message_) return fail({close_code::protocol_error, "new message inside a fragmented one"});
    in_message_ = true;
    message_text_ = frame_op_ == opcode::text;
    utf8_.reset();
  }
  stage_ = stage::payload;
  return std::nullopt;
}

std::optional<violation> frame_reader::end_frame(handler& h) {
  stage_ = stage::header;
  switch (frame_op_) {
    case opcode::ping:
      h.on_ping(control_);
      break;
    case opcode::pong:
      break;
    case opcode::close: {
      stage_ = stage::done;
      if (control_.empty()) {
        h.on_close(close_code::no_status, {});
        break;
      }
      if (control_.size() == 1) return fail({close_code::protocol_error, "close frame with a one-byte payload"});
      const auto code = static_cast<std::uint16_t>((std::uint8_t(control_[0]) << 8) | std::uint8_t(control_[1]));
      if (!sendable_close_code(code)) return fail({close_code::protocol_error, "invalid close code"});
      const std::string_view reason = std::string_view(control_).substr(2);
      if (!util::valid_utf8(reason)) return fail({close_code::invalid_payload, "invalid UTF-8 in a close reason"});
      h.on_close(code, reason);
      break;
    }
    default:
      if (fin_) {
        in_message_ = false;
        if (message_text_ && !utf8_.complete()) {
          return fail({close_code::invalid_payload, "invalid UTF-8 in a text message"});
        }
      }
      break;
  }
  // Control payloads are tiny; a long-lived connection keeps no buffer.
  if (!control_.empty()) std::string().swap(control_);
  return std::nullopt;
}

void frame_reader::unmask(char* p, std::size_t n) {
  std::size_t i = 0;
  // Byte at a time until the key is aligned, then eight bytes at a time.
  while (i < n && mask_pos_ != 0) {
    p[i++] ^= static_cast<char>(mask_[mask_pos_]);
    mask_pos_ = (mask_pos_ + 1) & 3;
  }
  if (n - i >= 8) {
    std::uint64_t key;
    std::uint8_t k8[8] = {mask_[0], mask_[1], mask_[2], mask_[3], mask_[0], mask_[1], mask_[2], mask_[3]};
    std::memcpy(&key, k8, 8);
    for (; n - i >= 8; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      w ^= key;
      std::memcpy(p + i, &w, 8);
    }
  }
  for (; i < n; ++i) {
    p[i] ^= static_cast<char>(mask_[mask_pos_]);
    mask_pos_ = (mask_pos_ + 1) & 3;
  }
}

}  // namespace herald::ws
