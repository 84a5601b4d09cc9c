// A subscribing client: STOMP (CONNECT, SUBSCRIBE with a receipt; ready on
// the RECEIPT, so the subscription is known to be in place) or a raw
// WebSocket (nchan; ready once upgraded). Every delivery is timed from the
// send stamp in its body into its loop's histogram. Loop thread only.
#pragma once

#include "loops.hpp"
#include "targets.hpp"
#include "ws_client.hpp"

namespace herald::bench {

struct stomp_login {
  std::string vhost;
  std::string passcode;
};

class subscriber final : public ws_client {
 public:
  subscriber(loop& owner, ws_address address, subscriber_spec spec, bool stomp, stomp_login login);

 protected:
  void on_open() override;
  void on_message(std::string_view payload) override;
  void on_failed(std::string_view what) override;

 private:
  void settle(bool ok, std::string_view error = {});
  void record(std::string_view body);
  template <typename Frame>
  void handle_frame(const Frame& frame);

  loop& loop_;
  subscriber_spec spec_;
  bool stomp_;
  stomp_login login_;
  bool settled_ = false;
  bool ready_ = false;
  std::string carry_;  // a STOMP frame split across WebSocket messages
};

}  // namespace herald::bench
