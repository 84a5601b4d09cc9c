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
  bytes_ += n;
  q_.push_back(std::move(o));
  return push_result::queued;
}

push_result outbox::push_control(std::string frame) {
  if (bytes_ + frame.size() > max_bytes_ + control_slack) return push_result::overflow;
  bytes_ += frame.size();
  outbound o;
  o.extra = std::move(frame);
  q_.push_back(std::move(o));
  return push_result::queued;
}

bool outbox::make_room(std::size_t need) {
  if (need > max_bytes_) return false;
  // Drop oldest first: under pressure the newest state of a topic matters
  // most. The in-flight front is part of a pending write and must stay.
  auto it = q_.begin();
  if (in_flight_ && it != q_.end()) ++it;
  while (bytes_ + need > max_bytes_ && it != q_.end()) {
    if (it->droppable) {
      bytes_ -= it->wire_size();
      it = q_.erase(it);
      count_drop();
    } else {
      ++it;
    }
  }
  return bytes_ + need <= max_bytes_;
}

void outbox::pop_front() {
  bytes_ -= q_.front().wire_size();
  q_.pop_front();
  in_flight_ = false;
}

std::uint64_t outbox::take_dropped_notice() {
  auto n = dropped_notice_;
  dropped_notice_ = 0;
  return n;
}

void outbox::count_drop() {
  ++dropped_notice_;
  ++dropped_total_;
}

void outbox::clear() {
  q_.clear();
  bytes_ = 0;
  in_flight_ = false;
}

}  // namespace herald::core
