// The bound on one worker's calls to the application gateway. Each call is
// one webhook connection (net::webhook_client), so without a bound a client
// pipelining /app SENDs to a slow webhook makes the worker open a socket per
// SEND. At most `max_active` calls run at once; later ones wait in a FIFO of
// at most `max_waiting` and start in arrival order as running ones finish.
// One per worker (session::environment); worker thread only.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "session/app_gateway.hpp"

namespace herald::session {

class app_dispatch {
 public:
  using done_fn = std::function<void(std::string error)>;

  app_dispatch();

  // Starts gw.forward(req) now when fewer than max_active calls run and
  // none waits, else queues it. done runs once, as the gateway's would.
  // false: max_waiting calls already wait; nothing was queued and done
  // will not run.
  bool submit(app_gateway& gw, std::size_t max_active, std::size_t max_waiting, app_request req, done_fn done);

  std::size_t active() const;
  std::size_t waiting() const;

 private:
  struct call {
    app_gateway* gw;
    app_request req;
    done_fn done;
  };
  // Shared with the completion callbacks, which may outlive the dispatch
  // (they hold a weak_ptr).
  struct state {
    std::size_t active = 0;
    std::size_t max_active = 1;
    std::deque<call> waiting;
    bool pumping = false;
  };
  static void start(const std::shared_ptr<state>& st, call c);
  static void pump(const std::shared_ptr<state>& st);

  std::shared_ptr<state> st_;
};

}  // namespace herald::session
