#include "subscriber.hpp"

#include "payload.hpp"
#include "stomp_text.hpp"

#include <boost/asio/post.hpp>

namespace herald::bench {

subscriber::subscriber(loop& owner, ws_address address, subscriber_spec spec, bool stomp, stomp_login login)
    : ws_client(owner.ctx, std::move(address)),
      loop_(owner),
      spec_(std::move(spec)),
      stomp_(stomp),
      login_(std::move(login)) {}

void subscriber::on_open() {
  if (!stomp_) return settle(true);
  send_text(stomp::connect_frame(login_.vhost, spec_.login, login_.passcode));
}

void subscriber::settle(bool ok, std::string_view error) {
  if (settled_) return;
  settled_ = true;
  ready_ = ok;
  --loop_.in_flight;
  (ok ? loop_.ready : loop_.failed).fetch_add(1, std::memory_order_relaxed);
  if (!ok && loop_.first_error.empty()) loop_.first_error = std::string(error);
  // Posted, not called: a burst of synchronous failures must not recurse.
  boost::asio::post(loop_.ctx, [&l = loop_] { l.launch_more(); });
}

void subscriber::on_failed(std::string_view what) {
  if (!settled_) return settle(false, what);
  loop_.dropped.fetch_add(1, std::memory_order_relaxed);
  if (loop_.first_error.empty()) loop_.first_error = std::string(what);
}

void subscriber::record(std::string_view body) {
  payload_stamp stamp;
  if (!read_payload(body, stamp) || stamp.round != loop_.round) {
    ++loop_.stale;
    return;
  }
  const std::uint64_t now = now_ns();
  loop_.latency.record(now > stamp.sent_ns ? now - stamp.sent_ns : 0);
  // One writer: a plain load and store, no locked instruction per delivery.
  loop_.received.store(loop_.received.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  loop_.last_receive_ns.store(now, std::memory_order_relaxed);
}

template <typename Frame>
void subscriber::handle_frame(const Frame& frame) {
  if (frame.command == "MESSAGE") return record(frame.body);
  if (frame.command == "CONNECTED") return send_text(stomp::subscribe_frame(spec_.destination, "sub"));
  if (frame.command == "RECEIPT") return settle(true);
  if (frame.command == "ERROR") {
    const std::string why = "STOMP ERROR: " + std::string(stomp::header(frame, "message"));
    if (!settled_) return settle(false, why);
    if (loop_.first_error.empty()) loop_.first_error = why;
  }
}

void subscriber::on_message(std::string_view payload) {
  if (!stomp_) return record(payload);
  auto on_frame = [this](const stomp::frame_view& f) { handle_frame(f); };
  if (carry_.empty()) {
    const std::size_t used = stomp::scan(payload, on_frame);
    if (used < payload.size()) carry_.assign(payload.substr(used));
    return;
  }
  carry_.append(payload);
  const std::size_t used = stomp::scan(carry_, on_frame);
  carry_.erase(0, used);
}

}  // namespace herald::bench
