#include "loops.hpp"

#include <boost/asio/post.hpp>
#include <future>

namespace herald::bench {

loops::loops(unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    loops_.push_back(std::make_unique<loop>());
    guards_.emplace_back(loops_.back()->ctx.get_executor());
  }
  for (auto& l : loops_) threads_.emplace_back([&ctx = l->ctx] { ctx.run(); });
}

loops::~loops() {
  for (auto& g : guards_) g.reset();
  for (auto& l : loops_) l->ctx.stop();
  for (auto& t : threads_) t.join();
}

void loops::on_each(const std::function<void(loop&)>& fn) {
  std::vector<std::future<void>> done;
  for (auto& l : loops_) {
    auto task = std::make_shared<std::packaged_task<void()>>([&fn, &l = *l] { fn(l); });
    done.push_back(task->get_future());
    boost::asio::post(l->ctx, [task] { (*task)(); });
  }
  for (auto& f : done) f.get();
}

std::uint64_t loops::sum(std::atomic<std::uint64_t> loop::*counter) const {
  std::uint64_t total = 0;
  for (const auto& l : loops_) total += ((*l).*counter).load(std::memory_order_relaxed);
  return total;
}

std::uint64_t loops::max(std::atomic<std::uint64_t> loop::*counter) const {
  std::uint64_t best = 0;
  for (const auto& l : loops_) best = std::max(best, ((*l).*counter).load(std::memory_order_relaxed));
  return best;
}

}  // namespace herald::bench
