// A session's bounded queue of outbound frames. Owned by one session on one
// worker thread; not thread-safe. The transport drains it front to back; the
// front entry is "in flight" while a write of it is pending and is never
// dropped. Every byte queued is counted against one bound (limits.
// max_pending_bytes): a slow reader costs at most that much memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/message.hpp"
#include "core/ring.hpp"

namespace herald::core {

// One frame on the wire: prefix + extra + [msg head + msg body + NUL].
// A delivery shares the message and the subscription's prefix; only
// `extra` (rare per-delivery headers like ack) is owned. A control frame
// (CONNECTED, RECEIPT, ERROR, heart-beat) is entirely in `extra`.
struct outbound {
  std::shared_ptr<const std::string> prefix;
  std::string extra;
  message_ptr msg;
  stomp::version version = stomp::version::v1_2;
  bool droppable = false;

  // The frame's bytes in wire order, without copying them: prefix, extra,
  // then the message's head, body and terminating NUL. Empty pieces are left
  // out. Every writer (WebSocket scatter-gather, SockJS escaping) and the
  // byte accounting read the frame through this one list.
  struct piece_list {
    std::array<std::string_view, 5> items;
    std::size_t count = 0;
    const std::string_view* begin() const { return items.data(); }
    const std::string_view* end() const { return items.data() + count; }
  };
  piece_list pieces() const {
    piece_list p;
    auto add = [&p](std::string_view v) {
      if (!v.empty()) p.items[p.count++] = v;
    };
    if (prefix) add(*prefix);
    add(extra);
    if (msg) {
      add(msg->head(version));
      add(msg->body);
      add(std::string_view("\0", 1));
    }
    return p;
  }

  std::size_t wire_size() const {
    std::size_t n = 0;
    for (auto piece : pieces()) n += piece.size();
    return n;
  }
};

enum class push_result { queued, dropped_new, overflow };

class outbox {
 public:
  // Control frames may use this much beyond the bound so that an ERROR
  // explaining an overflow still fits.
  static constexpr std::size_t control_slack = 16 * 1024;

  explicit outbox(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Deliveries: when the bound is hit, droppable entries (oldest first,
  // never the one in flight) make room; if that is not enough, a droppable
  // newcomer is dropped and anything else overflows.
  push_result push(outbound&& o);
  // Control frames: refused (overflow) only past the bound plus slack.
  push_result push_control(std::string frame);

  bool empty() const { return q_.empty() && !in_flight_; }
  std::size_t size() const { return q_.size() + (in_flight_ ? 1 : 0); }
  outbound& front() { return in_flight_ ? current_ : q_.front(); }
  // Entry i in write order (0 is front()), i < size(): a writer gathers
  // several into one system call.
  outbound& at(std::size_t i) {
    if (in_flight_) return i == 0 ? current_ : q_[i - 1];
    return q_[i];
  }
  // The transport marks the front in flight before writing it: the entry
  // moves to a slot of its own, so its bytes (which the pending write
  // reads) stay put however the queue grows or is evicted...
  void begin_write();
  // ...and pops it when the write completed.
  void pop_front();
  bool writing() const { return in_flight_; }

  std::size_t pending_bytes() const { return bytes_; }
  // The ERROR that ends a session must go out whatever its size; its size
  // is bounded by the frame limits of what caused it.
  push_result push_forced(std::string frame);
  // Messages dropped and not yet reported; begin_write() reports them in an
  // x-herald-dropped header on the next MESSAGE written.
  std::uint64_t pending_dropped_notice() const { return dropped_notice_; }
  // Drops everything queued except the in-flight front, whose buffers a
  // pending write still reads.
  void drop_queued();
  std::uint64_t dropped_total() const { return dropped_total_; }
  // A message the session dropped before it reached the outbox (a client-ack
  // subscription at max_unacked under drop_oldest): counted like an
  // eviction, so the next MESSAGE written carries it in x-herald-dropped.
  void note_dropped() { count_drop(); }
  void clear();

 private:
  bool make_room(std::size_t need);
  // Byte accounting of entries entering and leaving q_.
  void enqueue(outbound&& o);
  void forget(const outbound& o);
  void count_drop();

  ring<outbound> q_;  // not yet being written
  outbound current_;  // the in-flight entry, when in_flight_
  std::size_t bytes_ = 0;
  std::size_t droppable_bytes_ = 0;  // part of bytes_ that eviction may free
  std::size_t max_bytes_;
  bool in_flight_ = false;
  std::uint64_t dropped_notice_ = 0;
  std::uint64_t dropped_total_ = 0;
};

}  // namespace herald::core
