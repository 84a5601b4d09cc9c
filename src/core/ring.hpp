// A growable FIFO ring over a vector. Unlike std::deque (which allocates a
// 512-byte block on construction in libstdc++), an empty ring owns nothing,
// which matters for idle sessions: there are tens of thousands of them.
// Single-threaded, like its owners.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace herald::core {

template <class T>
class ring {
 public:
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }
  T& front() { return slots_[head_]; }
  T& operator[](std::size_t i) { return slots_[(head_ + i) % slots_.size()]; }

  void push_back(T v) {
    if (count_ == slots_.size()) grow();
    slots_[(head_ + count_) % slots_.size()] = std::move(v);
    ++count_;
  }

  void pop_front() {
    // Release what the slot references now. Moving out, not assigning an
    // empty T: a string assigned an empty one keeps its heap buffer, and an
    // idle session would carry its last frame's capacity in every slot.
    { T gone = std::move(slots_[head_]); }
    head_ = (head_ + 1) % slots_.size();
    if (--count_ == 0) settle();
  }

  // Removes entries i >= from for which pred(entry) says so, oldest first,
  // until stop() holds; keeps the order of the rest. O(n): overload path.
  template <class Pred, class Stop>
  void remove_while(std::size_t from, Pred pred, Stop stop) {
    std::vector<T> kept;
    kept.reserve(slots_.size());
    for (std::size_t i = 0; i < count_; ++i) {
      T& e = (*this)[i];
      if (i >= from && !stop() && pred(e)) continue;
      kept.push_back(std::move(e));
    }
    const std::size_t n = kept.size();
    kept.resize(slots_.size());
    slots_ = std::move(kept);
    head_ = 0;
    count_ = n;
    if (count_ == 0) settle();
  }

  void clear() {
    slots_.clear();
    slots_.shrink_to_fit();
    head_ = count_ = 0;
  }

 private:
  void grow() {
    std::vector<T> bigger(slots_.empty() ? 2 : slots_.size() * 2);
    for (std::size_t i = 0; i < count_; ++i) bigger[i] = std::move((*this)[i]);
    slots_ = std::move(bigger);
    head_ = 0;
  }

  // A burst may have grown the ring; give the memory back once drained,
  // but keep a small ring so steady traffic does not allocate.
  void settle() {
    head_ = 0;
    if (slots_.size() > 8) clear();
  }

  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace herald::core
