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
  if (o.droppable) droppable_bytes_ += n;
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
  // Evict only when eviction can succeed: dropping messages and then
  // refusing the newcomer anyway would lose both.
  std::size_t droppable = droppable_bytes_;
  if (in_flight_ && !q_.empty() && q_.front().droppable) droppable -= q_.front().wire_size();
  if (bytes_ - droppable + need > max_bytes_) return false;
  // Drop oldest first: under pressure the newest state of a topic matters
  // most. The in-flight front is part of a pending write and must stay.
  q_.remove_while(
      in_flight_ ? 1 : 0,
      [&](outbound& o) {
        if (!o.droppable) return false;
        bytes_ -= o.wire_size();
        droppable_bytes_ -= o.wire_size();
        count_drop();
        return true;
      },
      [&] { return bytes_ + need <= max_bytes_; });
  return bytes_ + need <= max_bytes_;
}

void outbox::pop_front() {
  const auto n = q_.front().wire_size();
  bytes_ -= n;
  if (q_.front().droppable) droppable_bytes_ -= n;
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
  droppable_bytes_ = 0;
  in_flight_ = false;
}

}  // namespace herald::core
