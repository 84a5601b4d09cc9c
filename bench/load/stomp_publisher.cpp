// STOMP SEND publisher over one WebSocket: the same frames for herald
// (with destinations.client_send allowing them) and RabbitMQ Web-STOMP.
// SEND has no answer unless a receipt is asked for, so a round ends when
// its last frame is written; TCP back-pressure paces a flat-out run.
#include "pacer.hpp"
#include "payload.hpp"
#include "publisher.hpp"
#include "stomp_text.hpp"
#include "ws_client.hpp"

#include <boost/asio/steady_timer.hpp>

namespace herald::bench {

namespace asio = boost::asio;

namespace {

class stomp_publisher final : public publisher, public ws_client {
 public:
  stomp_publisher(asio::io_context& ctx, const options& opts, const targets& where)
      : ws_client(ctx, address(opts, where)), timer_(ctx), opts_(opts), where_(where) {}

  void connect(std::function<void(std::string)> done) override {
    connected_ = std::move(done);
    start();
  }

  void run(const publish_job& job, std::function<void(publish_outcome)> done) override {
    job_ = job;
    done_ = std::move(done);
    outcome_ = {};
    outcome_.start_ns = now_ns();
    pace_ = {outcome_.start_ns, job.messages, job.rate};
    pump();
  }

 protected:
  void on_open() override { send_text(stomp::connect_frame(opts_.vhost, opts_.login, opts_.passcode)); }

  void on_message(std::string_view payload) override {
    stomp::scan(payload, [this](const stomp::frame_view& f) {
      if (f.command == "CONNECTED" && connected_) {
        auto cb = std::move(connected_);
        connected_ = nullptr;
        cb({});
      } else if (f.command == "ERROR") {
        ++outcome_.errors;
        if (outcome_.first_error.empty()) outcome_.first_error = "STOMP ERROR: " + std::string(stomp::header(f, "message"));
      }
    });
  }

  void on_failed(std::string_view what) override {
    if (outcome_.first_error.empty()) outcome_.first_error = std::string(what);
    if (connected_) {
      auto cb = std::move(connected_);
      connected_ = nullptr;
      cb("publisher: " + std::string(what));
    }
    if (done_) finish();
  }

  void on_written() override { pump(); }

 private:
  static ws_address address(const options& opts, const targets& where) {
    const auto port = opts.publish_port ? opts.publish_port : opts.port;
    return {asio::ip::tcp::endpoint(asio::ip::make_address(opts.host), port), asio::ip::make_address("127.0.0.1"),
            where.host_header(), opts.ws_path, "v12.stomp"};
  }

  void pump() {
    if (!done_) return;
    if (outcome_.sent == job_.messages) {
      if (write_idle()) finish();
      return;
    }
    // One write at a time: a flat-out publisher then runs at the speed the
    // server reads, not the speed of the generator's memory.
    if (!write_idle()) return;
    const std::uint64_t due = pace_.due(now_ns());
    std::string body, frame;
    for (unsigned n = 0; outcome_.sent < due && n < job_.window; ++n) {
      body.clear();
      frame.clear();
      write_payload(body, {job_.round, outcome_.sent, now_ns()}, job_.body_bytes);
      const unsigned user = job_.who == audience::own_destination ? picker_.next(job_.users) : 0;
      stomp::append_send_frame(frame, where_.send_destination(job_.who, user), body);
      queue_text(frame);
      ++outcome_.sent;
    }
    flush();
    if (outcome_.sent < job_.messages && outcome_.sent >= due && !timer_armed_) {
      timer_armed_ = true;
      timer_.expires_at(asio::steady_timer::time_point(std::chrono::nanoseconds(pace_.due_time_ns(outcome_.sent))));
      timer_.async_wait([self = std::static_pointer_cast<stomp_publisher>(shared_from_this())](const auto&) {
        self->timer_armed_ = false;
        self->pump();
      });
    }
  }

  void finish() {
    outcome_.end_ns = now_ns();
    auto done = std::move(done_);
    done_ = nullptr;
    done(outcome_);
  }

  asio::steady_timer timer_;
  const options& opts_;
  const targets& where_;
  publish_job job_;
  pacer pace_;
  user_picker picker_;
  publish_outcome outcome_;
  std::function<void(std::string)> connected_;
  std::function<void(publish_outcome)> done_;
  bool timer_armed_ = false;
};

}  // namespace

std::shared_ptr<publisher> make_stomp_publisher(asio::io_context& ctx, const options& opts, const targets& where) {
  return std::make_shared<stomp_publisher>(ctx, opts, where);
}

}  // namespace herald::bench
