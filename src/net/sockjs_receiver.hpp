// An HTTP request that receives a SockJS session's frames: a poll (xhr,
// jsonp) answers once, a stream (xhr_streaming, eventsource, htmlfile)
// carries frames until it has sent sockjs.streaming_bytes. Takes the
// connection over from http_session for the request's duration and hands
// it back, keep-alive intact, when the response is complete. Worker thread
// only; kept alive by its pending operations.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <memory>
#include <string>

#include "net/sockjs_session.hpp"
#include "sockjs/frames.hpp"

namespace herald::net {

class http_receiver final : public std::enable_shared_from_this<http_receiver>, public sockjs_receiver {
 public:
  struct params {
    sockjs::http_transport transport;
    std::string callback;  // jsonp, htmlfile
    std::string head;      // status line and headers, without the framing ones or the blank line
    bool keep_alive = true;
    bool chunked = true;   // HTTP/1.1; an HTTP/1.0 stream ends by closing
  };

  http_receiver(worker::impl& w, boost::asio::ip::tcp::socket socket, connection_slot slot, std::string leftover,
                params p);
  ~http_receiver();

  void start(std::shared_ptr<frame_source> session);

  // sockjs_receiver
  void send_frame(std::string frame) override;
  void finish() override;
  void abort() override;

 private:
  bool streaming() const { return sockjs::is_streaming(p_.transport); }
  // A whole response with Content-Length: a poll's answer or a refusal.
  void respond_once(std::string_view frame);
  std::string whole_response(std::string_view body) const;
  void write(std::string bytes);
  void on_write(boost::system::error_code ec);
  void watch();
  void end();
  void hand_back();
  void drop();

  worker::impl& w_;
  boost::asio::ip::tcp::socket socket_;
  std::optional<connection_slot> slot_;
  std::string leftover_;  // bytes of the client's next request, read early
  params p_;
  std::shared_ptr<frame_source> session_;
  std::string out_;
  std::array<char, 512> rbuf_{};
  std::size_t streamed_ = 0;
  bool attached_ = false;
  bool writing_ = false;
  bool reading_ = false;
  bool frame_in_flight_ = false;  // the session awaits on_frame_sent
  bool answered_ = false;         // a poll sent its one answer
  bool ending_ = false;
  bool gone_ = false;
};

}  // namespace herald::net
