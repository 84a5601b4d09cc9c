#include "session/app_dispatch.hpp"

#include <utility>

namespace herald::session {

app_dispatch::app_dispatch() : st_(std::make_shared<state>()) {}

std::size_t app_dispatch::active() const { return st_->active; }
std::size_t app_dispatch::waiting() const { return st_->waiting.size(); }

bool app_dispatch::submit(app_gateway& gw, std::size_t max_active, std::size_t max_waiting, app_request req,
                          done_fn done) {
  auto& s = *st_;
  s.max_active = max_active == 0 ? 1 : max_active;
  // Behind calls already waiting even when a slot is free: FIFO.
  if (s.active >= s.max_active || !s.waiting.empty()) {
    if (s.waiting.size() >= max_waiting) return false;
    s.waiting.push_back({&gw, std::move(req), std::move(done)});
    pump(st_);
    return true;
  }
  start(st_, {&gw, std::move(req), std::move(done)});
  return true;
}

void app_dispatch::start(const std::shared_ptr<state>& st, call c) {
  ++st->active;
  c.gw->forward(std::move(c.req), [weak = std::weak_ptr<state>(st), done = std::move(c.done),
                                   finished = false](std::string error) mutable {
    // A gateway answers once; a second answer must not free a second slot.
    if (finished) return;
    finished = true;
    auto d = std::move(done);
    auto s = weak.lock();
    if (s) --s->active;
    if (d) d(std::move(error));
    if (s) pump(s);
  });
}

void app_dispatch::pump(const std::shared_ptr<state>& st) {
  // A gateway that answers inside forward() re-enters here through the
  // completion callback: the outer loop carries on instead.
  if (st->pumping) return;
  st->pumping = true;
  while (st->active < st->max_active && !st->waiting.empty()) {
    auto c = std::move(st->waiting.front());
    st->waiting.pop_front();
    start(st, std::move(c));
  }
  st->pumping = false;
}

}  // namespace herald::session
