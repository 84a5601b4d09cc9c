#include "core/outbox.hpp"

namespace herald::core {

push_result outbox::push(outbound&& o) {
  const std::size_t n = o.wire_size();
  if (bytes_ + n > max_bytes_ && !make_room(n)) {
    if (o.droppable) {
      count_drop();
      return push_result::dropped_new;
    }
    return push_result::overflow;
  }
  enqueue(std::move(o));
  return push_result::queued;
}

push_result outbox::push_control(std::string frame) {
  if (bytes_ + frame.size() > max_bytes_ + control_slack) return push_result::overflow;
  return push_forced(std::move(frame));
}

push_result outbox::push_forced(std::string frame) {
  outbound o;
  o.extra = std::move(frame);
  enqueue(std::move(o));
  return push_result::queued;
}

void outbox::enqueue(outbound&& o) {
  const auto n = o.wire_size();
  bytes_ += n;
  if (o.droppable) droppable_bytes_ += n;
  q_.push_back(std::move(o));
}

void outbox::forget(const outbound& o) {
  const auto n = o.wire_size();
  bytes_ -= n;
  if (o.droppable) droppable_bytes_ -= n;
}

bool outbox::make_room(std::size_t need) {
  if (need > max_bytes_) return false;
  // Evict only when eviction can succeed: dropping messages and then
  // refusing the newcomer anyway would lose both.
  if (bytes_ - droppable_bytes_ + need > max_bytes_) return false;
  // Drop oldest first: under pressure the newest state of a topic matters
  // most. The in-flight entry is not in q_: a pending write reads it.
  q_.remove_while(
      0,
      [&](outbound& o) {
        if (!o.droppable) return false;
        forget(o);
        count_drop();
        return true;
      },
      [&] { return bytes_ + need <= max_bytes_; });
  return bytes_ + need <= max_bytes_;
}

void outbox::begin_write() {
  current_ = std::move(q_.front());
  q_.pop_front();
  in_flight_ = true;
  if (current_.droppable) droppable_bytes_ -= current_.wire_size();
  // The drop notice rides on the next MESSAGE actually written, so it can
  // neither be evicted with a dropped entry nor arrive before older ones.
  if (current_.msg && dropped_notice_ != 0) {
    const auto before = current_.extra.size();
    current_.extra += "x-herald-dropped:" + std::to_string(dropped_notice_) + "\n";
    bytes_ += current_.extra.size() - before;
    dropped_notice_ = 0;
  }
}

void outbox::pop_front() {
  if (in_flight_) {
    // Not droppable any more: begin_write took it out of droppable_bytes_.
    bytes_ -= current_.wire_size();
    { outbound gone = std::move(current_); }  // frees `extra` (assignment would keep its buffer)
    in_flight_ = false;
    return;
  }
  forget(q_.front());
  q_.pop_front();
}

void outbox::count_drop() {
  ++dropped_notice_;
  ++dropped_total_;
}

void outbox::drop_queued() {
  while (!q_.empty()) {
    forget(q_.front());
    q_.pop_front();
  }
}

void outbox::clear() {
  q_.clear();
  current_ = outbound{};
  bytes_ = 0;
  droppable_bytes_ = 0;
  in_flight_ = false;
}

}  // namespace herald::core
