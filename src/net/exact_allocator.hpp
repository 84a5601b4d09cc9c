// Asio allocates each pending operation through the handler's associated
// allocator; by default a per-thread cache that hands out any cached block
// big enough, so a small readiness wait can sit for hours in a block sized
// for an HTTP read. Waits that idle connections keep pending ask for
// exactly their size instead.
#pragma once

#include <boost/asio/bind_allocator.hpp>

#include <cstddef>
#include <new>
#include <utility>

namespace herald::net {

template <class T>
struct exact_allocator {
  using value_type = T;
  exact_allocator() = default;
  template <class U>
  exact_allocator(const exact_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
  template <class U>
  bool operator==(const exact_allocator<U>&) const noexcept {
    return true;
  }
};

template <class Handler>
auto exact_size(Handler&& h) {
  return boost::asio::bind_allocator(exact_allocator<void>(), std::forward<Handler>(h));
}

}  // namespace herald::net
